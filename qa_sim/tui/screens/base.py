"""What every screen shares: the header, the translated footer, the app's services."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from qa_sim.academy import Academy
    from qa_sim.tui.app import QaSimApp


class BaseScreen(Screen[object]):
    @property
    def qa(self) -> QaSimApp:
        from qa_sim.tui.app import QaSimApp

        return cast(QaSimApp, self.app)

    @property
    def academy(self) -> Academy:
        return self.qa.academy

    def on_mount(self) -> None:
        if not self.qa.live_timers:  # tests and screenshots: nothing moves on its own
            from textual.widgets import Input, TextArea

            for widget in self.query(Input).results():
                widget.cursor_blink = False
            for area in self.query(TextArea).results():
                area.cursor_blink = False

    def retranslate(self) -> None:
        """Called after the interface language changed: rebuild the texts."""
        self.refresh(recompose=True)
