"""The Textual app: screens for trainees (practice, exams, scorecards, progress, history)
and for QA leads. It receives its services (an `Academy`) through its constructor."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

from qa_sim.config import Settings, save_settings
from qa_sim.i18n import get_language, set_language, t

if TYPE_CHECKING:
    from qa_sim.academy import Academy

THEMES = {"dark": "textual-dark", "light": "textual-light"}


class Footer(TextualFooter):
    """The footer with key labels in the interface language (bindings carry `key.*` ids)."""

    def compose(self):  # type: ignore[no-untyped-def]
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.description.startswith("key."):
                widget.description = t(widget.description)
            yield widget


class QaSimApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "qa-sim"
    BINDINGS = [
        Binding("ctrl+q", "quit", "key.quit", priority=True),
        Binding("f2", "toggle_language", "key.language"),
        Binding("f3", "toggle_theme", "key.theme", show=False),
    ]

    def __init__(
        self,
        academy: Academy,
        *,
        settings: Settings | None = None,
        settings_path: Path | None = None,
        trainee: str | None = None,
        theme: str | None = None,
        live_timers: bool = True,
    ) -> None:
        super().__init__()
        self.academy = academy
        self.settings = settings or Settings()
        self.settings_path = settings_path
        self.trainee = trainee
        self.live_timers = live_timers  # tests and screenshots freeze the clock
        self.theme = THEMES.get(theme or self.settings.theme or "dark", "textual-dark")

    # -- start ------------------------------------------------------------------

    def get_default_screen(self) -> Screen[object]:
        """The first screen: who is training (a profile given on start goes straight home)."""
        from qa_sim.tui.screens.who import WhoScreen

        return WhoScreen()

    def on_mount(self) -> None:
        if self.trainee and self.academy.trainee(self.trainee):
            self.enter(self.trainee)
        elif self.live_timers:  # read the content while the trainee picks a profile
            self.set_timer(1.0, lambda: self._warm_up(None))

    def _warm_up(self, locale: str | None) -> None:
        if self.live_timers:
            self.run_worker(
                lambda: self.academy.warm_up(locale),
                thread=True,
                group="warm-up",
                exit_on_error=False,
            )

    def enter(self, name: str) -> None:
        """A trainee chose their profile: their language, then an open exam or home."""
        from qa_sim.tui.screens.home import HomeScreen

        person = self.academy.trainee(name)
        self.trainee = name
        if person is not None:
            set_language(person.locale)
            self._warm_up(person.locale)  # the scorer for their language, before they reply
        self.reset_to(HomeScreen())
        run = self.academy.open_exam(name)
        if run is not None:
            from qa_sim.tui.screens.conversation import ExamScreen

            self.notify(t("tui.exam.resume"))
            self.push_screen(ExamScreen(run))

    def reset_to(self, screen: Screen[object]) -> None:
        """Show `screen` right above the profile screen (the bottom of the stack)."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(screen)

    # -- app-wide actions -------------------------------------------------------------

    def action_toggle_language(self) -> None:
        lang = "en" if get_language() == "zh-CN" else "zh-CN"
        set_language(lang)
        if self.trainee:
            self.academy.set_locale(self.trainee, lang)
        self.settings.language = lang
        self._save_settings()
        self._refresh_texts()

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"
        self.settings.theme = "light" if self.theme == "textual-light" else "dark"
        self._save_settings()

    def _refresh_texts(self) -> None:
        for screen in self.screen_stack:
            refresh = getattr(screen, "retranslate", None)
            if refresh is not None:
                refresh()
        for footer in self.screen.query(Footer):
            footer.refresh(recompose=True)

    def _save_settings(self) -> None:
        if self.settings_path is not None:
            try:
                save_settings(self.settings, self.settings_path)
            except OSError as exc:
                self.notify(str(exc), severity="warning")

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.trainee:
            yield SystemCommand(t("key.home"), "", self._go("home"))
            yield SystemCommand(t("key.scenarios"), "", self._go("scenarios"))
            yield SystemCommand(t("key.history"), "", self._go("history"))
        yield SystemCommand(t("key.lead"), "", self._go("lead"))
        yield SystemCommand(t("key.profile"), "", self._go("who"))
        yield SystemCommand(t("key.language"), "", self.action_toggle_language)

    def _go(self, where: str):  # type: ignore[no-untyped-def]
        def go() -> None:
            self.navigate(where)

        return go

    def action_navigate(self, where: str) -> None:
        self.navigate(where)

    def navigate(self, where: str) -> None:
        from qa_sim.tui.screens.browser import BrowserScreen
        from qa_sim.tui.screens.history import HistoryScreen
        from qa_sim.tui.screens.home import HomeScreen
        from qa_sim.tui.screens.lead import LeadScreen
        from qa_sim.tui.screens.who import WhoScreen

        screens = {
            "home": HomeScreen,
            "scenarios": BrowserScreen,
            "history": HistoryScreen,
            "lead": LeadScreen,
            "who": WhoScreen,
        }
        if where == "home":
            self.reset_to(HomeScreen())
        elif where == "who":
            while len(self.screen_stack) > 1:
                self.pop_screen()
        else:
            self.push_screen(screens[where]())
