"""Shared fixtures: real files in temp folders, the bundled library, the CLI in-process."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from qa_sim.cli import main
from qa_sim.library import ContentLibrary
from qa_sim.paths import bundled_content_dir
from qa_sim.scenarios.loader import LoadedScenario, load_scenario_file

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the developer's own settings, data or language."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("QA_SIM_DB", str(home / "data" / "test.db"))
    for var in ("QA_SIM_LANG", "QA_SIM_CONTENT", "QA_SIM_CONFIG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    from qa_sim.i18n import set_language

    set_language("en")


@pytest.fixture(scope="session")
def library() -> ContentLibrary:
    return ContentLibrary([bundled_content_dir()]).load()


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a (dedented) text or bytes file under tmp_path and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def scenario_file(write: Callable[..., Path]) -> Callable[[str], LoadedScenario]:
    def _load(text: str) -> LoadedScenario:
        return load_scenario_file(write("scenario.yaml", text))

    return _load


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run `qa-sim ARGS` in-process; return (exit code, stdout, stderr)."""

    def _run(*args: str) -> tuple[int, str, str]:
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return _run


MINIMAL = """
id: mini
title: Minimal
locale: en
level: junior
category: inquiry
customer: {name: Sam, mood: 5, patience: 2}
start: ask
nodes:
  ask:
    say: What is my balance?
    branches:
      - said: balance
        goto: done
      - goto: ask
phrases:
  balance: [balance is]
endings:
  done: {outcome: resolved, say: Thanks!}
  left: {outcome: customer_left, say: Bye.}
"""
