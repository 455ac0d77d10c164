"""The services the app's screens call: profiles, scenarios, practice, exams, progress,
history, and the QA lead's views. One object, built once, handed to the app.

Screens never touch the store or the scorer directly; everything goes through
here and through `TrainingSession` / `ExamRun`, which record every turn.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa_sim.errors import SessionError

if TYPE_CHECKING:
    from qa_sim.diagnostics import Diagnostic
    from qa_sim.exams import ExamRun
    from qa_sim.library import ContentLibrary
    from qa_sim.progress.records import Attempt, Trainee
    from qa_sim.progress.reports import CohortRow
    from qa_sim.progress.store import Store
    from qa_sim.progress.track import Track
    from qa_sim.scoring.scorecard import Scorecard
    from qa_sim.training import Clock, TrainingSession


@dataclass(frozen=True)
class ScenarioCard:
    """What the scenario browser lists and previews."""

    id: str
    title: str
    locale: str
    level: str
    category: str
    difficulty: int
    tags: tuple[str, ...]
    situation: str
    customer: str
    background: str
    mood: int
    path: str


def utc_now() -> datetime:
    return datetime.now(UTC)


class Academy:
    def __init__(
        self,
        library: ContentLibrary | Callable[[], ContentLibrary],
        db_path: Path | str | None = None,
        *,
        clock: Clock = utc_now,
        track_id: str | None = None,
        seed: int | None = None,
    ) -> None:
        self._library = library  # or how to make it: the app starts before content is read
        self._lock = threading.Lock()
        self._store_lock = threading.Lock()
        self.db_path = db_path
        self.clock = clock
        self.track_id = track_id
        self.seed = seed  # fixed seeds for tests and screenshots; None: vary per attempt

    @property
    def library(self) -> ContentLibrary:
        """The content library, read once (the app warms it up in the background)."""
        with self._lock:
            if callable(self._library):
                self._library = self._library()
            return self._library.load()

    @cached_property
    def store(self) -> Store:
        with self._store_lock:
            from qa_sim.progress.store import Store

            return Store.open(self.db_path)

    def warm_up(self, locale: str | None = None) -> None:
        """Open the database, read the content and load the scorer for one language ahead
        of need (the app runs this in a worker once a trainee is chosen). One language at
        a time keeps memory down: Chinese word segmentation alone takes some 60 MB."""
        from qa_sim.scoring.text import warm_up

        self.store.trainees()
        library = self.library
        if locale is None:
            return
        for rubric in library.rubrics:
            library.engine(rubric).book(locale)
        warm_up((locale,))

    @cached_property
    def track(self) -> Track:
        from qa_sim.tracks import find_track

        return find_track(self.library, self.track_id)

    # -- profiles -------------------------------------------------------------------

    def trainees(self) -> list[Trainee]:
        return self.store.trainees()

    def trainee(self, name: str) -> Trainee | None:
        return self.store.trainee(name)

    def add_trainee(self, name: str, display_name: str, locale: str) -> Trainee:
        from qa_sim.progress.errors import StoreError

        try:
            return self.store.add_trainee(name, display_name or name, locale, now=self.clock())
        except StoreError as exc:
            raise SessionError(str(exc)) from None

    def set_locale(self, name: str, locale: str) -> None:
        self.store.update_trainee(name, locale=locale)

    # -- scenarios ----------------------------------------------------------------------

    @cached_property
    def scenario_cards(self) -> list[ScenarioCard]:
        from qa_sim.scenarios.runtime import ScenarioRuntime, tidy

        cards = []
        for loaded in self.library.scenarios():
            s = loaded.scenario
            if s is None or any(d.severity == "error" for d in loaded.diagnostics):
                continue
            try:
                runtime = ScenarioRuntime.start(
                    loaded.compiled(), seed=1, today=self.clock().date()
                )
                situation = tidy(
                    loaded.compiled().template(s.situation)(runtime.template_context())
                )
            except Exception:  # a template problem shows as the raw text; validate reports it
                situation = s.situation
            cards.append(
                ScenarioCard(
                    s.id,
                    s.title,
                    s.locale,
                    s.level,
                    s.category,
                    s.difficulty,
                    tuple(s.tags),
                    situation.strip(),
                    s.customer.name,
                    (s.customer.background or "").strip(),
                    s.customer.mood,
                    loaded.path,
                )
            )
        order = {"junior": 0, "intermediate": 1, "senior": 2}
        return sorted(cards, key=lambda c: (order.get(c.level, 9), c.locale, c.difficulty, c.id))

    def scenario_status(self, name: str) -> dict[str, str]:
        """Scenario id -> "passed", "tried" or "open" (an unfinished attempt) for a trainee."""
        status: dict[str, str] = {}
        for a in self.store.attempts(name, mode="practice"):
            sid = a.start.scenario_id
            if a.passed:
                status[sid] = "passed"
            elif not a.finished:
                status.setdefault(sid, "open")
            else:
                status.setdefault(sid, "tried")
        return status

    # -- practice and exams -----------------------------------------------------------------

    def practice(self, name: str, scenario_id: str, *, restart: bool = False) -> TrainingSession:
        """The trainee's practice session: the unfinished one resumed, else a new one."""
        from qa_sim.training import TrainingSession

        open_attempt = self.store.open_attempt(name, scenario_id)
        if open_attempt is not None:
            session = TrainingSession.resume(
                self.library, self.store, open_attempt.id, clock=self.clock
            )
            if not restart:
                return session
            session.abandon()
        return TrainingSession.start(
            self.library,
            scenario_id,
            seed=self.seed if self.seed is not None else _fresh_seed(),
            clock=self.clock,
            store=self.store,
            trainee=name,
        )

    def open_exam(self, name: str) -> ExamRun | None:
        from qa_sim.exams import ExamRun

        exam = self.store.open_exam(name)
        return (
            None
            if exam is None
            else ExamRun.resume(self.library, self.store, self.track, exam, self.clock)
        )

    def start_exam(self, name: str, level: str) -> ExamRun:
        from qa_sim.exams import ExamRun

        return ExamRun.start(
            self.library, self.store, self.track, name, level, clock=self.clock, seed=self.seed
        )

    # -- progress and history -------------------------------------------------------------------

    def progress(self, name: str) -> dict[str, Any]:
        from qa_sim.exams import progress_summary

        return progress_summary(self.library, self.store, self.track, name, self.clock())

    def score_history(self, name: str) -> list[tuple[datetime, float]]:
        from qa_sim.progress.reports import score_history

        return score_history(self.store, name)

    def recommended(
        self, name: str, progress: dict[str, Any], limit: int = 3
    ) -> list[ScenarioCard]:
        """Scenarios of the level being worked on, in the trainee's language, not passed yet;
        those graded by a rubric that weighs the weakest criterion come first."""
        person = self.trainee(name)
        level = progress.get("next_level") or progress.get("level") or "junior"
        status = self.scenario_status(name)
        weakest = {w["criterion"] for w in progress.get("weakest", [])}
        emotional = bool(weakest & {"apology", "empathy"})
        pool = [
            c
            for c in self.scenario_cards
            if c.level == level and status.get(c.id) != "passed"
            and (person is None or c.locale == person.locale)
        ]  # fmt: skip
        pool.sort(key=lambda c: (not (emotional and c.category == "complaint"), c.difficulty, c.id))
        return pool[:limit]

    def history(self, name: str, limit: int = 200) -> list[Attempt]:
        return self.store.attempts(name, limit=limit)

    def replay(self, attempt_id: int) -> tuple[TrainingSession, Scorecard]:
        """A stored attempt as a session (read-only) and its scorecard, for the history."""
        from qa_sim.training import TrainingSession

        session = TrainingSession.replay(self.library, self.store, attempt_id, clock=self.clock)
        return session, session.scorecard()

    # -- the QA lead's area -------------------------------------------------------------------------

    def validate_content(self) -> list[Diagnostic]:
        paths = [
            p for f in self.library.folders for p in (f / "scenarios", f / "rubrics") if p.is_dir()
        ]
        diags, _ = self.library.validate(paths)
        return diags

    def cohort(self, cohort: str | None = None) -> list[CohortRow]:
        from qa_sim.progress.reports import cohort_report

        return cohort_report(self.store, self.track, self.clock(), cohort)


def _fresh_seed() -> int:
    import secrets

    return secrets.randbelow(10_000) + 1


def grade_file(
    library: ContentLibrary, path: str, rubric: str = "standard", lang: str = "en"
) -> Iterator[tuple[int, int, dict[str, Any] | str]]:
    """Grade a transcripts file one conversation at a time: yields (done, total, row or the
    rejected line's message), so a screen can show progress as it goes."""
    from qa_sim.scoring.batch import result_row
    from qa_sim.scoring.transcripts import BadLine, count_lines, read_transcripts

    engine = library.engine(rubric)
    total = count_lines(path) if path.endswith((".jsonl", ".json")) else 0
    for done, item in enumerate(read_transcripts(path), start=1):
        if isinstance(item, BadLine):
            yield done, max(total, done), f"{path}:{item.line}: {item.message}"
        else:
            yield done, max(total, done), result_row(engine, item, lang)
