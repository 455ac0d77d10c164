"""Every screen at 100×32 in both languages (pytest-textual-snapshot). A fixed clock, fixed
seeds and no cursor blink keep them deterministic; `pytest --snapshot-update` redraws them
after an intended change, and the diff shows in review."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from tui_routes import VACUUM

from qa_sim.academy import Academy
from qa_sim.tui.screens.conversation import PracticeScreen
from qa_sim.tui.screens.scorecard import ScorecardScreen
from qa_sim.tui.widgets import ReplyBox

SIZE = (100, 32)
LANGUAGES = ["en", "zh-CN"]


async def settle(pilot: Pilot) -> None:  # type: ignore[type-arg]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def opening(where: str) -> Callable[[Pilot], object]:  # type: ignore[type-arg]
    async def run(pilot: Pilot) -> None:  # type: ignore[type-arg]
        await settle(pilot)
        await pilot.press(where)
        await settle(pilot)

    return run


@pytest.mark.parametrize("lang", LANGUAGES)
def test_who(snap_compare, app_for, with_history: Academy, lang: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_for(None, lang), terminal_size=SIZE, run_before=settle)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_home(snap_compare, app_for, with_history: Academy, lang: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_for("ann", lang), terminal_size=SIZE, run_before=settle)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_browser(snap_compare, app_for, with_history: Academy, lang: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_for("ann", lang), terminal_size=SIZE, run_before=opening("s"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_history(snap_compare, app_for, with_history: Academy, lang: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_for("ann", lang), terminal_size=SIZE, run_before=opening("h"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_lead(snap_compare, app_for, with_history: Academy, lang: str) -> None:  # type: ignore[no-untyped-def]
    async def run(pilot: Pilot) -> None:  # type: ignore[type-arg]
        await opening("l")(pilot)
        await pilot.press("right")  # the cohort tab
        await settle(pilot)

    assert snap_compare(app_for("ann", lang), terminal_size=SIZE, run_before=run)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_conversation(snap_compare, app_for, with_history: Academy, lang: str) -> None:  # type: ignore[no-untyped-def]
    scenario = "vacuum-inquiry-en" if lang == "en" else "air-fryer-inquiry-zh"
    reply = VACUUM[0] if lang == "en" else "您好，很高兴为您服务！请问您平时家里几口人用呢？"

    async def run(pilot: Pilot) -> None:  # type: ignore[type-arg]
        await settle(pilot)
        pilot.app.push_screen(PracticeScreen(scenario, restart=True))
        await settle(pilot)
        pilot.app.screen.query_one(ReplyBox).insert(reply)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)

    assert snap_compare(app_for("ann", lang), terminal_size=SIZE, run_before=run)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_exam(snap_compare, app_for, with_history: Academy, lang: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_for("ann", lang), terminal_size=SIZE, run_before=opening("x"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_scorecard(snap_compare, app_for, with_history: Academy, lang: str) -> None:  # type: ignore[no-untyped-def]
    first = with_history.history("ann")[-1].id

    async def run(pilot: Pilot) -> None:  # type: ignore[type-arg]
        await settle(pilot)
        pilot.app.push_screen(ScorecardScreen.of_attempt(first))
        await settle(pilot)
        await pilot.press("down", "down", "down", "down")  # polite closing: missed
        await settle(pilot)

    assert snap_compare(app_for("ann", lang), terminal_size=SIZE, run_before=run)
