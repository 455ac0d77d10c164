"""The QA lead's area: content validation, the cohort table, grading a transcripts file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import (
    Button,
    DataTable,
    Header,
    Input,
    ProgressBar,
    Static,
    TabbedContent,
    TabPane,
)

from qa_sim.i18n import get_language, t
from qa_sim.tui.app import Footer
from qa_sim.tui.screens.base import BaseScreen


class LeadScreen(BaseScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "key.back")]

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="lead"):
            with TabPane(t("tui.lead.validation"), id="tab-content"):
                yield Static("", id="validation-summary")
                yield DataTable(id="validation", cursor_type="row")
            with TabPane(t("tui.lead.cohort"), id="tab-cohort"):
                yield DataTable(id="cohort", cursor_type="row", zebra_stripes=True)
            with TabPane(t("tui.lead.grade"), id="tab-grade"):
                with Horizontal(id="grade-form"):
                    yield Input(placeholder=t("tui.lead.grade_path"), id="grade-path")
                    yield Button(t("tui.lead.grade_go"), id="grade-go", variant="primary")
                    yield Button(t("tui.lead.export"), id="grade-export", disabled=True)
                yield ProgressBar(id="grade-progress", show_eta=False)
                yield Static("", id="grade-summary")
                yield DataTable(id="graded", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.load()

    @work(thread=True, exclusive=True, group="lead")
    def load(self) -> None:
        diags = self.academy.validate_content()
        cohort = self.academy.cohort()
        self.app.call_from_thread(self.show, diags, cohort)

    def show(self, diags: list[Any], cohort: list[Any]) -> None:
        table = self.query_one("#validation", DataTable)
        table.add_columns(t("tui.col.where"), "", t("tui.col.code"), t("tui.col.message"))
        for d in diags:
            table.add_row(f"{d.path}:{d.line}:{d.col}", d.severity, d.code, d.message)
        errors = sum(d.severity == "error" for d in diags)
        summary = t("validate.summary", files="…", errors=errors, warnings=len(diags) - errors)
        self.query_one("#validation-summary", Static).update(
            summary if diags else t("tui.lead.clean")
        )
        people = self.query_one("#cohort", DataTable)
        for key in ("trainee", "level", "attempts", "average", "weakest", "last"):
            people.add_column(t(f"report.col.{key}"), key=key)
        for r in cohort:
            people.add_row(*r.cells())

    @on(Button.Pressed, "#grade-go")
    @on(Input.Submitted, "#grade-path")
    def start_grading(self) -> None:
        path = self.query_one("#grade-path", Input).value.strip()
        if not path or not Path(path).is_file():
            self.notify(t("tui.lead.no_file", path=path), severity="error")
            return
        table = self.query_one("#graded", DataTable)
        table.clear(columns=True)
        table.add_columns(
            t("tui.col.id"), t("grade.col.score"), t("grade.col.result"), t("grade.col.missed")
        )
        self.rows = []
        self.grade(path)

    @work(thread=True, exclusive=True, group="grade")
    def grade(self, path: str) -> None:
        from qa_sim.academy import grade_file

        bad = 0
        for done, total, row in grade_file(self.academy.library, path, lang=get_language()):
            if isinstance(row, str):
                bad += 1
                self.app.call_from_thread(self.notify, row, severity="warning")
            else:
                self.app.call_from_thread(self.add_graded, row)
            self.app.call_from_thread(
                self.query_one(ProgressBar).update, total=total, progress=done
            )
        self.app.call_from_thread(self.graded, bad)

    def add_graded(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        missed = [
            c["id"] for c in row["criteria"] if c["status"] in ("missed", "partial", "failed")
        ]
        result = t("grade.pass") if row["passed"] else t("grade.fail")
        self.query_one("#graded", DataTable).add_row(
            row["id"], f"{row['score']:.1f}", result, ", ".join(missed)
        )

    def graded(self, bad: int) -> None:
        self.query_one("#grade-summary", Static).update(
            t("tui.lead.graded", n=len(self.rows), bad=bad)
        )
        self.query_one("#grade-export", Button).disabled = not self.rows

    @on(Button.Pressed, "#grade-export")
    def export(self) -> None:
        source = Path(self.query_one("#grade-path", Input).value.strip())
        target = source.with_name(source.stem + ".graded.csv")
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "score", "passed", "critical_failed", "missed"])
            for r in self.rows:
                missed = [
                    c["id"] for c in r["criteria"] if c["status"] in ("missed", "partial", "failed")
                ]
                writer.writerow(
                    [r["id"], r["score"], r["passed"], r["critical_failed"] or "", ";".join(missed)]
                )
        self.notify(t("tui.lead.exported", path=str(target)))
