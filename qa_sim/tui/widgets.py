"""Widgets of the app: they render what they are given and post messages; no services."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static, TextArea

from qa_sim.i18n import t


def clock_text(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class ReplyBox(TextArea):
    """The trainee's reply: Enter sends, Ctrl+J (or Shift+Enter where the terminal tells
    them apart) starts a new line."""

    class Submitted(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, **kwargs: object) -> None:
        super().__init__(soft_wrap=True, show_line_numbers=False, **kwargs)  # type: ignore[arg-type]
        self.placeholder = t("tui.chat.placeholder")

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            text = self.text.strip()
            if text:
                self.post_message(self.Submitted(text))
            return
        if event.key in ("ctrl+j", "shift+enter"):
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        await super()._on_key(event)


class Bubble(Static):
    """One message of the chat."""

    def __init__(self, who: str, text: str, role: str, index: int) -> None:
        super().__init__(classes=f"bubble {role}")
        self.who = who
        self.body = text
        self.index = index
        self.spans: list[tuple[int, int]] = []

    def render(self) -> Text:
        out = Text()
        out.append(self.who + "\n", style="bold")
        body = Text(self.body)
        for start, end in self.spans:
            body.stylize("reverse", start, end)
        out.append_text(body)
        return out

    def highlight(self, spans: list[tuple[int, int]]) -> None:
        self.spans = spans
        self.set_class(bool(spans), "marked")
        self.refresh()


class ChatLog(VerticalScroll):
    """The conversation as chat bubbles: customer on the left, trainee on the right."""

    def add(self, who: str, text: str, role: str, index: int) -> Bubble:
        bubble = Bubble(who, text, role, index)
        self.mount(bubble)
        self.scroll_end(animate=False)
        return bubble

    def highlight(self, evidence: dict[int, list[tuple[int, int]]]) -> None:
        first: Bubble | None = None
        for bubble in self.query(Bubble):
            spans = evidence.get(bubble.index, [])
            bubble.highlight(spans)
            if spans and first is None:
                first = bubble
        if first is not None:
            self.scroll_to_widget(first, animate=False)


class MoodMeter(Static):
    """The customer's mood, 0-10, as a bar that moves after each reply."""

    mood: reactive[int] = reactive(5)
    change: reactive[int] = reactive(0)

    def render(self) -> Text:
        filled = max(0, min(10, self.mood))
        style = "red" if filled <= 3 else ("yellow" if filled <= 6 else "green")
        out = Text(f"{t('tui.chat.mood')} ")
        out.append("█" * filled, style=style)
        out.append("░" * (10 - filled), style="dim")
        out.append(f" {filled}/10")
        if self.change:
            out.append(f" {self.change:+d}", style="bold green" if self.change > 0 else "bold red")
        return out


class Timers(Static):
    """Time to first response, handling time and, in an exam, the time left."""

    first: reactive[float | None] = reactive(None)
    handling: reactive[float | None] = reactive(None)
    left: reactive[float | None] = reactive(None)

    def render(self) -> str:
        parts = [
            t("tui.chat.first", secs=clock_text(self.first)),
            t("tui.chat.handling", secs=clock_text(self.handling)),
        ]
        if self.left is not None:
            parts.append(t("tui.chat.left", secs=clock_text(self.left)))
        return "\n".join(parts)


class FeedbackBar(Static):
    """What the last reply earned: ✓ met, ✗ violated, and what is still missing."""

    def show(
        self,
        met: Sequence[str],
        violated: Sequence[str],
        missing: Sequence[str],
        titles: dict[str, str],
    ) -> None:
        out = Text(t("tui.chat.feedback") + " ")
        for cid in met:
            out.append(f"✓ {titles.get(cid, cid)}  ", style="green")
        for cid in violated:
            out.append(f"✗ {titles.get(cid, cid)}  ", style="bold red")
        for cid in missing:
            out.append(f"· {titles.get(cid, cid)}  ", style="dim")
        if not (met or violated):
            out.append(t("tui.chat.nothing"), style="dim")
        self.update(out)


class Bars(Vertical):
    """A labelled progress bar made of text (works in any terminal, any width): the
    requirement on one line, its bar under it."""

    def __init__(self, label: str, have: float, need: float, met: bool) -> None:
        super().__init__(classes="requirement")
        self.label = label
        self.have = have
        self.need = need
        self.met = met

    def compose(self) -> ComposeResult:
        width = 20
        share = 1.0 if self.need <= 0 else min(1.0, self.have / self.need)
        filled = width if self.met else round(width * share)
        bar = Text("█" * filled, style="green" if self.met else "yellow")
        bar.append("░" * (width - filled), style="dim")
        yield Static(("✓ " if self.met else "✗ ") + self.label, classes="label")
        yield Static(bar, classes="bar")
