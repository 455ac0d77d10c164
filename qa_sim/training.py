"""A training session: the dialogue runtime, the scorer and (later) the store, as one API.

The CLI and the TUI both drive conversations through `TrainingSession`; they
never touch the runtime or the scorer directly. Each reply is scored live; the
findings become the facts the scenario's branches read (`said.*`, `met.*`,
`violated.*`, `did.*`), and, in practice mode, the trainee's feedback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from qa_sim.library import ContentLibrary
from qa_sim.scenarios.loader import LoadedScenario
from qa_sim.scenarios.runtime import CompiledScenario, ReplyFacts, ScenarioRuntime, TurnResult
from qa_sim.scoring.engine import LiveVerdict, RubricEngine, ScoringContext, StepSpec, Turn
from qa_sim.scoring.phrases import PhraseBook, PhraseSpec
from qa_sim.scoring.scorecard import Scorecard

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class SessionError(Exception):
    """A session cannot start or continue; the message says why and what to do."""


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
    ) -> TrainingSession:
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
        return cls(compiled, engine, runtime, mode=mode, timed=timed, clock=clock)

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
        turn_index = len(self.runtime.state.transcript)
        findings = self.engine.reply(reply, self.locale, turn_index, self.context())
        verdict = self.engine.live(findings)
        said = frozenset(
            n
            for n, hits in self.said_book.find(findings.analysis).items()
            if any(h.counts for h in hits)
        )
        facts = ReplyFacts(said=said, met=verdict.met, violated=verdict.violated, did=verdict.did)
        self.times.append(self.clock() if self.timed else None)
        result = self.runtime.submit(reply, facts)
        self.verdicts.append(verdict)
        self._stamp_new_lines()
        return SessionTurn(result, facts, verdict)

    def _stamp_new_lines(self) -> None:
        while len(self.times) < len(self.runtime.state.transcript):
            self.times.append(self.clock() if self.timed else None)

    def abandon(self, reason: str = "abandoned") -> None:
        self.runtime.abandon(reason)

    def hints(self) -> list[str]:
        return self.runtime.hints() if self.mode == "practice" else []

    # -- grading ------------------------------------------------------------

    def turns(self) -> list[Turn]:
        return [
            Turn(u.role, u.text, self.times[i] if i < len(self.times) else None)
            for i, u in enumerate(self.runtime.state.transcript)
        ]

    def scorecard(self, lang: str | None = None) -> Scorecard:
        findings = [v.findings for v in self.verdicts]
        return self.engine.score(self.turns(), self.locale, self.context(), lang, findings=findings)
