"""The conversation: practice (hints, notes, live feedback) and exams (a countdown, none of
those, a confirmation before leaving). Replies are scored and stored in a worker thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Header, Input, Label, Markdown, Static

from qa_sim.i18n import get_language, t
from qa_sim.training import SessionError, SessionTurn, TimeUp, TrainingSession
from qa_sim.tui.app import Footer
from qa_sim.tui.screens.base import BaseScreen
from qa_sim.tui.widgets import ChatLog, FeedbackBar, MoodMeter, ReplyBox, Timers

if TYPE_CHECKING:
    from qa_sim.exams import ExamRun

COURTESY = ("greeting", "apology", "empathy", "needs_question", "thanks", "closing")


class ConversationScreen(BaseScreen):
    """One scenario's conversation; subclasses say where the session comes from."""

    BINDINGS = [
        # the reply box (a TextArea) takes F5-F7 and most Ctrl letters; these are free
        Binding("ctrl+g", "hint", "key.hint", priority=True),
        Binding("ctrl+n", "notes", "key.kb", priority=True),
        Binding("ctrl+b", "feedback", "key.feedback", priority=True),
        Binding("escape", "leave", "key.back"),
    ]
    show_feedback = True
    session: TrainingSession | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="conversation"):
            with Vertical(id="chat-column"):
                yield ChatLog(id="chat")
                yield FeedbackBar("", id="feedback")
                yield ReplyBox(id="reply")
            with Vertical(id="side"):
                yield MoodMeter(id="mood")
                yield Timers(id="timers")
                yield Static("", id="about")
                yield Static("", id="hint", classes="hint")
                with Vertical(id="notes", classes="hidden"):
                    yield Static(t("tui.kb.title"), classes="section")
                    yield Input(placeholder=t("tui.kb.search"), id="kb-search")
                    with VerticalScroll(id="kb-body"):
                        yield Markdown("", id="kb")
        yield Footer()

    # -- the session ----------------------------------------------------------------

    def show(self, session: TrainingSession) -> None:
        """Display a (new or resumed) session from its transcript."""
        self.session = session
        chat = self.query_one(ChatLog)
        chat.remove_children()
        for i, u in enumerate(session.state.transcript):
            self._bubble(u.role, u.text, i)
        mood = self.query_one(MoodMeter)
        mood.mood, mood.change = session.state.mood, 0
        s = session.scenario
        about = Text(s.title + "\n", style="bold")
        about.append(t("tui.preview.customer", name=s.customer.name, mood=s.customer.mood))
        self.query_one("#about", Static).update(about)
        self.query_one("#hint", Static).update("")
        self.query_one(FeedbackBar).display = self.show_feedback and session.live_feedback
        self.query_one(FeedbackBar).update("")
        self._notes("")
        reply = self.query_one(ReplyBox)
        reply.disabled = session.finished
        reply.clear()
        reply.focus()
        self.tick()

    def _bubble(self, role: str, text: str, index: int) -> None:
        assert self.session is not None
        who = self.session.scenario.customer.name if role == "customer" else t("tui.chat.you")
        self.query_one(ChatLog).add(who, text, role, index)

    def on_mount(self) -> None:
        if self.qa.live_timers:
            self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        session = self.session
        if session is None:
            return
        timers = self.query_one(Timers)
        times = [x for x in session.times if x is not None]
        now = session.clock()
        if len(times) >= 2:
            timers.first = (times[1] - times[0]).total_seconds()
        if times:
            end = times[-1] if session.finished else now
            timers.handling = (end - times[0]).total_seconds()
        timers.left = session.time_left()

    @on(ReplyBox.Submitted)
    def send(self, event: ReplyBox.Submitted) -> None:
        session = self.session
        if session is None or session.finished:
            self.after_end()
            return
        box = self.query_one(ReplyBox)
        box.disabled = True
        self._bubble("agent", event.text, len(session.state.transcript))
        self.submit(event.text)

    @work(thread=True, exclusive=True, group="reply")
    def submit(self, text: str) -> None:
        assert self.session is not None
        try:
            turn = self.session.submit(text)
        except TimeUp as exc:
            self.app.call_from_thread(self.timed_out, str(exc))
            return
        except SessionError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.answered, turn)

    def answered(self, turn: SessionTurn) -> None:
        session = self.session
        assert session is not None
        result = turn.result
        if result.line:
            self._bubble("customer", result.line, len(session.state.transcript) - 1)
        mood = self.query_one(MoodMeter)
        mood.mood, mood.change = result.mood_after, result.mood_after - result.mood_before
        if session.live_feedback and self.show_feedback:
            self._feedback(turn)
        self.query_one("#hint", Static).update("")
        self.tick()
        box = self.query_one(ReplyBox)
        box.clear()
        if result.ended:
            self.query_one(FeedbackBar).update(t("tui.chat.ended"))
            self.query_one(FeedbackBar).display = True
            self.after_end()
        else:
            box.disabled = False
            box.focus()

    def _feedback(self, turn: SessionTurn) -> None:
        session = self.session
        assert session is not None
        titles = {c.id: c.title.get(get_language()) for c in session.engine.rubric.criteria}
        shown = {c for v in session.verdicts for c in v.met}
        ids = set(session.engine.rubric.criterion_ids())
        met = [c for c in COURTESY if c in turn.verdict.met]
        met += sorted(turn.verdict.did)
        missing = [
            c
            for c in ("needs_question", "empathy")
            if c in ids and c not in shown and c not in session.scenario.na
        ]
        bar = self.query_one(FeedbackBar)
        bar.show(
            met,
            sorted(turn.verdict.violated),
            missing,
            {**titles, **{s.id: s.title for s in session.scenario.steps}},
        )

    def timed_out(self, message: str) -> None:
        self.notify(message, severity="warning")
        self.after_end()

    def after_end(self) -> None:
        """What comes after a conversation ends (subclasses decide)."""

    # -- practice helpers -----------------------------------------------------------------

    def action_hint(self) -> None:
        session = self.session
        if session is None:
            return
        hints = session.hints()
        text = (
            "\n".join(t("tui.chat.hint", hint=h) for h in hints) if hints else t("tui.chat.no_hint")
        )
        self.query_one("#hint", Static).update(text)

    def action_feedback(self) -> None:
        self.show_feedback = not self.show_feedback
        bar = self.query_one(FeedbackBar)
        bar.display = True
        if not self.show_feedback:
            bar.update(t("tui.chat.feedback_off"))

    def notes_allowed(self) -> bool:
        return True

    def action_notes(self) -> None:
        panel = self.query_one("#notes")
        panel.toggle_class("hidden")
        if not panel.has_class("hidden"):
            self.query_one("#kb-search", Input).focus()

    @on(Input.Changed, "#kb-search")
    def search_notes(self, event: Input.Changed) -> None:
        self._notes(event.value)

    def _notes(self, query: str) -> None:
        session = self.session
        if session is None:
            return
        md = self.query_one("#kb", Markdown)
        if not self.notes_allowed():
            md.update(t("tui.kb.locked"))
            return
        context = session.runtime.template_context()
        parts = []
        for note in session.scenario.knowledge:
            title = session.compiled.template(note.title)(context)
            body = session.compiled.template(note.text)(context)
            if query.lower() in (title + body).lower():
                parts.append(f"### {title}\n\n{body}")
        md.update("\n\n".join(parts))

    def action_leave(self) -> None:
        self.app.pop_screen()


class PracticeScreen(ConversationScreen):
    def __init__(self, scenario_id: str, *, restart: bool = False) -> None:
        super().__init__()
        self.scenario_id = scenario_id
        self.restart = restart

    def on_mount(self) -> None:
        try:
            session = self.academy.practice(
                self.qa.trainee or "", self.scenario_id, restart=self.restart
            )
        except SessionError as exc:
            self.notify(str(exc), severity="error")
            self.app.pop_screen()
            return
        self.show(session)

    def after_end(self) -> None:
        from qa_sim.tui.screens.scorecard import ScorecardScreen

        if self.session is not None:
            self.app.switch_screen(ScorecardScreen(self.session))


class ExamScreen(ConversationScreen):
    """An exam: its scenarios one after another, no hints or feedback, a countdown."""

    BINDINGS = [
        Binding("ctrl+n", "notes", "key.kb", priority=True),
        Binding("escape", "leave", "key.back"),
    ]
    show_feedback = False

    def __init__(self, run: ExamRun) -> None:
        super().__init__()
        self.run = run

    def on_mount(self) -> None:
        self.title = t("tui.exam.title", level=t(f"level.{self.run.exam.level}"))
        self.next_scenario()

    def notes_allowed(self) -> bool:
        return self.run.rules.exam.knowledge

    def next_scenario(self) -> None:
        try:
            session = self.run.next_session()
        except SessionError as exc:
            self.notify(str(exc), severity="error")
            session = None
        if session is None:
            self.finish()
            return
        self.show(session)
        done, total = self.run.position()
        self.sub_title = t("exam.scenario", i=done + 1, n=total)

    def tick(self) -> None:
        super().tick()
        if self.session is not None and not self.session.finished:
            try:
                self.session.check_time()
            except TimeUp as exc:
                self.timed_out(str(exc))

    def after_end(self) -> None:
        self.next_scenario()

    @work(thread=True, exclusive=True, group="exam")
    def finish(self) -> None:
        result = self.run.finish()
        self.app.call_from_thread(self.show_result, result)

    def show_result(self, result: object) -> None:
        from qa_sim.tui.screens.scorecard import ExamResultScreen

        self.app.switch_screen(ExamResultScreen(result))

    def action_hint(self) -> None:
        return

    def action_leave(self) -> None:
        def leave(confirmed: bool | None) -> None:
            if confirmed:
                self.app.pop_screen()

        self.app.push_screen(ConfirmLeave(), leave)


class ConfirmLeave(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "stay", "key.back")]

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Label(t("tui.exam.confirm"))
            with Horizontal():
                yield Button(t("tui.no"), id="stay", variant="primary")
                yield Button(t("tui.yes"), id="leave", variant="error")

    @on(Button.Pressed, "#leave")
    def leave(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#stay")
    def action_stay(self) -> None:
        self.dismiss(False)
