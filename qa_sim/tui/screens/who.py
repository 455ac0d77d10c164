"""Who are you: pick a trainee profile, or create one (screens/new_profile.py)."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.widgets import Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from qa_sim.i18n import t
from qa_sim.tui.app import Footer
from qa_sim.tui.screens.base import BaseScreen


class WhoScreen(BaseScreen):
    """The first screen: light on purpose (the list fills in once the database is open)."""

    BINDINGS = [
        Binding("n", "new", "key.new_profile"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="who"):
            yield Static(t("tui.who.title"), classes="title")
            yield Label("", id="who-help")
            yield OptionList(id="people")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#people", OptionList).focus()

    def on_screen_resume(self) -> None:
        """On first show and whenever the trainee comes back to switch profiles."""
        self.call_after_refresh(self.load_people)  # the screen takes keys first

    @work(thread=True, group="people")
    def load_people(self) -> None:
        people = self.academy.trainees()  # opens the database: off the UI thread
        self.app.call_from_thread(self.show_people, people)

    def show_people(self, people: list[Any]) -> None:
        try:
            options = self.query_one("#people", OptionList)
            help_line = self.query_one("#who-help", Label)
        except NoMatches:  # the app closed before the list came back
            return
        options.clear_options()
        options.add_options(
            [Option(f"{p.display_name}  ({p.name}, {p.locale})", id=p.name) for p in people]
        )
        help_line.update(t("tui.who.pick") if people else t("tui.who.none"))
        if people:
            options.highlighted = 0

    @on(OptionList.OptionSelected, "#people")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.qa.enter(event.option.id)

    def action_new(self) -> None:
        from qa_sim.tui.screens.new_profile import NewProfile

        self.app.push_screen(NewProfile())
