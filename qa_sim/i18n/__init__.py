"""Interface strings in English and Simplified Chinese.

`t("key", name=...)` formats the current language's string, falling back to
English. The current language comes from --lang, QA_SIM_LANG, the user's
settings, or the system locale, in that order (set by the CLI or the app).
"""

from __future__ import annotations

import os
from typing import Any

from qa_sim.i18n import en, zh_CN

LANGUAGES = ("en", "zh-CN")
_CATALOGS: dict[str, dict[str, str]] = {"en": en.MESSAGES, "zh-CN": zh_CN.MESSAGES}
_current = "en"


def normalize_language(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().replace("_", "-").lower()
    if v.startswith("zh"):
        return "zh-CN"
    if v.startswith("en") or v in ("c", "posix"):
        return "en"
    return None


def detect_language(explicit: str | None = None, configured: str | None = None) -> str:
    for candidate in (
        explicit,
        os.environ.get("QA_SIM_LANG"),
        configured,
        os.environ.get("LC_ALL"),
        os.environ.get("LC_MESSAGES"),
        os.environ.get("LANG"),
    ):
        lang = normalize_language(candidate)
        if lang:
            return lang
    return "en"


def set_language(lang: str) -> None:
    global _current
    _current = normalize_language(lang) or "en"


def get_language() -> str:
    return _current


def t(key: str, lang: str | None = None, **params: Any) -> str:
    catalog = _CATALOGS.get(lang or _current, _CATALOGS["en"])
    template = catalog[key] if key in catalog else _CATALOGS["en"].get(key, key)
    return template.format(**params) if params else template


def display_width(text: str) -> int:
    """Terminal columns `text` takes: CJK and full-width characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))
