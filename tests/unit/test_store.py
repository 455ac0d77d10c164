"""The progress store through the training session: every turn saved, resume, tampering found."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from routes import GOOD

from qa_sim.library import ContentLibrary
from qa_sim.progress.store import Store, StoreError
from qa_sim.progress.verify import verify_store
from qa_sim.training import TrainingSession

KEY = b"qa-lead-key-0123456789abcdef"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "progress.db", key=KEY) as s:
        s.add_trainee("ann", "Ann Lee", "en", ["2026-11"])
        yield s


def _play(
    library: ContentLibrary, store: Store, replies: list[str], clock: Clock
) -> TrainingSession:
    session = TrainingSession.start(
        library, "delayed-parcel-en", seed=1, store=store, trainee="ann", clock=clock
    )
    for reply in replies:
        clock.tick(20)
        if session.finished:
            break
        session.submit(reply)
    return session


def test_every_turn_is_committed_with_the_state(library: ContentLibrary, store: Store) -> None:
    clock = Clock()
    session = _play(library, store, GOOD[:2], clock)
    attempt = store.attempt(session.attempt_id or 0)
    turns = store.turns(attempt.id)
    assert [t.role for t in turns] == ["customer", "agent", "customer", "agent", "customer"]
    assert turns[1].text == GOOD[0]
    assert turns[3].text == GOOD[1]
    assert "greeting" in (turns[1].findings or {})["met"]
    assert turns[1].at == datetime(2026, 11, 23, 9, 0, 20, tzinfo=UTC)
    assert not attempt.finished
    assert '"turn": 2' in attempt.state_json
    assert attempt.start.scenario_hash and attempt.start.rubric_hash
    assert attempt.start.rubric_id == "complaint" and attempt.start.engine_version


def test_a_resumed_attempt_continues_where_it_stopped(
    library: ContentLibrary, store: Store
) -> None:
    clock = Clock()
    first = _play(library, store, GOOD[:2], clock)
    uninterrupted = _play(library, store, GOOD, Clock())
    resumed = TrainingSession.resume(library, store, first.attempt_id or 0, clock=clock)
    assert resumed.state.turn == 2
    for reply in GOOD[2:]:
        if not resumed.finished:
            resumed.submit(reply)
    assert resumed.state.path == uninterrupted.state.path
    assert [u.text for u in resumed.state.transcript] == [
        u.text for u in uninterrupted.state.transcript
    ]
    stored = store.attempt(first.attempt_id or 0)
    assert stored.finished and stored.result is not None
    assert stored.result.score == pytest.approx(resumed.scorecard().total, abs=0.01)
    assert store.turns(stored.id)[-1].text == resumed.state.transcript[-1].text


def test_finished_attempt_feeds_the_criterion_statistics(
    library: ContentLibrary, store: Store
) -> None:
    session = _play(library, store, GOOD, Clock())
    assert session.finished
    stats = {r["criterion"]: r for r in store.criterion_stats("ann")}
    card = session.scorecard()
    for c in card.criteria:
        if c.status == "n/a":
            assert c.id not in stats
        else:
            assert stats[c.id]["attempts"] == 1
            assert stats[c.id]["met"] == (c.status == "met")


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        ("UPDATE attempts SET score = 99", "result"),
        ("UPDATE attempts SET passed = 1 - passed", "result"),
        ("UPDATE criterion_results SET points = 0 WHERE criterion = 'greeting'", "result"),
        ("UPDATE turns SET text = 'Hello, so sorry!' WHERE idx = 1", "turn 1 was changed"),
        ("DELETE FROM turns WHERE idx = 3", "turns before turn 4"),
        ("DELETE FROM turns WHERE idx = (SELECT MAX(idx) FROM turns)", "result"),
        (
            "INSERT INTO turns (attempt_id, idx, role, text) VALUES (1, 99, 'agent', 'sorry')",
            "turns before turn 99",
        ),
        ("UPDATE attempts SET mode = 'practice', seed = 7", "header"),
        ("UPDATE attempts SET trainee = 'bob'", "header"),
    ],
)
def test_verify_names_the_tampered_attempt(
    library: ContentLibrary, store: Store, tamper: str, expected: str
) -> None:
    store.add_trainee("bob")
    _play(library, store, GOOD, Clock())
    assert verify_store(store).ok
    store.db.execute(tamper)
    report = verify_store(store)
    assert not report.ok
    assert any(
        p.kind == "attempt" and p.id == 1 and expected in p.message for p in report.problems
    ), [p.render() for p in report.problems]


def test_a_forged_attempt_without_the_key_is_found(
    library: ContentLibrary, store: Store, tmp_path: Path
) -> None:
    _play(library, store, GOOD, Clock())
    with Store.open(store.path, key=b"not-the-qa-lead-key-000000") as forger:
        _play(library, forger, GOOD, Clock())
    report = verify_store(store)
    assert [p.id for p in report.problems if p.kind == "attempt"] == [2]


def test_a_removed_attempt_leaves_a_gap_verify_names(library: ContentLibrary, store: Store) -> None:
    for _ in range(3):
        _play(library, store, GOOD[:1], Clock())
    store.db.execute("PRAGMA foreign_keys = OFF")
    store.db.execute("DELETE FROM turns WHERE attempt_id = 2")
    store.db.execute("DELETE FROM attempts WHERE id = 2")
    problems = verify_store(store).problems
    assert [(p.id, "removed" in p.message) for p in problems] == [(2, True)]


def test_writes_after_the_end_are_refused(library: ContentLibrary, store: Store) -> None:
    session = _play(library, store, GOOD, Clock())
    assert session.finished
    with pytest.raises(StoreError, match="has ended"):
        store.record_turns(session.attempt_id or 0, [], "{}")


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(StoreError, match=r"notes\.db.*qa-sim database"):
        Store.open(bad, key=KEY)
    assert bad.read_bytes().startswith(b"these are my notes")


def test_trainee_names_and_duplicates(store: Store) -> None:
    with pytest.raises(StoreError, match="exists already"):
        store.add_trainee("ann")
    with pytest.raises(StoreError, match="lower-case"):
        store.add_trainee("Ann Lee")
    wang = store.add_trainee("wang.fang", "王芳", "zh-CN", ["2026-11", "night-shift"])
    assert wang.display_name == "王芳" and wang.cohorts == ("2026-11", "night-shift")
    assert [t.name for t in store.trainees("night-shift")] == ["wang.fang"]
    changed = store.update_trainee("ann", locale="zh-CN", remove_cohorts=["2026-11"])
    assert changed.locale == "zh-CN" and changed.cohorts == ()


def test_the_database_is_in_wal_mode(store: Store) -> None:
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
