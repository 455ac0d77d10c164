"""Score one reply (live) or a whole transcript against a rubric.

Each agent reply is analysed once and matched once against every phrase set of
the rubric's packs; the criterion checkers (checks.py) then read those
findings. Live, the findings of one reply become the facts that drive a
scenario's branches and the trainee's feedback.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache

from qa_sim.scoring.phrases import Hit, PhraseBook, PhraseSpec
from qa_sim.scoring.rubric import PackSet, Rubric
from qa_sim.scoring.scorecard import Flag, Scorecard
from qa_sim.scoring.text import Analysis, analyse, fold, has_cjk

COURTESY_KINDS = frozenset({"courtesy", "needs_question", "empathy"})


@dataclass(frozen=True)
class Turn:
    role: str  # "agent" or "customer"
    text: str
    at: datetime | None = None


@dataclass(frozen=True)
class StepSpec:
    id: str
    title: str
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class ScoringContext:
    """What the conversation brings besides its text."""

    steps: tuple[StepSpec, ...] = ()  # the SOP, in order
    na: frozenset[str] = frozenset()  # criteria marked not applicable
    details: tuple[str, ...] = ()  # customer name, order number ... (personalisation)


@dataclass(frozen=True)
class ReplyFindings:
    """Everything found in one agent reply."""

    turn: int
    analysis: Analysis
    hits: Mapping[str, list[Hit]]
    step_hits: Mapping[str, list[Hit]]
    detail_hits: tuple[Hit, ...]
    stuffed: bool

    def counted(self, set_name: str) -> list[Hit]:
        return [h for h in self.hits.get(set_name, ()) if h.counts]


@dataclass(frozen=True)
class LiveVerdict:
    """What one reply showed, as facts for branching and live feedback."""

    met: frozenset[str]
    violated: frozenset[str]
    did: frozenset[str]
    stuffed: bool
    findings: ReplyFindings


_ID_RE = re.compile(r"\b(?=[a-z-]*\d)[a-z0-9][a-z0-9-]{4,}[0-9]\b", re.IGNORECASE)
_NAME_EN = re.compile(r"\b(?:my name is|this is|i am|i'm)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)")
_NAME_ZH = re.compile(r"我叫([\u4e00-\u9fff]{2,3})")
_SURNAME_ZH = re.compile(r"我姓([\u4e00-\u9fff])")


def details_from_customer(turns: Sequence[Turn]) -> list[str]:
    """Order numbers and names a customer gave, which a personal reply echoes."""
    found: list[str] = []
    for turn in turns:
        if turn.role != "customer":
            continue
        found += _ID_RE.findall(turn.text)
        found += _NAME_EN.findall(turn.text)
        found += _NAME_ZH.findall(turn.text)
        for surname in _SURNAME_ZH.findall(turn.text):
            found += [f"{surname}先生", f"{surname}女士"]
    return found


@lru_cache(maxsize=4096)
def _needles(detail: str) -> tuple[tuple[str, str, bool], ...]:
    """(variant, folded variant, is latin) for each way of writing a detail."""
    return tuple((v, fold(v), not has_cjk(v)) for v in detail_variants(detail))


def detail_variants(detail: str) -> list[str]:
    """Ways an agent may use a detail: 'Dana Whitfield' -> Dana, Whitfield; '王丽' -> 王女士 ..."""
    d = detail.strip()
    if not d:
        return []
    out = [d]
    if has_cjk(d) and 2 <= len(d) <= 4 and not any(c.isdigit() for c in d):
        surname = d[0]
        out += [f"{surname}先生", f"{surname}女士", f"{surname}小姐", d[1:] if len(d) == 3 else ""]
    elif " " in d and not any(c.isdigit() for c in d):
        parts = d.split()
        out += [parts[0], parts[-1]]
    return [v for v in dict.fromkeys(out) if len(v) >= 2]


class RubricEngine:
    """A rubric compiled for scoring, with one phrase book per locale."""

    def __init__(self, rubric: Rubric, sets: Mapping[str, Mapping[str, PackSet]]) -> None:
        self.rubric = rubric
        self.sets = sets
        self._books: dict[str, PhraseBook] = {}
        self._step_books: dict[tuple[StepSpec, ...], PhraseBook] = {}

    def book(self, locale: str) -> PhraseBook:
        book = self._books.get(locale)
        if book is None:
            specs = [
                PhraseSpec(name, tuple(s.patterns), s.question, s.negatable, tuple(s.unless))
                for name, s in self.sets.get(locale, {}).items()
            ]
            book = self._books[locale] = PhraseBook(specs)
        return book

    def steps_book(self, steps: tuple[StepSpec, ...]) -> PhraseBook:
        book = self._step_books.get(steps)
        if book is None:
            book = self._step_books[steps] = PhraseBook(PhraseSpec(s.id, s.patterns) for s in steps)
        return book

    @cached_property
    def personalizes(self) -> bool:
        return any(c.kind == "personalization" for c in self.rubric.criteria)

    @cached_property
    def courtesy_sets(self) -> frozenset[str]:
        """Sets the stuffing guard counts: those of courtesy-like criteria, or tagged so."""
        names = {c.phrase_set for c in self.rubric.criteria if c.kind in COURTESY_KINDS}
        for by_name in self.sets.values():
            names |= {n for n, s in by_name.items() if s.category == "courtesy"}
        return frozenset(names)

    # -- one reply -----------------------------------------------------------

    def reply(
        self, text: str, locale: str, turn: int = 0, context: ScoringContext | None = None
    ) -> ReplyFindings:
        context = context or ScoringContext()
        a = analyse(text)
        hits = self.book(locale).find(a)
        step_hits = self.steps_book(context.steps).find(a) if context.steps else {}
        details = _detail_hits(a, context.details) if context.details else ()
        stuffed = self._stuffed(a, hits)
        return ReplyFindings(turn, a, hits, step_hits, details, stuffed)

    def _stuffed(self, a: Analysis, hits: Mapping[str, list[Hit]]) -> bool:
        """Courtesy phrases strung together with little else ("hello sorry thanks bye")."""
        guards = self.rubric.guards
        courtesy = [h for n, hs in hits.items() if n in self.courtesy_sets for h in hs]
        if len({h.name for h in courtesy}) < guards.stuffing_min_sets or not len(a):
            return False
        kept: list[Hit] = []  # overlapping hits of different sets count once
        for h in sorted(courtesy, key=lambda h: (h.start, -(h.end - h.start))):
            if not kept or h.start >= kept[-1].end:
                kept.append(h)
        if len({h.name for h in kept}) < guards.stuffing_min_sets:
            return False
        spans = a.spans
        covered = sum(1 for i in a.tokens() if any(h.start <= spans[i][0] < h.end for h in kept))
        return covered / len(a) >= guards.stuffing_coverage

    def live(self, findings: ReplyFindings) -> LiveVerdict:
        met: set[str] = set()
        violated: set[str] = set()
        for c in self.rubric.criteria:
            if c.kind == "forbidden":
                if findings.counted(c.phrase_set):
                    violated.add(c.id)
            elif c.kind in COURTESY_KINDS or c.kind == "phrases":
                if findings.counted(c.phrase_set) and not (
                    findings.stuffed and c.kind in COURTESY_KINDS
                ):
                    met.add(c.id)
            elif c.kind == "personalization":
                if findings.detail_hits:
                    met.add(c.id)
            elif c.kind == "steps" and any(
                h.counts for hs in findings.step_hits.values() for h in hs
            ):
                met.add(c.id)
        did = frozenset(n for n, hs in findings.step_hits.items() if any(h.counts for h in hs))
        return LiveVerdict(frozenset(met), frozenset(violated), did, findings.stuffed, findings)

    # -- a whole conversation -------------------------------------------------

    def score(
        self,
        turns: Sequence[Turn],
        locale: str,
        context: ScoringContext | None = None,
        lang: str | None = None,
        findings: Sequence[ReplyFindings] | None = None,
    ) -> Scorecard:
        from qa_sim.scoring.checks import evaluate

        context = context or ScoringContext()
        if self.personalizes:
            details = tuple(dict.fromkeys([*context.details, *details_from_customer(turns)]))
            if details != context.details:
                context = ScoringContext(context.steps, context.na, details)
        if findings is None:
            findings = [
                self.reply(t.text, locale, i, context)
                for i, t in enumerate(turns)
                if t.role == "agent"
            ]
        results = tuple(
            evaluate(c, self, turns, list(findings), locale, context, lang)
            for c in self.rubric.criteria
        )
        points = sum(r.points for r in results if r.applicable)
        max_points = sum(r.max_points for r in results if r.applicable)
        total = 100.0 * points / max_points if max_points else 0.0
        critical = next((r.id for r in results if r.status == "failed"), None)
        flags = tuple(
            Flag(f.turn, "stuffing", "courtesy phrases stuffed without substance")
            for f in findings
            if f.stuffed
        )
        return Scorecard(
            rubric_id=self.rubric.id,
            locale=locale,
            total=round(total, 1),
            points=points,
            max_points=max_points,
            pass_mark=self.rubric.pass_mark,
            passed=critical is None and total >= self.rubric.pass_mark,
            critical_failed=critical,
            criteria=results,
            flags=flags,
        )


def _detail_hits(a: Analysis, details: Sequence[str]) -> tuple[Hit, ...]:
    hits: list[Hit] = []
    for detail in details:
        for variant, needle, latin in _needles(detail):
            start = a.folded.find(needle)
            while start >= 0:
                end = start + len(needle)
                bounded = not latin or (
                    (start == 0 or not a.folded[start - 1].isalnum())
                    and (end == len(a.folded) or not a.folded[end].isalnum())
                )
                if bounded and not any(h.start < end and start < h.end for h in hits):
                    hits.append(Hit("details", start, end, a.text[start:end], variant))
                start = a.folded.find(needle, end)
    return tuple(sorted(hits, key=lambda h: h.start))
