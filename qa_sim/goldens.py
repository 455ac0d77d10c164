"""Golden transcripts: a scenario's scripted routes and what must follow.

Each test plays its replies through a real training session (untimed, seeded)
and compares the ending, outcome, path, visited nodes, criteria met or missed,
score range, pass/fail and final mood with what the author expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qa_sim.library import ContentLibrary
from qa_sim.scenarios.loader import LoadedScenario
from qa_sim.scenarios.model import GoldenTest
from qa_sim.training import SessionError, TrainingSession


@dataclass
class GoldenResult:
    scenario: str
    path: str
    test: str
    failures: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.failures and not self.error


def run_golden(library: ContentLibrary, loaded: LoadedScenario, test: GoldenTest) -> GoldenResult:
    assert loaded.scenario is not None
    result = GoldenResult(loaded.scenario.id, loaded.path, test.name)
    try:
        session = TrainingSession.start(library, loaded, seed=test.seed, timed=False)
    except SessionError as exc:
        result.error = str(exc)
        return result
    used = 0
    for reply in test.replies:
        if session.finished:
            break
        session.submit(reply)
        used += 1
    if used < len(test.replies):
        result.failures.append(
            f"the conversation ended after reply {used}; {len(test.replies) - used} replies were never sent"
        )
    if not session.finished:
        session.abandon()
    state = session.state
    card = session.scorecard("en")
    exp = test.expect
    fail = result.failures.append

    def differ(what: str, expected: object, got: object) -> None:
        fail(f"{what}: expected {expected!r}, got {got!r}")

    if exp.ending is not None and state.ending != exp.ending:
        differ("ending", exp.ending, state.ending)
    if exp.outcome is not None and state.outcome != exp.outcome:
        differ("outcome", exp.outcome, state.outcome)
    if exp.path is not None and state.path != exp.path:
        differ("path", exp.path, state.path)
    missing_visits = [n for n in exp.visits if n not in state.path]
    if missing_visits:
        fail(f"visits: never reached {missing_visits}; path was {state.path}")
    statuses = {c.id: c.status for c in card.criteria}
    for cid in exp.met:
        if statuses.get(cid) != "met":
            reason = next((c.reason for c in card.criteria if c.id == cid), "")
            fail(f"criterion {cid}: expected met, got {statuses.get(cid)} ({reason})")
    for cid in exp.missed:
        if statuses.get(cid) not in ("missed", "failed", "partial"):
            fail(f"criterion {cid}: expected missed, got {statuses.get(cid)}")
    if exp.score is not None and not exp.score[0] <= card.total <= exp.score[1]:
        differ("score", list(exp.score), card.total)
    if exp.passed is not None and card.passed != exp.passed:
        differ("passed", exp.passed, card.passed)
    if exp.mood is not None and not exp.mood[0] <= state.mood <= exp.mood[1]:
        differ("final mood", list(exp.mood), state.mood)
    return result


def run_goldens(library: ContentLibrary, scenarios: list[LoadedScenario]) -> list[GoldenResult]:
    results = []
    for loaded in scenarios:
        if loaded.scenario is None:
            continue
        for test in loaded.scenario.tests:
            results.append(run_golden(library, loaded, test))
    return results
