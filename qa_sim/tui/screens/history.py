"""History: past attempts; Enter replays one's transcript with its scorecard."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from qa_sim.i18n import t
from qa_sim.tui.app import Footer
from qa_sim.tui.screens.base import BaseScreen


class HistoryScreen(BaseScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "key.back")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("tui.history.title"), classes="title")
        yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield Static("", id="history-empty", classes="dim")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key in ("when", "scenario", "mode", "score", "outcome"):
            table.add_column(t(f"tui.col.{key}"), key=key)
        attempts = self.academy.history(self.qa.trainee or "")
        for a in attempts:
            score = Text("–" if a.score is None else f"{a.score:5.1f}")
            if a.result is not None:
                score.stylize("green" if a.passed else "red")
            outcome = t(f"outcome.{a.result.outcome}") if a.result else t("tui.status.open")
            table.add_row(
                a.start.started.strftime("%Y-%m-%d %H:%M"),
                a.start.scenario_id,
                t(f"mode.{a.start.mode}"),
                score,
                outcome,
                key=str(a.id),
            )
        if not attempts:
            self.query_one("#history-empty", Static).update(t("tui.history.none"))
        table.focus()

    @on(DataTable.RowSelected)
    def open(self, event: DataTable.RowSelected) -> None:
        from qa_sim.tui.screens.scorecard import ScorecardScreen

        if event.row_key.value:
            self.app.push_screen(ScorecardScreen.of_attempt(int(event.row_key.value)))
