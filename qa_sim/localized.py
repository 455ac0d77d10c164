"""Pydantic bases shared by content models: strict (unknown keys rejected, frozen) and
text in both interface languages, where a plain string serves both."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Localized(Strict):
    """Text in both interface languages; a plain string serves both."""

    en: str = ""
    zh_CN: str = Field(default="", alias="zh-CN")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"en": value, "zh-CN": value} if isinstance(value, str) else value

    def get(self, locale: str) -> str:
        if locale == "zh-CN":
            return self.zh_CN or self.en
        return self.en or self.zh_CN
