"""Home: the level, what is left for the next certification, weak spots, what to practise."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Header, OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from qa_sim.i18n import t
from qa_sim.tui.app import Footer
from qa_sim.tui.screens.base import BaseScreen
from qa_sim.tui.widgets import Bars


class HomeScreen(BaseScreen):
    BINDINGS = [
        Binding("s", "app.navigate('scenarios')", "key.scenarios"),
        Binding("h", "app.navigate('history')", "key.history"),
        Binding("x", "exam", "key.exam"),
        Binding("l", "app.navigate('lead')", "key.lead"),
        Binding("p", "app.navigate('who')", "key.profile"),
    ]

    def compose(self) -> ComposeResult:
        name = self.qa.trainee or ""
        progress = self.academy.progress(name)
        self.progress_data = progress
        yield Header()
        with Horizontal(id="home"):
            with VerticalScroll(id="home-left"):
                yield from self._level(progress)
                yield Static(t("tui.home.weakest"), classes="section")
                weakest = progress["weakest"]
                if not weakest:
                    yield Static(t("tui.home.none_weak"), classes="dim")
                for w in weakest:
                    yield Bars(f"{w['criterion']} {100 * w['rate']:.0f}%", w["rate"], 1.0, False)
                yield Static(t("tui.home.scores"), classes="section")
                scores = [s for _, s in self.academy.score_history(name)]
                if scores:
                    yield Sparkline(scores, id="scores")
                    yield Static(
                        f"{scores[0]:.0f} → {scores[-1]:.0f}  (n={len(scores)})", classes="dim"
                    )
                else:
                    yield Static(t("tui.home.no_scores"), classes="dim")
            with Vertical(id="home-right"):
                yield Static(t("tui.home.recommended"), classes="section")
                yield OptionList(
                    *[
                        Option(f"{c.title}  [{t('level.' + c.level)} · {c.difficulty}/5]", id=c.id)
                        for c in self.academy.recommended(name, progress)
                    ],
                    id="recommended",
                )
                yield Static(t("tui.home.recent"), classes="section")
                yield OptionList(
                    *[self._attempt_option(a) for a in progress["recent"]]
                    or [Option(t("progress.nothing"), disabled=True)],
                    id="recent",
                )
        yield Footer()

    def _level(self, progress: dict[str, Any]) -> ComposeResult:
        level = progress["level"]
        yield Static(
            t("tui.home.level", level=t(f"level.{level}") if level else t("progress.level_none")),
            classes="title",
        )
        e = progress["eligibility"]
        if e is None:
            yield Static(t("progress.all_done"))
            return
        yield Static(t("tui.home.next", level=t(f"level.{e['level']}")), classes="section")
        for r in e["requirements"]:
            yield Bars(r["text"], r["have"], r["need"], r["met"])
        if e["eligible"]:
            yield Static(t("tui.home.eligible", level=t(f"level.{e['level']}")), classes="good")

    @staticmethod
    def _attempt_option(a: dict[str, Any]) -> Option:
        score = "  -  " if a["score"] is None else f"{a['score']:5.1f}"
        mark = "✓" if a["passed"] else ("…" if not a["finished"] else "✗")
        when = a["started"][5:16].replace("T", " ")
        return Option(f"{when}  {score} {mark}  {a['scenario']}", id=f"attempt-{a['id']}")

    @on(OptionList.OptionSelected, "#recommended")
    def start(self, event: OptionList.OptionSelected) -> None:
        from qa_sim.tui.screens.conversation import PracticeScreen

        if event.option.id:
            self.app.push_screen(PracticeScreen(event.option.id))

    @on(OptionList.OptionSelected, "#recent")
    def open_attempt(self, event: OptionList.OptionSelected) -> None:
        from qa_sim.tui.screens.scorecard import ScorecardScreen

        if event.option.id and event.option.id.startswith("attempt-"):
            self.app.push_screen(ScorecardScreen.of_attempt(int(event.option.id[8:])))

    def action_exam(self) -> None:
        from qa_sim.exams import NotEligible
        from qa_sim.training import SessionError
        from qa_sim.tui.screens.conversation import ExamScreen

        e = self.progress_data["eligibility"]
        if e is None:
            return
        try:
            run = self.academy.open_exam(self.qa.trainee or "") or self.academy.start_exam(
                self.qa.trainee or "", e["level"]
            )
        except NotEligible as exc:
            from qa_sim.exams import requirement_text

            missing = "; ".join(requirement_text(r) for r in exc.verdict.missing)
            self.notify(missing, title=t("key.exam"), severity="warning")
            return
        except SessionError as exc:
            self.notify(str(exc), severity="error")
            return
        self.app.push_screen(ExamScreen(run))

    resumed_before = False

    def on_screen_resume(self) -> None:
        """Back from practice or an exam: show the new figures."""
        if self.resumed_before:
            self.refresh(recompose=True)
        self.resumed_before = True
