"""What a scenario file means: strict models, unknown keys rejected.

The shorthand a QA lead writes (a plain string where a list of lines is
allowed, a plain value for a variable) is normalised here, so the rest of the
code sees one shape.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Locale = Literal["en", "zh-CN"]
Level = Literal["junior", "intermediate", "senior"]
Outcome = Literal["resolved", "escalated", "customer_left", "unresolved"]
LEVELS: tuple[Level, ...] = ("junior", "intermediate", "senior")
OUTCOMES: tuple[Outcome, ...] = ("resolved", "escalated", "customer_left", "unresolved")
CATEGORIES = (
    "inquiry",
    "complaint",
    "after-sales",
    "billing",
    "technical",
    "retention",
    "privacy",
    "escalation",
    "sales",
)
MOOD_MIN, MOOD_MAX = 0, 10
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")

Name = Annotated[str, Field(pattern=NAME_RE.pattern, max_length=64)]
Text = Annotated[str, Field(max_length=4000)]
Scalar = str | int | float | bool


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _as_list(value: Any) -> Any:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class Line(Strict):
    """One thing the customer may say. `once`: at most once per conversation."""

    text: Text
    once: bool = False
    if_: str | None = Field(default=None, alias="if")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value


class Branch(Strict):
    """Where the conversation goes after a reply. All conditions given must hold."""

    if_: str | None = Field(default=None, alias="if")
    said: list[Name] = []
    met: list[Name] = []
    did: list[Name] = []
    goto: Name
    set: dict[Name, Scalar] = {}
    mood: int = Field(default=0, ge=-10, le=10)
    unhelpful: bool | None = None
    na: list[Name] = []  # rubric criteria that no longer apply once this branch is taken
    feedback: Text = ""

    _lists = field_validator("said", "met", "did", "na", mode="before")(_as_list)

    @property
    def is_fallback(self) -> bool:
        return not (self.if_ or self.said or self.met or self.did)

    @property
    def counts_as_unhelpful(self) -> bool:
        return self.is_fallback if self.unhelpful is None else self.unhelpful


class Node(Strict):
    say: list[Line] = Field(min_length=1)
    pick: Literal["random", "sequence"] = "random"
    hint: list[Text] = []
    branches: list[Branch] = Field(min_length=1)

    _lists = field_validator("say", "hint", mode="before")(_as_list)


class Ending(Strict):
    outcome: Outcome
    say: list[Line] = Field(min_length=1)
    summary: Text = ""

    _lists = field_validator("say", mode="before")(_as_list)


class Variable(Strict):
    """A template variable: a fixed value or a seeded random choice."""

    value: Scalar | None = None
    choice: list[Scalar] | None = Field(default=None, min_length=1)
    range: tuple[int, int] | None = None
    pattern: str | None = Field(default=None, min_length=1)
    days_ago: int | tuple[int, int] | None = None
    format: str = "%Y-%m-%d"

    @model_validator(mode="before")
    @classmethod
    def _from_scalar(cls, value: Any) -> Any:
        if isinstance(value, str | int | float | bool):
            return {"value": value}
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> Variable:
        given = [
            k
            for k in ("value", "choice", "range", "pattern", "days_ago")
            if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "a variable is a plain value or exactly one of choice, range, pattern, days_ago"
                " | hint: e.g. order_no: {pattern: 'JD##########'} or carrier: {choice: [SF, ZTO]}"
            )
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError("range must be [low, high] with low <= high")
        if isinstance(self.days_ago, tuple) and self.days_ago[0] > self.days_ago[1]:
            raise ValueError("days_ago must be N or [low, high] with low <= high")
        if self.pattern is not None and not any(c in self.pattern for c in "#@"):
            raise ValueError(
                "a pattern needs '#' (a random digit) or '@' (a random capital letter)"
                " | hint: e.g. 'SF##########'"
            )
        return self


class PhraseSet(Strict):
    """Scenario-defined phrases; a branch tests them as `said.NAME`."""

    patterns: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    question: bool = False
    negatable: bool = True
    unless: list[Annotated[str, Field(min_length=1)]] = []  # a match inside these does not count

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        if isinstance(value, str | list):
            return {"patterns": _as_list(value)}
        return value


class Step(Strict):
    """One step of the scenario's SOP, with the phrases that show it was done."""

    id: Name
    title: Text
    patterns: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    hint: Text = ""


class Note(Strict):
    """A knowledge-base note the trainee may open in practice."""

    id: Name
    title: Text
    text: Annotated[str, Field(max_length=20000)]
    tags: list[str] = []


class Customer(Strict):
    name: str = Field(min_length=1, max_length=80)
    background: Text = ""
    mood: int = Field(default=5, ge=MOOD_MIN, le=MOOD_MAX)
    patience: int = Field(default=3, ge=1, le=20)
    out_of_patience: Name | None = None
    mood_rules: dict[str, int] | None = None


class Expect(Strict):
    ending: Name | None = None
    outcome: Outcome | None = None
    path: list[Name] | None = None
    visits: list[Name] = []
    met: list[Name] = []
    missed: list[Name] = []
    score: tuple[float, float] | None = None
    passed: bool | None = None
    mood: tuple[int, int] | None = None


class GoldenTest(Strict):
    """A scripted route through the scenario and what must follow."""

    name: str = Field(min_length=1)
    seed: int = 1
    replies: list[str] = Field(min_length=1)
    expect: Expect


DEFAULT_MOOD_RULES: dict[str, int] = {
    "met.empathy": 1,
    "met.apology": 1,
    "violated.forbidden_language": -2,
    "unhelpful": -1,
}


class Scenario(Strict):
    id: Annotated[str, Field(pattern=ID_RE.pattern, max_length=80)]
    title: str = Field(min_length=1, max_length=200)
    locale: Locale
    level: Level
    category: Annotated[str, Field(pattern=r"^[a-z][a-z-]*$")]
    difficulty: int = Field(default=1, ge=1, le=5)
    tags: list[str] = []
    rubric: str = "standard"
    na: list[Name] = []  # rubric criteria that do not apply to this scenario
    situation: Text = ""
    customer: Customer
    variables: dict[Name, Variable] = {}
    phrases: dict[Name, PhraseSet] = {}
    steps: list[Step] = []
    knowledge: list[Note] = []
    start: Name
    max_turns: int = Field(default=30, ge=1, le=200)
    every_turn: list[Branch] = []
    nodes: dict[Name, Node] = Field(min_length=1)
    endings: dict[Name, Ending] = Field(min_length=1)
    tests: list[GoldenTest] = []

    @property
    def mood_rules(self) -> dict[str, int]:
        rules = self.customer.mood_rules
        return DEFAULT_MOOD_RULES if rules is None else rules

    def step_ids(self) -> list[str]:
        return [s.id for s in self.steps]

    def patience_ending(self) -> str | None:
        """The ending taken when the customer's patience runs out."""
        if self.customer.out_of_patience:
            return self.customer.out_of_patience
        for outcome in ("customer_left", "escalated", "unresolved"):
            for ending_id, ending in self.endings.items():
                if ending.outcome == outcome:
                    return ending_id
        return None
