"""The scenario browser: filter by level, category, language and done/not done; search;
preview the persona and the situation; Enter starts practice."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Input, Select, Static

from qa_sim.academy import ScenarioCard
from qa_sim.i18n import t
from qa_sim.tui.app import Footer
from qa_sim.tui.screens.base import BaseScreen

ALL = "*"


class BrowserScreen(BaseScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "key.back"),
        Binding("slash", "search", "/", show=False),
    ]

    def compose(self) -> ComposeResult:
        cards = self.academy.scenario_cards
        self.status = self.academy.scenario_status(self.qa.trainee or "")
        levels = ["junior", "intermediate", "senior"]
        categories = sorted({c.category for c in cards})
        person = self.academy.trainee(self.qa.trainee or "")
        yield Header()
        yield Input(placeholder=t("tui.browser.search"), id="search")
        with Horizontal(id="filters"):
            yield self._select("level", [(t(f"level.{x}"), x) for x in levels])
            yield self._select("category", [(t(f"category.{x}"), x) for x in categories])
            yield self._select(
                "language",
                [("English", "en"), ("中文", "zh-CN")],
                person.locale if person else ALL,
            )
            yield self._select("difficulty", [("●" * n, str(n)) for n in range(1, 6)])
            yield self._select(
                "done",
                [(t("tui.browser.done.todo"), "todo"), (t("tui.browser.done.passed"), "passed")],
            )
        with Horizontal(id="browser"):
            with Vertical(id="browser-list"):
                yield DataTable(id="scenarios", cursor_type="row", zebra_stripes=True)
                yield Static("", id="count", classes="dim")
            yield Static("", id="preview")
        yield Footer()

    def _select(self, name: str, options: list[tuple[str, str]], value: str = ALL) -> Select[str]:
        return Select(
            [(t(f"tui.browser.all_{name}"), ALL), *options],
            value=value,
            allow_blank=False,
            id=name,
        )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key in ("title", "level", "category", "locale", "difficulty", "status"):
            table.add_column(t(f"tui.col.{key}"), key=key)
        self.fill()
        table.focus()

    def matching(self) -> list[ScenarioCard]:
        query = self.query_one("#search", Input).value.strip().lower()
        want = {
            n: self.query_one(f"#{n}", Select).value
            for n in ("level", "category", "language", "difficulty", "done")
        }
        out = []
        for c in self.academy.scenario_cards:
            passed = self.status.get(c.id) == "passed"
            if query and query not in c.title.lower() and query not in c.id:
                continue
            if want["level"] not in (ALL, c.level) or want["category"] not in (ALL, c.category):
                continue
            if want["language"] not in (ALL, c.locale):
                continue
            if want["difficulty"] not in (ALL, str(c.difficulty)):
                continue
            if (want["done"] == "todo" and passed) or (want["done"] == "passed" and not passed):
                continue
            out.append(c)
        return out

    def fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        shown = self.matching()
        for c in shown:
            status = self.status.get(c.id)
            table.add_row(
                c.title,
                t(f"level.{c.level}"),
                t(f"category.{c.category}"),
                c.locale,
                "●" * c.difficulty,
                t(f"tui.status.{status}") if status else "",
                key=c.id,
            )
        total = len(self.academy.scenario_cards)
        self.query_one("#count", Static).update(t("tui.browser.count", n=len(shown), total=total))
        self.preview(shown[0] if shown else None)

    def preview(self, card: ScenarioCard | None) -> None:
        panel = self.query_one("#preview", Static)
        if card is None:
            panel.update("")
            return
        text = Text()
        text.append(card.title + "\n", style="bold")
        text.append(f"{t('level.' + card.level)} · {t('category.' + card.category)} · ")
        text.append(t("tui.preview.difficulty", n=card.difficulty) + "\n\n")
        text.append(
            t("tui.preview.customer", name=card.customer, mood=card.mood) + "\n", style="bold"
        )
        text.append(card.background + "\n\n", style="italic")
        text.append(card.situation)
        if card.tags:
            text.append("\n\n" + "  ".join(f"#{tag}" for tag in card.tags), style="dim")
        panel.update(text)

    @on(Input.Changed, "#search")
    @on(Select.Changed)
    def refilter(self) -> None:
        self.fill()

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        self.preview(next((c for c in self.academy.scenario_cards if c.id == key), None))

    @on(DataTable.RowSelected)
    def selected(self, event: DataTable.RowSelected) -> None:
        from qa_sim.tui.screens.conversation import PracticeScreen

        if event.row_key.value:
            self.app.push_screen(PracticeScreen(event.row_key.value))

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def on_screen_resume(self) -> None:
        if not self.is_mounted:
            return
        self.status = self.academy.scenario_status(self.qa.trainee or "")
        self.fill()
