"""Agreement of a rubric with human QA labels, per criterion, with the disagreements.

Labels come one per line (JSON Lines or CSV) in any of these forms:

- a turn with its text: `{"text": "...", "labels": {"greeting": true}}`, or the
  public data sets' form `{"text": "...", "gold": ["closing"]}` where `gold`
  lists the labels that apply (mapped to criteria with `--map GOLD=CRITERION`);
- a turn of a conversation in the transcripts file:
  `{"id": "c1", "turn": 3, "labels": {"needs_question": false}}`;
- a whole conversation: `{"id": "c1", "labels": {"greeting": true}}` or
  `{"id": "c1", "criterion": "greeting", "label": true}`;
- CSV with columns `conversation_id, [turn,] criterion, label`.

A turn label says whether the turn shows what the criterion looks for (for a
forbidden-language criterion: whether the turn contains forbidden language). A
conversation label is the QA verdict: whether the criterion was met.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa_sim.scoring.engine import RubricEngine, ScoringContext
from qa_sim.scoring.transcripts import Conversation, TranscriptError, _locale

TRUE = {"true", "yes", "y", "1", "met", "pass", "passed", "present"}
FALSE = {"false", "no", "n", "0", "missed", "fail", "failed", "absent"}


@dataclass(frozen=True)
class LabelRow:
    line: int
    labels: Mapping[str, bool]
    text: str | None = None
    conversation: str | None = None
    turn: int | None = None
    locale: str | None = None


@dataclass
class Disagreement:
    criterion: str
    where: str
    human: bool
    engine: bool
    text: str
    why: str = ""


@dataclass
class CriterionAgreement:
    criterion: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None if p is None or r is None else 0.0
        return 2 * p * r / (p + r)

    @property
    def kappa(self) -> float | None:
        n = self.n
        if not n:
            return None
        observed = (self.tp + self.tn) / n
        expected = (
            (self.tp + self.fp) * (self.tp + self.fn) + (self.fn + self.tn) * (self.fp + self.tn)
        ) / n**2
        if expected == 1:
            return 1.0 if observed == 1 else 0.0
        return (observed - expected) / (1 - expected)

    def as_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "criterion": self.criterion,
            "n": self.n,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": r(self.precision),
            "recall": r(self.recall),
            "f1": r(self.f1),
            "kappa": r(self.kappa),
            "disagreements": [d.__dict__ for d in self.disagreements],
        }


class LabelError(ValueError):
    pass


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise LabelError(f"label {value!r} is not true/false (yes/no, 1/0, met/missed)")


def _labels_of(
    data: dict[str, Any], mapping: Mapping[str, str], criteria: set[str]
) -> dict[str, bool]:
    labels: dict[str, bool] = {}
    if "gold" in data:
        gold = data["gold"]
        if not isinstance(gold, list):
            raise LabelError("'gold' must be a list of label names")
        targets = set(mapping.values()) if mapping else {g for g in criteria}
        for criterion in targets:
            sources = [g for g, c in mapping.items() if c == criterion] if mapping else [criterion]
            labels[criterion] = any(g in gold for g in sources)
    if isinstance(data.get("labels"), dict):
        for name, value in data["labels"].items():
            labels[mapping.get(name, name)] = _bool(value)
    elif "labels" in data:
        raise LabelError("'labels' must be an object like {\"greeting\": true}")
    if "criterion" in data:
        if "label" not in data:
            raise LabelError("a row with 'criterion' needs 'label'")
        labels[mapping.get(str(data["criterion"]), str(data["criterion"]))] = _bool(data["label"])
    if not labels:
        raise LabelError("no labels: give 'labels', 'gold', or 'criterion' and 'label'")
    return labels


def read_labels(
    path: Path, mapping: Mapping[str, str], criteria: set[str]
) -> Iterator[LabelRow | tuple[int, str]]:
    """Label rows, or (line, message) for a row that cannot be read."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TranscriptError(f"no such labels file: {path}") from None
    except UnicodeDecodeError:
        raise TranscriptError(f"{path} is not UTF-8 text") from None
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        for row in reader:
            try:
                turn = row.get("turn")
                data = {"criterion": row.get("criterion"), "label": row.get("label")}
                if not row.get("criterion"):
                    raise LabelError("criterion is empty")
                yield LabelRow(
                    reader.line_num,
                    _labels_of(data, mapping, criteria),
                    conversation=(row.get("conversation_id") or "").strip() or None,
                    turn=int(turn) if turn not in (None, "") else None,
                    text=row.get("text") or None,
                )
            except (LabelError, ValueError) as exc:
                yield reader.line_num, str(exc)
        return
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise LabelError("a label row must be a JSON object")
            turn = data.get("turn")
            if turn is not None and (
                not isinstance(turn, int) or isinstance(turn, bool) or turn < 0
            ):
                raise LabelError("'turn' must be a turn index (0 or more)")
            cid = data.get("id", data.get("conversation_id", data.get("dialogue_id")))
            row_text = data.get("text")
            if row_text is not None and not isinstance(row_text, str):
                raise LabelError("'text' must be a string")
            if row_text is None and cid is None:
                raise LabelError("a row needs 'text' or a conversation 'id'")
            yield LabelRow(
                number,
                _labels_of(data, mapping, criteria),
                text=row_text,
                conversation=None if cid is None else str(cid),
                turn=turn,
                locale=data.get("locale"),
            )
        except json.JSONDecodeError as exc:
            yield number, f"not JSON: {exc.msg} (column {exc.colno})"
        except LabelError as exc:
            yield number, str(exc)


def _short(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def calibrate(
    engine: RubricEngine,
    rows: Iterable[LabelRow],
    conversations: Mapping[str, Conversation],
    *,
    locale: str | None = None,
    only: set[str] | None = None,
    show: int = 10,
) -> tuple[list[CriterionAgreement], list[tuple[int, str]]]:
    known = engine.rubric.criterion_ids()
    results: dict[str, CriterionAgreement] = {}
    problems: list[tuple[int, str]] = []
    cards: dict[str, Any] = {}
    for row in rows:
        wanted = {c: v for c, v in row.labels.items() if (only is None or c in only)}
        unknown = [c for c in wanted if c not in known]
        if unknown:
            problems.append(
                (
                    row.line,
                    f"rubric '{engine.rubric.id}' has no criterion {unknown[0]!r} "
                    f"(map label names with --map LABEL=CRITERION)",
                )
            )
            wanted = {c: v for c, v in wanted.items() if c in known}
        if not wanted:
            continue
        conv = conversations.get(row.conversation or "") if row.conversation else None
        if row.text is None and conv is None:
            problems.append(
                (row.line, f"conversation {row.conversation!r} is not in the transcripts file")
            )
            continue
        if row.text is not None or row.turn is not None:  # a turn's verdict
            if row.text is not None:
                text = row.text
                loc = (
                    _locale(row.locale or locale, [])
                    if (row.locale or locale)
                    else _locale(None, [_fake(text)])
                )
                context = ScoringContext()
            else:
                assert conv is not None and row.turn is not None
                if row.turn >= len(conv.turns) or conv.turns[row.turn].role != "agent":
                    problems.append(
                        (row.line, f"turn {row.turn} of {conv.id!r} is not an agent turn")
                    )
                    continue
                text, loc = conv.turns[row.turn].text, conv.locale
                context = ScoringContext(details=conv.details)
            findings = engine.reply(text, loc, row.turn or 0, context)
            verdict = engine.live(findings)
            where = f"{row.conversation or 'line ' + str(row.line)}" + (
                f" turn {row.turn}" if row.turn is not None else ""
            )
            for cid, human in wanted.items():
                shown = cid in verdict.met or cid in verdict.violated
                why = ""
                crit = engine.rubric.criterion(cid)
                hits = findings.hits.get(crit.phrase_set, [])
                if hits:
                    why = "; ".join(
                        f"“{h.text}”" + (f" ({h.why_not})" if h.why_not else "") for h in hits[:3]
                    )
                    if findings.stuffed and not shown:
                        why += " (stuffing)"
                _count(results, cid, human, shown, where, text, why, show)
        else:  # a conversation's verdict
            assert conv is not None
            card = cards.get(conv.id)
            if card is None:
                card = cards[conv.id] = engine.score(
                    conv.turns,
                    conv.locale,
                    ScoringContext(na=frozenset(conv.na), details=conv.details),
                    "en",
                )
            for cid, human in wanted.items():
                result = card.criterion(cid)
                if result.status == "n/a":
                    continue
                met = result.status in ("met", "partial")
                _count(
                    results,
                    cid,
                    human,
                    met,
                    conv.id,
                    " | ".join(t.text for t in conv.turns if t.role == "agent"),
                    result.reason,
                    show,
                )
    return sorted(results.values(), key=lambda r: r.criterion), problems


def _fake(text: str) -> Any:
    from qa_sim.scoring.engine import Turn

    return Turn("agent", text)


def _count(
    results: dict[str, CriterionAgreement],
    cid: str,
    human: bool,
    engine: bool,
    where: str,
    text: str,
    why: str,
    show: int,
) -> None:
    r = results.setdefault(cid, CriterionAgreement(cid))
    if human and engine:
        r.tp += 1
    elif engine:
        r.fp += 1
    elif human:
        r.fn += 1
    else:
        r.tn += 1
    if human != engine and sum(d.human == human for d in r.disagreements) < show:
        r.disagreements.append(Disagreement(cid, where, human, engine, _short(text), why))
