"""The app driven as a trainee and a QA lead would, with Pilot, on a real database."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import DataTable, OptionList
from tui_routes import VACUUM

from qa_sim.academy import Academy
from qa_sim.tui.app import QaSimApp
from qa_sim.tui.screens.conversation import ExamScreen, PracticeScreen
from qa_sim.tui.screens.home import HomeScreen
from qa_sim.tui.screens.scorecard import ExamResultScreen, ScorecardScreen
from qa_sim.tui.widgets import Bubble, ReplyBox

Build = Callable[..., QaSimApp]


async def type_reply(pilot, app: QaSimApp, text: str) -> None:  # type: ignore[no-untyped-def]
    app.screen.query_one(ReplyBox).insert(text)
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_new_trainee_creates_a_profile_and_lands_home(
    app_for: Build, academy: Academy
) -> None:
    app = app_for()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("n")  # a new profile
        await pilot.pause()
        await pilot.press(*"li.wei", "enter")  # Enter moves on to the display name
        await pilot.press(*"Li Wei", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    person = academy.trainee("li.wei")
    assert person is not None and person.display_name == "Li Wei"


async def test_practice_end_to_end_is_recorded_and_scored(app_for: Build, academy: Academy) -> None:
    academy.add_trainee("ann", "Ann Lee", "en")
    app = app_for("ann")
    async with app.run_test(size=(100, 32)) as pilot:
        app.push_screen(PracticeScreen("vacuum-inquiry-en"))
        await pilot.pause()
        await type_reply(pilot, app, VACUUM[0])
        bubbles = app.screen.query(Bubble)
        assert [b.has_class("agent") for b in bubbles] == [False, True, False]
        feedback = str(app.screen.query_one("#feedback").render())
        assert "✓ Greeting" in feedback
        await pilot.press("ctrl+g")
        assert "Hint" in str(app.screen.query_one("#hint").render())
        for reply in VACUUM[1:]:
            await type_reply(pilot, app, reply)
        assert isinstance(app.screen, ScorecardScreen)
        total = str(app.screen.query_one("#total").render())
        assert "passed" in total
    attempts = academy.history("ann")
    assert len(attempts) == 1 and attempts[0].finished and attempts[0].passed


async def test_selecting_a_criterion_highlights_its_evidence(
    app_for: Build, with_history: Academy
) -> None:
    app = app_for("ann")
    first = with_history.history("ann")[-1]
    async with app.run_test(size=(100, 32)) as pilot:
        app.push_screen(ScorecardScreen.of_attempt(first.id))
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=0)  # greeting
        await pilot.pause()
        marked = [b for b in app.screen.query(Bubble) if b.has_class("marked")]
        assert [b.index for b in marked] == [1]
        assert marked[0].spans and marked[0].body[slice(*marked[0].spans[0])] == "Hi"
        assert "Greeting" in str(app.screen.query_one("#reason").render())


async def test_an_exam_is_taken_resumed_and_certified(app_for: Build, academy: Academy) -> None:
    academy.add_trainee("ann", "Ann Lee", "en")
    app = app_for("ann")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExamScreen)
        assert app.screen.session is not None and app.screen.session.hints() == []
        await type_reply(pilot, app, VACUUM[0])
        await pilot.press("escape")  # leave: asks first
        await pilot.pause()
        await pilot.click("#leave")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    # a new launch resumes the open exam at the same turn
    again = app_for("ann")
    async with again.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, ExamScreen)
        assert again.screen.session is not None and again.screen.session.state.turn == 1
        for reply in VACUUM[1:]:
            await type_reply(pilot, again, reply)
        await again.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(again.screen, ExamResultScreen)
        assert again.screen.result.certification is not None
    assert [c.level for c in academy.store.certifications("ann")] == ["junior"]


async def test_switching_language_changes_the_interface_and_is_remembered(
    app_for: Build, with_history: Academy
) -> None:
    app = app_for("ann")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        labels = [getattr(k, "description", "") for k in app.screen.query("FooterKey")]
        assert "Scenarios" in labels
        await pilot.press("f2")
        await pilot.pause()
        labels = [getattr(k, "description", "") for k in app.screen.query("FooterKey")]
        assert "场景" in labels and "历史" in labels
        assert "当前级别" in str(app.screen.query_one(".title").render())
    person = with_history.trainee("ann")
    assert person is not None and person.locale == "zh-CN"


async def test_history_opens_a_past_attempt(app_for: Build, with_history: Academy) -> None:
    app = app_for("ann")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ScorecardScreen)
        assert app.screen.card is not None


async def test_home_recommends_unpassed_scenarios_of_the_level(
    app_for: Build, with_history: Academy
) -> None:
    app = app_for("ann")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        options = app.screen.query_one("#recommended", OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids and "vacuum-inquiry-en" not in ids  # passed already
        cards = {c.id: c for c in with_history.scenario_cards}
        assert all(cards[i].level == "junior" and cards[i].locale == "en" for i in ids)
