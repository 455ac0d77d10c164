"""All mutable state of one conversation; saved after every turn, so any attempt resumes."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

STATE_VERSION = 1


@dataclass
class Utterance:
    role: str  # "customer" or "agent"
    text: str
    node: str | None = None


@dataclass
class ConversationState:
    scenario_id: str
    seed: int
    today: str  # ISO date the date variables were resolved against
    mood: int
    patience_left: int
    node: str | None = None
    ending: str | None = None
    outcome: str | None = None
    end_reason: str | None = None  # "ending", "patience", "turn_limit", "abandoned", "timeout"
    turn: int = 0
    variables: dict[str, Any] = field(default_factory=dict)
    visits: dict[str, int] = field(default_factory=dict)
    used_once: list[str] = field(default_factory=list)  # "node/line-index" said already
    done_steps: list[str] = field(default_factory=list)
    na: list[str] = field(default_factory=list)  # criteria a taken branch marked not applicable
    path: list[str] = field(default_factory=list)
    transcript: list[Utterance] = field(default_factory=list)
    mood_history: list[int] = field(default_factory=list)
    version: int = STATE_VERSION

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConversationState:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["transcript"] = [Utterance(**u) for u in data.get("transcript", [])]
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> ConversationState:
        return cls.from_dict(json.loads(text))
