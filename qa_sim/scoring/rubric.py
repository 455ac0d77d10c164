"""What a rubric file and a phrase-pack file mean (documented in docs/rubric-format.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from qa_sim.localized import Localized, Strict

Locale = Literal["en", "zh-CN"]
LOCALES: tuple[Locale, ...] = ("en", "zh-CN")
Name = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)]
Kind = Literal[
    "courtesy",
    "needs_question",
    "empathy",
    "personalization",
    "forbidden",
    "steps",
    "timing",
    "phrases",
]
Scope = Literal["first_reply", "any_reply", "every_reply", "last_reply"]
Rating = Literal["binary", "graded"]

DEFAULT_SCOPE: dict[str, Scope] = {
    "courtesy": "any_reply",
    "needs_question": "any_reply",
    "empathy": "any_reply",
    "personalization": "any_reply",
    "forbidden": "every_reply",
    "steps": "any_reply",
    "timing": "every_reply",
    "phrases": "any_reply",
}
# kinds that read a phrase set from the pack (by default the criterion's id)
PHRASE_KINDS = frozenset({"courtesy", "needs_question", "empathy", "forbidden", "phrases"})


class RubricStep(Strict):
    id: Name
    title: Localized
    patterns: dict[Locale, list[str]] = {}


class Criterion(Strict):
    id: Name
    title: Localized
    kind: Kind
    points: float = Field(default=10, gt=0, le=100)
    rating: Rating = "binary"
    critical: bool = False
    scope: Scope | None = None
    phrases: Name | None = None
    na_allowed: bool = True
    limit_seconds: float | None = Field(default=None, gt=0)
    reply_limit_seconds: float | None = Field(default=None, gt=0)
    out_of_order: float = Field(default=0.5, ge=0, le=1)
    steps: list[RubricStep] = []
    suggestion: Localized = Localized()
    description: Localized = Localized()

    @property
    def effective_scope(self) -> Scope:
        return self.scope or DEFAULT_SCOPE[self.kind]

    @property
    def phrase_set(self) -> str:
        return self.phrases or self.id

    @model_validator(mode="after")
    def _kind_needs(self) -> Criterion:
        if (
            self.kind == "timing"
            and self.limit_seconds is None
            and self.reply_limit_seconds is None
        ):
            raise ValueError(
                "a timing criterion needs limit_seconds (first response) or reply_limit_seconds"
                " | hint: e.g. limit_seconds: 30"
            )
        return self


class Guards(Strict):
    """Reply-quality guards: phrase stuffing earns no courtesy credit."""

    stuffing_min_sets: int = Field(default=3, ge=2)
    stuffing_coverage: float = Field(default=0.7, gt=0, le=1)


class Rubric(Strict):
    kind: Literal["rubric"]
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
    title: Localized
    description: Localized = Localized()
    pass_mark: float = Field(default=70, ge=0, le=100)
    packs: list[str] = Field(default=["standard"], min_length=1)
    criteria: list[Criterion] = Field(min_length=1)
    guards: Guards = Guards()

    @field_validator("packs", mode="before")
    @classmethod
    def _one_pack(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @property
    def max_points(self) -> float:
        return sum(c.points for c in self.criteria)

    def criterion(self, cid: str) -> Criterion:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def criterion_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.criteria)


class PackSet(Strict):
    patterns: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    question: bool = False
    negatable: bool = True
    unless: list[Annotated[str, Field(min_length=1)]] = []  # a match inside these does not count
    category: str = ""  # e.g. "courtesy": counted by the stuffing guard

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        if isinstance(value, list | str):
            return {"patterns": value if isinstance(value, list) else [value]}
        return value


class PhrasePack(Strict):
    """Named phrase sets in one language; rubrics pick packs by name."""

    kind: Literal["phrases"]
    pack: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
    locale: Locale
    description: str = ""
    sets: dict[Name, PackSet] = Field(min_length=1)
