"""A new trainee profile (a dialog over the first screen, loaded when first asked for)."""

from __future__ import annotations

from typing import cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from qa_sim.errors import SessionError
from qa_sim.i18n import get_language, t


class NewProfile(ModalScreen[None]):
    """A new trainee: a short name to type, a display name, the interface language."""

    BINDINGS = [Binding("escape", "app.pop_screen", "key.back")]

    def compose(self) -> ComposeResult:
        with Vertical(id="new-profile"):
            yield Static(t("tui.who.create"), classes="title")
            yield Input(placeholder=t("tui.who.name"), id="name")
            yield Input(placeholder=t("tui.who.display"), id="display")
            with Horizontal():
                yield Select(
                    [("English", "en"), ("中文", "zh-CN")],
                    value=get_language(),
                    allow_blank=False,
                    id="locale",
                )
                yield Button(t("tui.who.create"), id="create", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted, "#name")
    def next_field(self) -> None:
        self.query_one("#display", Input).focus()

    @on(Button.Pressed, "#create")
    @on(Input.Submitted, "#display")
    def create(self) -> None:
        from qa_sim.tui.app import QaSimApp

        app = cast(QaSimApp, self.app)
        name = self.query_one("#name", Input).value.strip()
        display = self.query_one("#display", Input).value.strip()
        locale = str(self.query_one("#locale", Select).value)
        try:
            person = app.academy.add_trainee(name, display, locale)
        except SessionError as exc:
            self.notify(str(exc), severity="error")
            return
        self.dismiss(None)
        app.enter(person.name)
