"""What a certification track file means: levels, practice requirements, exam rules.

A track lives under `rubrics/` with `kind: track` (docs/certification.md). Its
levels go junior (初级) -> intermediate (中级) -> senior (高级); each names the
level it requires, the practice that must come first, and the exam's rules.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from qa_sim.localized import Localized, Strict

Level = Literal["junior", "intermediate", "senior"]
LEVEL_ORDER: tuple[Level, ...] = ("junior", "intermediate", "senior")


class Pool(Strict):
    """Which scenarios count: by level (default: the level's own), ids, tags, locale."""

    level: Level | None = None
    scenarios: list[str] = []
    tags: list[str] = []
    locale: Literal["en", "zh-CN"] | None = None


class Practice(Strict):
    scenarios: int = Field(default=3, ge=0, le=100)  # distinct scenarios passed
    min_score: float = Field(default=70, ge=0, le=100)
    pool: Pool = Pool()


class Exam(Strict):
    scenarios: int = Field(default=2, ge=1, le=20)  # drawn at random from the pool
    pool: Pool = Pool()
    pass_mark: float = Field(default=75, ge=0, le=100)  # the average over the exam's scenarios
    each_at_least: float = Field(default=0, ge=0, le=100)  # every scenario's own minimum
    time_limit_minutes: float = Field(default=30, gt=0, le=600)
    reply_limit_seconds: float | None = Field(default=180, gt=0)
    hints: bool = False
    knowledge: bool = False
    max_attempts: int = Field(default=3, ge=1, le=100)
    cooldown_hours: float = Field(default=24, ge=0)


class LevelRules(Strict):
    level: Level
    title: Localized
    requires: Level | None = None
    practice: Practice = Practice()
    exam: Exam = Exam()
    expires_after_days: int | None = Field(default=None, ge=1)
    recertify_within_days: int = Field(
        default=30, ge=0
    )  # renewing before expiry is allowed this early
    recertify_exam_only: bool = True  # renewing needs the exam, not the practice again


class Track(Strict):
    kind: Literal["track"]
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
    title: Localized
    description: Localized = Localized()
    levels: list[LevelRules] = Field(min_length=1)

    @model_validator(mode="after")
    def _levels_in_order(self) -> Track:
        seen: list[str] = []
        for rules in self.levels:
            if rules.level in seen:
                raise ValueError(f"level {rules.level} is defined twice")
            if rules.requires is not None and rules.requires not in seen:
                raise ValueError(
                    f"level {rules.level} requires {rules.requires}, which must be defined before it"
                    " | hint: list levels junior, intermediate, senior in that order"
                )
            seen.append(rules.level)
        return self

    def rules(self, level: str) -> LevelRules:
        for rules in self.levels:
            if rules.level == level:
                return rules
        raise KeyError(level)

    def level_names(self) -> list[str]:
        return [r.level for r in self.levels]
