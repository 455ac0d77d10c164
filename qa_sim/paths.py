"""Where things live: the database, user config, bundled content. No side effects at import."""

from __future__ import annotations

import os
from pathlib import Path

APP = "qa-sim"


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value and Path(value).is_absolute() else Path.home() / fallback


def data_dir() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share") / APP


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / APP


def config_file() -> Path:
    override = os.environ.get("QA_SIM_CONFIG")
    return Path(override) if override else config_dir() / "config.yaml"


def default_db_path() -> Path:
    """QA_SIM_DB if set, else qa-sim.db in the user's data folder."""
    override = os.environ.get("QA_SIM_DB")
    return Path(override) if override else data_dir() / "qa-sim.db"


def bundled_content_dir() -> Path:
    """The folder holding the shipped scenarios/ and rubrics/.

    In a wheel they are packaged as qa_sim/_content; in a source checkout (and
    an editable install) they sit at the repository root.
    """
    package = Path(__file__).resolve().parent
    packaged = package / "_content"
    if packaged.is_dir():
        return packaged
    return package.parent
