"""The app under test: a real library, a real database in a temp folder, a fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tui_routes import VACUUM

from qa_sim.academy import Academy
from qa_sim.library import ContentLibrary
from qa_sim.paths import bundled_content_dir
from qa_sim.training import TrainingSession
from qa_sim.tui import make_app
from qa_sim.tui.app import QaSimApp

EASY_TRACK = """
kind: track
id: easy
title: {en: Easy track, zh-CN: 简易认证}
levels:
  - level: junior
    title: {en: Junior agent, zh-CN: 初级客服}
    practice: {scenarios: 0}
    exam:
      scenarios: 1
      pass_mark: 60
      time_limit_minutes: 20
      pool: {scenarios: [vacuum-inquiry-en]}
"""


class FixedClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="session")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("content")
    (folder / "rubrics").mkdir()
    (folder / "rubrics" / "easy.yaml").write_text(EASY_TRACK, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def tui_library(content: Path) -> ContentLibrary:
    return ContentLibrary([bundled_content_dir(), content]).load()


@pytest.fixture
def academy(tui_library: ContentLibrary, tmp_path: Path) -> Academy:
    return Academy(tui_library, tmp_path / "app.db", clock=FixedClock(), track_id="easy", seed=1)


@pytest.fixture
def with_history(academy: Academy) -> Academy:
    """Two trainees; Ann has practised twice (one pass, one miss)."""
    academy.add_trainee("ann", "Ann Lee", "en")
    academy.add_trainee("wang.fang", "王芳", "zh-CN")
    clock = academy.clock
    assert isinstance(clock, FixedClock)
    for replies in (VACUUM, ["It is a good product.", "OK.", "OK.", "OK."]):
        session = academy.practice("ann", "vacuum-inquiry-en", restart=True)
        for reply in replies:
            if session.finished:
                break
            clock.tick(20)
            session.submit(reply)
        if not session.finished:
            session.close()
        clock.tick(3600)
    return academy


@pytest.fixture
def app_for(academy: Academy) -> Callable[..., QaSimApp]:
    def build(trainee: str | None = None, language: str = "en") -> QaSimApp:
        from qa_sim.i18n import set_language

        set_language(language)
        if trainee:
            academy.set_locale(trainee, language)
        return make_app(academy, trainee=trainee, live_timers=False)

    return build


def finish(session: TrainingSession) -> None:
    if not session.finished:
        session.close()
