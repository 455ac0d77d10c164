"""Exams through the real session and store, with a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from routes import GOOD
from test_store import KEY, Clock

from qa_sim.exams import ExamRun, NotEligible, check_eligibility
from qa_sim.library import ContentLibrary
from qa_sim.progress.store import Store
from qa_sim.progress.track import Track
from qa_sim.progress.verify import certificate_problems, verify_store
from qa_sim.training import TimeUp, TrainingSession

POOL = ["delayed-parcel-en", "vacuum-inquiry-en"]


def make_track(**exam: object) -> Track:
    rules = {
        "scenarios": 2,
        "pass_mark": 70,
        "time_limit_minutes": 20,
        "reply_limit_seconds": 120,
        "max_attempts": 2,
        "cooldown_hours": 24,
        "pool": {"scenarios": POOL},
    }
    rules.update(exam)
    return Track.model_validate(
        {
            "kind": "track",
            "id": "test-track",
            "title": "Test",
            "levels": [
                {
                    "level": "junior",
                    "title": "Junior",
                    "practice": {"scenarios": 1, "min_score": 70, "pool": {"scenarios": POOL}},
                    "exam": rules,
                    "expires_after_days": 365,
                }
            ],
        }
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "exams.db", key=KEY) as s:
        s.add_trainee("ann", "Ann Lee", "en")
        yield s


def practise(library: ContentLibrary, store: Store, clock: Clock) -> None:
    session = TrainingSession.start(
        library, "delayed-parcel-en", store=store, trainee="ann", clock=clock
    )
    for reply in GOOD:
        clock.tick(10)
        session.submit(reply)
    assert session.finished and session.scorecard().passed


def answer(session: TrainingSession, replies: list[str], clock: Clock, wait: float = 10) -> None:
    for reply in replies:
        if session.finished:
            return
        clock.tick(wait)
        session.submit(reply)
    if not session.finished:
        session.close()


def test_practice_is_required_before_the_exam(library: ContentLibrary, store: Store) -> None:
    clock = Clock()
    with pytest.raises(NotEligible) as info:
        ExamRun.start(library, store, make_track(), "ann", "junior", clock=clock, seed=1)
    assert [r.id for r in info.value.verdict.missing] == ["practice"]
    practise(library, store, clock)
    assert check_eligibility(library, store, make_track(), "ann", "junior", clock()).eligible


def test_an_exam_without_hints_passes_and_certifies(library: ContentLibrary, store: Store) -> None:
    clock = Clock()
    practise(library, store, clock)
    run = ExamRun.start(
        library,
        store,
        make_track(scenarios=1, pool={"scenarios": POOL[:1]}),
        "ann",
        "junior",
        clock=clock,
        seed=5,
    )
    session = run.next_session()
    assert session is not None and session.mode == "exam"
    assert session.hints() == [] and not session.live_feedback
    answer(session, GOOD, clock)
    assert run.next_session() is None
    result = run.finish()
    assert result.outcome.passed and result.exam.status == "passed"
    cert = result.certification
    assert cert is not None and cert.level == "junior"
    assert cert.expires == cert.granted + timedelta(days=365)
    assert store.certificate(cert.code.lower().replace("-", " ")) == cert
    assert certificate_problems(store, cert) == []
    assert verify_store(store).ok


def test_the_draw_is_seeded_and_recorded(library: ContentLibrary, store: Store) -> None:
    clock = Clock()
    practise(library, store, clock)
    run = ExamRun.start(
        library, store, make_track(scenarios=1), "ann", "junior", clock=clock, seed=42
    )
    exam = store.exam(run.exam.id)
    assert exam.seed == 42 and len(exam.scenarios) == 1 and exam.scenarios[0] in POOL
    from qa_sim.progress.certification import draw_exam

    assert list(exam.scenarios) == draw_exam(POOL, 1, 42)


def test_running_past_the_deadline_closes_and_grades_what_was_answered(
    library: ContentLibrary, store: Store
) -> None:
    clock = Clock()
    practise(library, store, clock)
    run = ExamRun.start(library, store, make_track(), "ann", "junior", clock=clock, seed=1)
    first = run.next_session()
    assert first is not None
    answer(first, GOOD if first.scenario.id == "delayed-parcel-en" else GOOD[:1], clock)
    second = run.next_session()
    assert second is not None
    clock.tick(20 * 60)  # the whole exam's time is gone
    with pytest.raises(TimeUp) as info:
        second.submit("Hello, thanks for waiting!")
    assert info.value.reason == "exam_time"
    stored = store.attempt(second.attempt_id or 0)
    assert stored.result is not None and stored.result.end_reason == "timeout"
    assert stored.turn_count == 1  # the late reply was not taken
    assert run.next_session() is None
    result = run.finish()
    assert result.outcome.scores[1] == 0.0 and "unanswered" in result.outcome.reasons
    assert not result.outcome.passed and result.certification is None


def test_a_reply_slower_than_the_limit_ends_the_conversation(
    library: ContentLibrary, store: Store
) -> None:
    clock = Clock()
    practise(library, store, clock)
    run = ExamRun.start(library, store, make_track(), "ann", "junior", clock=clock, seed=1)
    session = run.next_session()
    assert session is not None
    clock.tick(121)
    with pytest.raises(TimeUp, match="120 s") as info:
        session.submit("Hello, sorry for the wait.")
    assert info.value.reason == "reply_time"
    assert session.finished and session.state.end_reason == "timeout"


def test_a_closed_exam_resumes_at_the_same_turn(library: ContentLibrary, store: Store) -> None:
    clock = Clock()
    practise(library, store, clock)
    run = ExamRun.start(library, store, make_track(), "ann", "junior", clock=clock, seed=1)
    session = run.next_session()
    assert session is not None
    clock.tick(5)
    session.submit(GOOD[0])
    # the terminal closes; later the trainee starts qa-sim again
    exam = store.open_exam("ann")
    assert exam is not None and exam.id == run.exam.id
    again = ExamRun.resume(library, store, make_track(), exam, clock).next_session()
    assert again is not None and again.attempt_id == session.attempt_id
    assert again.state.turn == 1 and again.mode == "exam"


def test_cooldown_and_attempt_limit(library: ContentLibrary, store: Store) -> None:
    clock = Clock()
    practise(library, store, clock)
    track = make_track(max_attempts=2, cooldown_hours=24)
    for attempt in range(2):
        run = ExamRun.start(library, store, track, "ann", "junior", clock=clock, seed=attempt)
        session = run.next_session()
        assert session is not None
        answer(session, ["Please wait."] * 3, clock)
        while (nxt := run.next_session()) is not None:
            answer(nxt, ["Please wait."], clock)
        assert not run.finish().outcome.passed
        clock.tick(3600)
        with pytest.raises(NotEligible) as info:
            ExamRun.start(library, store, track, "ann", "junior", clock=clock)
        missing = {r.id for r in info.value.verdict.missing}
        assert missing == ({"cooldown"} if attempt == 0 else {"cooldown", "attempts"})
        clock.tick(24 * 3600)
    verdict = check_eligibility(library, store, track, "ann", "junior", clock())
    assert [r.id for r in verdict.missing] == ["attempts"] and verdict.attempts_left == 0
