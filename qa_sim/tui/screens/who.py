"""Who are you: pick or create a trainee profile, with its interface language."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Header, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from qa_sim.i18n import get_language, t
from qa_sim.training import SessionError
from qa_sim.tui.app import Footer
from qa_sim.tui.screens.base import BaseScreen


class WhoScreen(BaseScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "key.back", show=False)]

    def compose(self) -> ComposeResult:
        people = self.academy.trainees()
        yield Header()
        with Vertical(id="who"):
            yield Static(t("tui.who.title"), classes="title")
            yield Label(t("tui.who.pick") if people else t("tui.who.none"))
            yield OptionList(
                *[Option(f"{p.display_name}  ({p.name}, {p.locale})", id=p.name) for p in people],
                id="people",
            )
            with Horizontal(id="new-profile"):
                yield Input(placeholder=t("tui.who.name"), id="name")
                yield Input(placeholder=t("tui.who.display"), id="display")
                yield Select(
                    [("English", "en"), ("中文", "zh-CN")],
                    value=get_language(),
                    allow_blank=False,
                    id="locale",
                )
                yield Button(t("tui.who.create"), id="create", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        people = self.query_one("#people", OptionList)
        if people.option_count:
            people.focus()
        else:
            self.query_one("#name", Input).focus()

    @on(OptionList.OptionSelected, "#people")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.qa.enter(event.option.id)

    @on(Button.Pressed, "#create")
    @on(Input.Submitted, "#display")
    def create(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        display = self.query_one("#display", Input).value.strip()
        locale = str(self.query_one("#locale", Select).value)
        try:
            person = self.academy.add_trainee(name, display, locale)
        except SessionError as exc:
            self.notify(str(exc), severity="error")
            return
        self.qa.enter(person.name)
