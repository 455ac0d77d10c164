"""The scorecard: total, pass/fail, each criterion with points and a reason; selecting one
highlights its evidence in the transcript; KPIs; retry. Also an exam's result."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Static

from qa_sim.i18n import get_language, t
from qa_sim.scoring.scorecard import Scorecard
from qa_sim.training import SessionError, TrainingSession
from qa_sim.tui.app import Footer
from qa_sim.tui.screens.base import BaseScreen
from qa_sim.tui.widgets import ChatLog, clock_text


class ScorecardScreen(BaseScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "key.back"),
        Binding("r", "retry", "key.retry"),
    ]

    def __init__(
        self, session: TrainingSession | None = None, attempt_id: int | None = None
    ) -> None:
        super().__init__()
        self.session = session
        self.attempt_id = (
            attempt_id if attempt_id is not None else (session.attempt_id if session else None)
        )
        self.card: Scorecard | None = None

    @classmethod
    def of_attempt(cls, attempt_id: int) -> ScorecardScreen:
        return cls(None, attempt_id)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="scorecard"):
            with Vertical(id="card-column"):
                yield Static("", id="total", classes="title")
                yield Static("", id="kpi", classes="dim")
                yield DataTable(id="criteria", cursor_type="row")
                yield Static(t("tui.card.select"), id="reason")
            yield ChatLog(id="transcript")
        yield Footer()

    def on_mount(self) -> None:
        if self.session is None and self.attempt_id is not None:
            try:
                self.session, _ = self.academy.replay(self.attempt_id)
            except SessionError as exc:
                self.notify(str(exc), severity="error")
                return
        if self.session is None:
            return
        self.card = self.session.scorecard(get_language())
        self.render_card()

    def render_card(self) -> None:
        session, card = self.session, self.card
        assert session is not None and card is not None
        verdict = t("play.passed") if card.passed else t("play.failed")
        total = Text(t("tui.card.total", score=f"{card.total:g}", verdict=verdict))
        total.stylize("bold green" if card.passed else "bold red")
        if card.critical_failed:
            total.append("  " + t("play.critical", criterion=card.critical_failed), style="red")
        self.query_one("#total", Static).update(total)
        self.query_one("#kpi", Static).update(self.kpis(session))
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for key in ("criterion", "status", "points", "reason"):
            table.add_column(t(f"tui.col.{key}"), key=key)
        for c in card.criteria:
            style = {
                "met": "green",
                "partial": "yellow",
                "missed": "red",
                "failed": "bold red",
            }.get(c.status, "dim")
            points = "" if c.status == "n/a" else f"{c.points:.1f}/{c.max_points:g}"
            reason = c.reason if len(c.reason) <= 60 else c.reason[:59] + "…"
            table.add_row(
                c.title, Text(t(f"status.{c.status}"), style=style), points, reason, key=c.id
            )
        chat = self.query_one(ChatLog)
        chat.remove_children()
        for i, u in enumerate(session.state.transcript):
            who = session.scenario.customer.name if u.role == "customer" else t("tui.chat.you")
            chat.add(who, u.text, u.role, i)
        table.focus()

    @staticmethod
    def kpis(session: TrainingSession) -> str:
        times = [x for x in session.times if x is not None]
        first = handling = None
        if len(times) >= 2:
            first = (times[1] - times[0]).total_seconds()
            handling = (times[-1] - times[0]).total_seconds()
        state = session.state
        return t(
            "tui.card.kpi",
            first=clock_text(first),
            handling=clock_text(handling),
            turns=state.turn,
            outcome=t(f"outcome.{state.outcome}") if state.outcome else "-",
            mood=state.mood,
        )

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.card is None:
            return
        c = self.card.criterion(str(event.row_key.value))
        evidence: dict[int, list[tuple[int, int]]] = {}
        for e in c.evidence:
            evidence.setdefault(e.turn, []).append((e.start, e.end))
        self.query_one(ChatLog).highlight(evidence)
        reason = Text(f"{c.title}: ", style="bold")
        reason.append(c.reason)
        if c.suggestion and c.status not in ("met", "n/a"):
            reason.append("\n" + t("tui.card.suggestion", text=c.suggestion), style="italic")
        self.query_one("#reason", Static).update(reason)

    def action_retry(self) -> None:
        from qa_sim.tui.screens.conversation import PracticeScreen

        if self.session is not None and self.session.mode == "practice":
            self.app.switch_screen(PracticeScreen(self.session.scenario.id, restart=False))


class ExamResultScreen(BaseScreen):
    BINDINGS = [Binding("escape", "home", "key.home")]

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        r = self.result
        outcome = r.outcome
        yield Header()
        with Vertical(id="exam-result"):
            yield Static(t("tui.exam.done"), classes="title")
            for scenario, score in zip(r.exam.scenarios, outcome.scores, strict=True):
                yield Static(f"{score:5.1f}  {scenario}")
            rules = self.academy.track.rules(r.exam.level).exam
            if outcome.passed:
                yield Static(
                    t("exam.passed", score=outcome.score, pass_mark=f"{rules.pass_mark:g}"),
                    classes="good",
                )
            else:
                reasons = t("reason.list_sep").join(t(f"exam.reason.{x}") for x in outcome.reasons)
                yield Static(
                    t(
                        "exam.failed",
                        score=outcome.score,
                        pass_mark=f"{rules.pass_mark:g}",
                        reasons=reasons,
                    ),
                    classes="bad",
                )
            if r.certification is not None:
                yield Static(
                    t(
                        "exam.certified",
                        level=t(f"level.{r.exam.level}"),
                        code=r.certification.code,
                    ),
                    classes="good",
                )
        yield Footer()

    def action_home(self) -> None:
        self.qa.navigate("home")
