"""The result of grading: frozen values that explain every point."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

Status = Literal["met", "partial", "missed", "n/a", "failed"]


class Evidence(NamedTuple):
    """Words in one turn that decided a criterion (`note` says why they did not count)."""

    turn: int  # index into the conversation's turns (customer turns included)
    start: int
    end: int
    text: str
    note: str = ""  # "", "negated", "not_a_question", "stuffing", "typo", "out_of_order", "late"
    label: str = ""  # e.g. the step id, or the phrase that matched

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "turn": self.turn,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }
        if self.note:
            d["note"] = self.note
        if self.label:
            d["label"] = self.label
        return d


@dataclass(frozen=True, slots=True)
class CriterionResult:
    id: str
    title: str
    kind: str
    status: Status
    points: float
    max_points: float
    critical: bool
    reason: str
    evidence: tuple[Evidence, ...] = ()
    disregarded: tuple[Evidence, ...] = ()  # found, but did not count (negated, stuffing ...)
    suggestion: str = ""

    @property
    def applicable(self) -> bool:
        return self.status != "n/a"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "points": round(self.points, 2),
            "max": round(self.max_points, 2),
            "critical": self.critical,
            "reason": self.reason,
            "evidence": [e.as_dict() for e in self.evidence],
            "disregarded": [e.as_dict() for e in self.disregarded],
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True)
class Flag:
    """A reply-quality problem found by a guard (e.g. phrase stuffing)."""

    turn: int
    kind: str
    message: str


@dataclass(frozen=True)
class Scorecard:
    rubric_id: str
    locale: str
    total: float  # 0-100 over applicable criteria
    points: float
    max_points: float
    pass_mark: float
    passed: bool
    critical_failed: str | None
    criteria: tuple[CriterionResult, ...]
    flags: tuple[Flag, ...] = field(default=())

    def criterion(self, cid: str) -> CriterionResult:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def met_ids(self) -> list[str]:
        return [c.id for c in self.criteria if c.status == "met"]

    def missed_ids(self) -> list[str]:
        return [c.id for c in self.criteria if c.status in ("missed", "failed", "partial")]

    def as_dict(self) -> dict[str, Any]:
        return {
            "rubric": self.rubric_id,
            "locale": self.locale,
            "score": round(self.total, 1),
            "passed": self.passed,
            "pass_mark": self.pass_mark,
            "critical_failed": self.critical_failed,
            "criteria": [c.as_dict() for c in self.criteria],
            "flags": [{"turn": f.turn, "kind": f.kind, "message": f.message} for f in self.flags],
        }
