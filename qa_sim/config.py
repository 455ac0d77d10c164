"""User settings: interface language, theme, extra content folders.

Read from QA_SIM_CONFIG or the XDG config folder (config.yaml); every setting
is optional and a broken file never stops the program (its problem is reported).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from qa_sim.paths import bundled_content_dir, config_file


@dataclass
class Settings:
    language: str | None = None
    theme: str | None = None
    content: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def content_folders(self, extra: list[str] | None = None) -> list[Path]:
        """Bundled content first, then configured folders, QA_SIM_CONTENT, and `extra`."""
        folders = [bundled_content_dir(), *self.content]
        env = os.environ.get("QA_SIM_CONTENT")
        if env:
            folders += [Path(p) for p in env.split(os.pathsep) if p]
        folders += [Path(p) for p in extra or []]
        unique: list[Path] = []
        for f in folders:
            if f.resolve() not in [u.resolve() for u in unique]:
                unique.append(f)
        return unique


def load_settings(path: Path | None = None) -> Settings:
    path = path or config_file()
    settings = Settings()
    if not path.is_file():
        return settings
    import yaml  # only when there is a file to read: `qa-sim` starts faster without it

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        settings.problems.append(
            f"{path}: cannot read settings ({exc.__class__.__name__}); using defaults"
        )
        return settings
    if not isinstance(data, dict):
        settings.problems.append(f"{path}: settings must be a mapping; using defaults")
        return settings
    lang = data.get("language")
    if lang in ("en", "zh-CN"):
        settings.language = lang
    elif lang is not None:
        settings.problems.append(f"{path}: language must be en or zh-CN, not {lang!r}")
    if isinstance(data.get("theme"), str):
        settings.theme = data["theme"]
    content = data.get("content", [])
    if isinstance(content, list):
        settings.content = [Path(str(c)).expanduser() for c in content]
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> None:
    import yaml

    path = path or config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, object] = {}
    if settings.language:
        data["language"] = settings.language
    if settings.theme:
        data["theme"] = settings.theme
    if settings.content:
        data["content"] = [str(p) for p in settings.content]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=True), encoding="utf-8")
