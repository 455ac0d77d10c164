"""A training session: the dialogue runtime, the scorer and the store, as one API.

The CLI and the TUI both drive conversations through `TrainingSession`; they
never touch the runtime, the scorer or the store directly. Each reply is scored
live; the findings become the facts the scenario's branches read (`said.*`,
`met.*`, `violated.*`, `did.*`), and, in practice mode, the trainee's feedback.

With a store, every turn is committed as it happens together with the
conversation state (`Recording`), so an attempt resumes after a crash exactly
where it stopped; exam sessions add the time limits (whole exam, per reply).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from qa_sim.errors import SessionError, TimeUp
from qa_sim.library import ContentLibrary
from qa_sim.progress.errors import StoreError
from qa_sim.progress.records import AttemptStart, TurnRecord
from qa_sim.recording import (
    ENGINE_VERSION,
    Recording,
    file_hash,
    findings_json,
    result_from,
    rubric_hash,
)
from qa_sim.scenarios.loader import LoadedScenario
from qa_sim.scenarios.runtime import CompiledScenario, ReplyFacts, ScenarioRuntime, TurnResult
from qa_sim.scoring.engine import (
    LiveVerdict,
    ReplyFindings,
    RubricEngine,
    ScoringContext,
    StepSpec,
    Turn,
)
from qa_sim.scoring.phrases import PatternError, PhraseBook, PhraseSpec
from qa_sim.scoring.scorecard import Scorecard

if TYPE_CHECKING:
    from qa_sim.progress.store import Store

__all__ = ["SessionError", "TimeUp", "TrainingSession"]

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Limits:
    """Exam time limits: the exam's deadline and the longest wait for one reply."""

    deadline: datetime | None = None
    reply_seconds: float | None = None


@dataclass(frozen=True)
class SessionTurn:
    """What one reply did: the customer's answer, the facts found, the live verdict."""

    result: TurnResult
    facts: ReplyFacts
    verdict: LiveVerdict


def engine_for(library: ContentLibrary, rubric_id: str) -> RubricEngine:
    if rubric_id not in library.rubrics:
        raise SessionError(f"rubric '{rubric_id}' is not in the content library")
    return library.engine(rubric_id)


@lru_cache(maxsize=256)
def said_book(compiled: CompiledScenario) -> PhraseBook:
    """The scenario's own phrase sets, compiled once per compiled scenario."""
    return PhraseBook(
        PhraseSpec(name, tuple(p.patterns), p.question, p.negatable, tuple(p.unless))
        for name, p in compiled.scenario.phrases.items()
    )


class TrainingSession:
    """One trainee conversation with one scenario."""

    def __init__(
        self,
        compiled: CompiledScenario,
        engine: RubricEngine,
        runtime: ScenarioRuntime,
        *,
        mode: str = "practice",
        timed: bool = True,
        clock: Clock = utc_now,
        limits: Limits | None = None,
    ) -> None:
        self.compiled = compiled
        self.scenario = compiled.scenario
        self.engine = engine
        self.runtime = runtime
        self.mode = mode
        self.timed = timed
        self.clock = clock
        self.said_book = said_book(compiled)
        self.steps = tuple(StepSpec(s.id, s.title, tuple(s.patterns)) for s in self.scenario.steps)
        self.times: list[datetime | None] = []
        self.verdicts: list[LiveVerdict] = []
        self.saids: list[frozenset[str]] = []
        self.limits = limits or Limits()
        self.recording: Recording | None = None
        compiled.prepare()  # templates and conditions, once per scenario
        engine.book(self.scenario.locale)  # compile now, not on the first reply
        if self.steps:
            engine.steps_book(self.steps)
        self._stamp_new_lines()

    # -- starting ---------------------------------------------------------

    @classmethod
    def start(
        cls,
        library: ContentLibrary,
        scenario: str | LoadedScenario,
        *,
        seed: int = 1,
        mode: str = "practice",
        timed: bool = True,
        clock: Clock = utc_now,
        today: date | None = None,
        store: Store | None = None,
        trainee: str | None = None,
        exam_id: int | None = None,
        limits: Limits | None = None,
    ) -> TrainingSession:
        """A new conversation; with a store and a trainee, recorded as an attempt."""
        loaded = library.find_scenario(scenario) if isinstance(scenario, str) else scenario
        errors = [d for d in loaded.diagnostics if d.severity == "error"]
        if loaded.scenario is None or errors:
            first = errors[0].render() if errors else loaded.path
            raise SessionError(
                f"the scenario has errors; run `qa-sim validate {loaded.path}` ({first})"
            )
        compiled = loaded.compiled()
        engine = engine_for(library, loaded.scenario.rubric)
        runtime = ScenarioRuntime.start(compiled, seed=seed, today=today or clock().date())
        try:
            session = cls(
                compiled, engine, runtime, mode=mode, timed=timed, clock=clock, limits=limits
            )
        except PatternError as exc:
            raise SessionError(
                f"{loaded.path}: {exc.message}; run `qa-sim validate {loaded.path}`"
            ) from None
        if store is not None and trainee is not None:
            start = AttemptStart(
                trainee=trainee,
                scenario_id=loaded.scenario.id,
                level=loaded.scenario.level,
                locale=loaded.scenario.locale,
                mode=mode,
                seed=seed,
                scenario_hash=file_hash([loaded.path]),
                rubric_id=loaded.scenario.rubric,
                rubric_hash=rubric_hash(library, loaded.scenario.rubric),
                engine_version=ENGINE_VERSION,
                started=session.times[0] or clock(),
                exam_id=exam_id,
            )
            try:
                session.recording = Recording.begin(
                    store, start, session.turn_records(), runtime.state.to_json()
                )
            except StoreError as exc:
                raise SessionError(str(exc)) from None
        return session

    @classmethod
    def resume(
        cls,
        library: ContentLibrary,
        store: Store,
        attempt_id: int,
        *,
        clock: Clock = utc_now,
        limits: Limits | None = None,
    ) -> TrainingSession:
        """Continue a stored, unfinished attempt exactly where it stopped."""
        session = cls.replay(library, store, attempt_id, clock=clock, limits=limits)
        if session.runtime.state.outcome is not None or store.attempt(attempt_id).finished:
            raise SessionError(f"attempt {attempt_id} has ended; start a new one")
        session.recording = Recording(store, attempt_id, len(store.turns(attempt_id)))
        return session

    @classmethod
    def replay(
        cls,
        library: ContentLibrary,
        store: Store,
        attempt_id: int,
        *,
        engine: RubricEngine | None = None,
        clock: Clock = utc_now,
        limits: Limits | None = None,
    ) -> TrainingSession:
        """A stored attempt as a session (not recording): to resume it, or to grade it again
        with another rubric (`engine`)."""
        try:
            attempt = store.attempt(attempt_id)
        except StoreError as exc:
            raise SessionError(str(exc)) from None
        try:
            loaded = library.find_scenario(attempt.start.scenario_id)
        except LookupError as exc:
            raise SessionError(f"attempt {attempt_id}: {exc}") from None
        if loaded.scenario is None:
            raise SessionError(f"attempt {attempt_id}: run `qa-sim validate {loaded.path}`")
        compiled = loaded.compiled()
        try:
            runtime = ScenarioRuntime.resume(compiled, attempt.state_json)
        except (ValueError, KeyError, TypeError) as exc:
            raise SessionError(
                f"attempt {attempt_id}: its saved state does not fit the scenario as it is now "
                f"({exc}); start again with --restart"
            ) from None
        engine = engine or engine_for(library, loaded.scenario.rubric)
        turns = store.turns(attempt_id)
        session = cls(
            compiled, engine, runtime, mode=attempt.start.mode, clock=clock, limits=limits
        )
        session.times = [t.at for t in turns]
        session.timed = any(t.at is not None for t in turns)
        session._stamp_new_lines()
        for i, utterance in enumerate(runtime.state.transcript):
            if utterance.role == "agent":  # the live findings again, from the reply's text
                findings = engine.reply(utterance.text, session.locale, i, session.context())
                session.verdicts.append(engine.live(findings))
                session.saids.append(session._said(findings))
        return session

    @property
    def attempt_id(self) -> int | None:
        return self.recording.attempt_id if self.recording else None

    # -- the conversation ---------------------------------------------------

    @property
    def locale(self) -> str:
        return self.scenario.locale

    @property
    def finished(self) -> bool:
        return self.runtime.finished

    @property
    def state(self):  # type: ignore[no-untyped-def]
        return self.runtime.state

    def context(self) -> ScoringContext:
        details = [self.scenario.customer.name] + [
            str(v)
            for v in self.runtime.state.variables.values()
            if isinstance(v, str) and any(c.isdigit() for c in v)
        ]
        na = frozenset([*self.scenario.na, *self.runtime.state.na])
        return ScoringContext(steps=self.steps, na=na, details=tuple(details))

    def submit(self, reply: str) -> SessionTurn:
        reply = reply.strip()
        if not reply:
            raise SessionError("an empty reply cannot be sent")
        if self.finished:
            raise SessionError("the conversation has ended")
        self.check_time()
        turn_index = len(self.runtime.state.transcript)
        findings = self.engine.reply(reply, self.locale, turn_index, self.context())
        verdict = self.engine.live(findings)
        said = self._said(findings)
        facts = ReplyFacts(said=said, met=verdict.met, violated=verdict.violated, did=verdict.did)
        self.times.append(self.clock() if self.timed else None)
        result = self.runtime.submit(reply, facts)
        self.verdicts.append(verdict)
        self.saids.append(said)
        self._stamp_new_lines()
        self._save()
        if self.finished:
            self.close()
        return SessionTurn(result, facts, verdict)

    def _said(self, findings: ReplyFindings) -> frozenset[str]:
        return frozenset(
            n
            for n, hits in self.said_book.find(findings.analysis).items()
            if any(h.counts for h in hits)
        )

    # -- time limits ----------------------------------------------------------

    def time_left(self) -> float | None:
        """Seconds to the exam's deadline (None when there is none)."""
        if self.limits.deadline is None:
            return None
        return (self.limits.deadline - self.clock()).total_seconds()

    def reply_time_left(self) -> float | None:
        if self.limits.reply_seconds is None or not self.times or self.times[-1] is None:
            return None
        waited = (self.clock() - self.times[-1]).total_seconds()
        return self.limits.reply_seconds - waited

    def check_time(self) -> None:
        """Close the attempt if a limit ran out (raises TimeUp); otherwise nothing."""
        if self.finished:
            return
        left = self.time_left()
        if left is not None and left < 0:
            self.close("timeout")
            raise TimeUp("the exam's time ran out; graded on what was answered", "exam_time")
        reply_left = self.reply_time_left()
        if reply_left is not None and reply_left < 0:
            self.close("timeout")
            raise TimeUp(
                f"no reply within {self.limits.reply_seconds:g} s: the customer stopped waiting",
                "reply_time",
            )

    def _stamp_new_lines(self) -> None:
        while len(self.times) < len(self.runtime.state.transcript):
            self.times.append(self.clock() if self.timed else None)

    def abandon(self, reason: str = "abandoned") -> None:
        self.close(reason)

    def close(self, reason: str = "abandoned") -> None:
        """End the conversation (if still open) and store its graded result."""
        if not self.finished:
            self.runtime.abandon(reason)
        if self.recording is not None and not self.recording.closed:
            state = self.runtime.state
            result = result_from(
                self.scorecard("en"), self.clock(), state.outcome, state.ending, state.end_reason
            )
            try:
                self.recording.close(result, state.to_json())
            except StoreError as exc:
                raise SessionError(str(exc)) from None

    def _save(self) -> None:
        if self.recording is not None:
            try:
                self.recording.save(self.turn_records(), self.runtime.state.to_json())
            except StoreError as exc:
                raise SessionError(str(exc)) from None

    def turn_records(self) -> list[TurnRecord]:
        agent = iter(zip(self.verdicts, self.saids, strict=True))
        records = []
        for i, u in enumerate(self.runtime.state.transcript):
            findings = None
            if u.role == "agent":
                pair = next(agent, None)
                findings = findings_json(*pair) if pair else None
            at = self.times[i] if i < len(self.times) else None
            records.append(TurnRecord(i, u.role, u.text, at, findings))
        return records

    def hints(self) -> list[str]:
        return self.runtime.hints() if self.mode == "practice" else []

    @property
    def live_feedback(self) -> bool:
        """Practice shows what each reply earned; an exam does not."""
        return self.mode == "practice"

    # -- grading ------------------------------------------------------------

    def turns(self) -> list[Turn]:
        return [
            Turn(u.role, u.text, self.times[i] if i < len(self.times) else None)
            for i, u in enumerate(self.runtime.state.transcript)
        ]

    def scorecard(self, lang: str | None = None) -> Scorecard:
        findings = [v.findings for v in self.verdicts]
        return self.engine.score(self.turns(), self.locale, self.context(), lang, findings=findings)
