"""What the store holds, as plain frozen values (no database handles escape the store)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Trainee:
    name: str  # the login-like key: lower case, no spaces
    display_name: str
    locale: str
    created: datetime
    cohorts: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttemptStart:
    """Everything known when an attempt begins; the header its signature covers."""

    trainee: str
    scenario_id: str
    level: str
    locale: str
    mode: str  # "practice" or "exam"
    seed: int
    scenario_hash: str
    rubric_id: str
    rubric_hash: str
    engine_version: str
    started: datetime
    exam_id: int | None = None


@dataclass(frozen=True)
class TurnRecord:
    index: int
    role: str  # "customer" or "agent"
    text: str
    at: datetime | None
    findings: dict[str, Any] | None = None  # agent turns: met / violated / did / stuffed


@dataclass(frozen=True)
class CriterionRow:
    criterion: str
    status: str  # met, partial, missed, n/a, failed
    points: float
    max_points: float


@dataclass(frozen=True)
class AttemptResult:
    ended: datetime
    outcome: str  # resolved, escalated, left, abandoned, timeout ...
    ending: str | None
    end_reason: str | None
    score: float
    passed: bool
    critical_failed: str | None
    criteria: tuple[CriterionRow, ...]


@dataclass(frozen=True)
class Attempt:
    id: int
    start: AttemptStart
    result: AttemptResult | None
    state_json: str
    turn_count: int
    signature: str | None = None

    @property
    def finished(self) -> bool:
        return self.result is not None

    @property
    def score(self) -> float | None:
        return self.result.score if self.result else None

    @property
    def passed(self) -> bool:
        return bool(self.result and self.result.passed)


@dataclass(frozen=True)
class Exam:
    id: int
    trainee: str
    track: str
    level: str
    seed: int
    scenarios: tuple[str, ...]
    started: datetime
    deadline: datetime
    ended: datetime | None = None
    status: str = "open"  # open, passed, failed
    score: float | None = None
    attempt_ids: tuple[int, ...] = field(default=())

    @property
    def open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class Certification:
    id: int
    trainee: str
    track: str
    level: str
    granted: datetime
    expires: datetime | None
    exam_id: int
    code: str
    revoked: bool = False
