"""One checker per criterion kind: findings in scope -> points, status, reason, evidence."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from qa_sim.i18n import t
from qa_sim.scoring.phrases import Hit
from qa_sim.scoring.rubric import Criterion
from qa_sim.scoring.scorecard import CriterionResult, Evidence, Status

if TYPE_CHECKING:
    from qa_sim.scoring.engine import ReplyFindings, RubricEngine, ScoringContext, StepSpec, Turn

Checker = Callable[
    [
        Criterion,
        "RubricEngine",
        Sequence["Turn"],
        list["ReplyFindings"],
        str,
        "ScoringContext",
        str | None,
    ],
    CriterionResult,
]


def _ev(turn: int, hit: Hit, note: str = "") -> Evidence:
    return Evidence(
        turn, hit.start, hit.end, hit.text, note or ("typo" if hit.typo else ""), hit.pattern
    )


def _result(
    c: Criterion,
    status: Status,
    points: float,
    reason: str,
    lang: str | None,
    locale: str,
    evidence: Sequence[Evidence] = (),
    disregarded: Sequence[Evidence] = (),
) -> CriterionResult:
    ui = lang or locale
    if c.critical and status in ("missed", "partial"):
        status = "failed"
    suggestion = ""
    if status not in ("met", "n/a"):
        suggestion = c.suggestion.get(ui) or t(f"suggest.{c.kind}", ui)
    return CriterionResult(
        id=c.id,
        title=c.title.get(ui),
        kind=c.kind,
        status=status,
        points=points if status != "n/a" else 0.0,
        max_points=c.points,
        critical=c.critical,
        reason=reason,
        evidence=tuple(evidence),
        disregarded=tuple(disregarded),
        suggestion=suggestion,
    )


def _scope(c: Criterion, findings: list[ReplyFindings]) -> list[ReplyFindings]:
    scope = c.effective_scope
    if scope == "first_reply":
        return findings[:1]
    if scope == "last_reply":
        return findings[-1:]
    return findings


def _reply_no(findings: list[ReplyFindings], turn: int) -> int:
    return next((i + 1 for i, f in enumerate(findings) if f.turn == turn), 0)


def check_phrases(
    c: Criterion,
    engine: RubricEngine,
    turns: Sequence[Turn],
    findings: list[ReplyFindings],
    locale: str,
    context: ScoringContext,
    lang: str | None,
) -> CriterionResult:
    ui = lang or locale
    in_scope = _scope(c, findings)
    guarded = c.kind in ("courtesy", "needs_question", "empathy")
    evidence: list[Evidence] = []
    disregarded: list[Evidence] = []
    shown_in: set[int] = set()
    for f in in_scope:
        for hit in f.hits.get(c.phrase_set, ()):
            if not hit.counts:
                disregarded.append(_ev(f.turn, hit, hit.why_not))
            elif guarded and f.stuffed:
                disregarded.append(_ev(f.turn, hit, "stuffing"))
            else:
                evidence.append(_ev(f.turn, hit))
                shown_in.add(f.turn)
    why = _why_not(disregarded, findings, ui)
    if c.effective_scope == "every_reply":
        n = len(in_scope)
        share = len(shown_in) / n
        if share == 1:
            return _result(
                c,
                "met",
                c.points,
                t("reason.every.met", ui, n=n),
                lang,
                locale,
                evidence,
                disregarded,
            )
        points = c.points * share if c.rating == "graded" else 0.0
        status: Status = "partial" if points > 0 else "missed"
        reason = t("reason.every.some", ui, shown=len(shown_in), n=n) + why
        return _result(c, status, points, reason, lang, locale, evidence, disregarded)
    if evidence:
        first = evidence[0]
        reason = t("reason.shown", ui, reply=_reply_no(findings, first.turn), text=first.text)
        return _result(c, "met", c.points, reason, lang, locale, evidence, disregarded)
    reason = t(f"reason.missed.{c.effective_scope}", ui) + why
    return _result(c, "missed", 0.0, reason, lang, locale, evidence, disregarded)


def _why_not(disregarded: list[Evidence], findings: list[ReplyFindings], ui: str) -> str:
    if not disregarded:
        return ""
    d = disregarded[0]
    key = {
        "negated": "reason.why.negated",
        "not_a_question": "reason.why.not_question",
        "stuffing": "reason.why.stuffing",
        "exception": "reason.why.exception",
    }.get(d.note, "")
    if not key:
        return ""
    return t("reason.sep", ui) + t(key, ui, text=d.text, reply=_reply_no(findings, d.turn))


def check_forbidden(
    c: Criterion,
    engine: RubricEngine,
    turns: Sequence[Turn],
    findings: list[ReplyFindings],
    locale: str,
    context: ScoringContext,
    lang: str | None,
) -> CriterionResult:
    ui = lang or locale
    evidence: list[Evidence] = []
    disregarded: list[Evidence] = []
    for f in _scope(c, findings):
        for hit in f.hits.get(c.phrase_set, ()):
            (evidence if hit.counts else disregarded).append(_ev(f.turn, hit, hit.why_not))
    if evidence:
        first = evidence[0]
        reason = t(
            "reason.forbidden.found", ui, reply=_reply_no(findings, first.turn), text=first.text
        )
        if len(evidence) > 1:
            reason += t("reason.forbidden.more", ui, n=len(evidence) - 1)
        return _result(c, "missed", 0.0, reason, lang, locale, evidence, disregarded)
    return _result(
        c, "met", c.points, t("reason.forbidden.clean", ui), lang, locale, (), disregarded
    )


def _longest_in_order(order: list[int]) -> set[int]:
    """Positions (into `order`) of a longest increasing run of SOP indices."""
    tails: list[int] = []
    tails_at: list[int] = []
    parent = [-1] * len(order)
    for i, value in enumerate(order):
        k = bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tails_at.append(i)
        else:
            tails[k] = value
            tails_at[k] = i
        parent[i] = tails_at[k - 1] if k else -1
    keep: set[int] = set()
    i = tails_at[-1] if tails_at else -1
    while i >= 0:
        keep.add(i)
        i = parent[i]
    return keep


def _steps_for(c: Criterion, context: ScoringContext, locale: str) -> tuple[StepSpec, ...]:
    if context.steps:
        return context.steps
    from qa_sim.scoring.engine import StepSpec

    patterns: dict[str, list[str]] = {}
    for s in c.steps:
        patterns[s.id] = next((list(p) for loc, p in s.patterns.items() if loc == locale), [])
    return tuple(
        StepSpec(s.id, s.title.get(locale), tuple(patterns[s.id]))
        for s in c.steps
        if patterns[s.id]
    )


def check_steps(
    c: Criterion,
    engine: RubricEngine,
    turns: Sequence[Turn],
    findings: list[ReplyFindings],
    locale: str,
    context: ScoringContext,
    lang: str | None,
) -> CriterionResult:
    ui = lang or locale
    steps = _steps_for(c, context, locale)
    if not steps:
        return _result(c, "n/a", 0.0, t("reason.na.no_steps", ui), lang, locale)
    if steps is not context.steps:  # rubric-defined steps: match them now
        book = engine.steps_book(steps)
        step_hits = [(f.turn, book.find(f.analysis)) for f in findings]
    else:
        step_hits = [(f.turn, dict(f.step_hits)) for f in findings]
    first: dict[str, tuple[int, Hit]] = {}
    disregarded: list[Evidence] = []
    for turn, hits in step_hits:
        for sid, hs in hits.items():
            for h in hs:
                if not h.counts:
                    disregarded.append(_ev(turn, h, h.why_not))
                elif sid not in first:
                    first[sid] = (turn, h)
    index = {s.id: i for i, s in enumerate(steps)}
    found = sorted(first, key=lambda sid: (first[sid][0], first[sid][1].start))
    in_order_pos = _longest_in_order([index[sid] for sid in found])
    out_of_order = [sid for i, sid in enumerate(found) if i not in in_order_pos]
    per_step = c.points / len(steps)
    points = sum(per_step * (c.out_of_order if sid in out_of_order else 1.0) for sid in found)
    evidence = [
        Evidence(
            first[sid][0],
            first[sid][1].start,
            first[sid][1].end,
            first[sid][1].text,
            "out_of_order" if sid in out_of_order else "",
            sid,
        )
        for sid in found
    ]
    titles = {s.id: s.title for s in steps}
    missing = [titles[s.id] for s in steps if s.id not in first]
    if not missing and not out_of_order:
        return _result(
            c,
            "met",
            c.points,
            t("reason.steps.all", ui, n=len(steps)),
            lang,
            locale,
            evidence,
            disregarded,
        )
    reason = t("reason.steps.some", ui, found=len(found), n=len(steps))
    if missing:
        reason += t("reason.sep", ui) + t(
            "reason.steps.missing", ui, names=t("reason.list_sep", ui).join(missing)
        )
    if out_of_order:
        reason += t("reason.sep", ui) + t(
            "reason.steps.order",
            ui,
            names=t("reason.list_sep", ui).join(titles[s] for s in out_of_order),
        )
    if c.rating == "binary":
        points = 0.0
    status: Status = "partial" if points > 0 else "missed"
    return _result(c, status, points, reason, lang, locale, evidence, disregarded)


def check_personalization(
    c: Criterion,
    engine: RubricEngine,
    turns: Sequence[Turn],
    findings: list[ReplyFindings],
    locale: str,
    context: ScoringContext,
    lang: str | None,
) -> CriterionResult:
    ui = lang or locale
    if not context.details:
        return _result(c, "n/a", 0.0, t("reason.na.no_details", ui), lang, locale)
    evidence = [_ev(f.turn, h) for f in _scope(c, findings) for h in f.detail_hits]
    if evidence:
        reason = t(
            "reason.personal.met",
            ui,
            text=evidence[0].text,
            reply=_reply_no(findings, evidence[0].turn),
        )
        return _result(c, "met", c.points, reason, lang, locale, evidence)
    return _result(c, "missed", 0.0, t("reason.personal.missed", ui), lang, locale)


def check_timing(
    c: Criterion,
    engine: RubricEngine,
    turns: Sequence[Turn],
    findings: list[ReplyFindings],
    locale: str,
    context: ScoringContext,
    lang: str | None,
) -> CriterionResult:
    ui = lang or locale
    delays: list[tuple[int, float]] = []  # (agent turn, seconds since the customer spoke)
    waiting_since = None
    for i, spoken in enumerate(turns):
        if spoken.role == "customer":
            if spoken.at is not None and waiting_since is None:
                waiting_since = spoken.at
        elif spoken.role == "agent":
            if waiting_since is not None and spoken.at is not None:
                delays.append((i, (spoken.at - waiting_since).total_seconds()))
            waiting_since = None
    if not delays:
        return _result(c, "n/a", 0.0, t("reason.na.no_times", ui), lang, locale)
    fractions: list[float] = []
    parts: list[str] = []
    evidence: list[Evidence] = []
    if c.limit_seconds is not None:
        turn, secs = delays[0]
        limit = c.limit_seconds
        ok = secs <= limit
        fractions.append(
            1.0 if ok else max(0.0, 1 - (secs - limit) / limit) if c.rating == "graded" else 0.0
        )
        parts.append(
            t(
                "reason.timing.first_ok" if ok else "reason.timing.first_late",
                ui,
                secs=round(secs),
                limit=round(limit),
            )
        )
        evidence.append(Evidence(turn, 0, 0, f"{secs:.0f}s", "" if ok else "late"))
    if c.reply_limit_seconds is not None:
        limit = c.reply_limit_seconds
        on_time = [(turn, s) for turn, s in delays if s <= limit]
        fractions.append(
            len(on_time) / len(delays)
            if c.rating == "graded"
            else float(len(on_time) == len(delays))
        )
        parts.append(
            t("reason.timing.replies", ui, ok=len(on_time), n=len(delays), limit=round(limit))
        )
        evidence += [Evidence(turn, 0, 0, f"{s:.0f}s", "late") for turn, s in delays if s > limit]
    share = sum(fractions) / len(fractions)
    points = c.points * share
    status: Status = "met" if share == 1 else "partial" if points > 0 else "missed"
    return _result(c, status, points, t("reason.sep", ui).join(parts), lang, locale, evidence)


CHECKERS: dict[str, Checker] = {
    "courtesy": check_phrases,
    "needs_question": check_phrases,
    "empathy": check_phrases,
    "phrases": check_phrases,
    "forbidden": check_forbidden,
    "steps": check_steps,
    "personalization": check_personalization,
    "timing": check_timing,
}


def evaluate(
    c: Criterion,
    engine: RubricEngine,
    turns: Sequence[Turn],
    findings: list[ReplyFindings],
    locale: str,
    context: ScoringContext,
    lang: str | None,
) -> CriterionResult:
    ui = lang or locale
    if c.id in context.na and c.na_allowed:
        return _result(c, "n/a", 0.0, t("reason.na.marked", ui), lang, locale)
    if not findings and c.kind != "timing":
        return _result(c, "missed", 0.0, t("reason.na.no_replies", ui), lang, locale)
    return CHECKERS[c.kind](c, engine, turns, findings, locale, context, lang)
