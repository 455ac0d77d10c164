"""Schema migrations: a database left by any earlier version opens, keeps its rows, verifies.

Each test builds a real database file at an old version with `migrate(db, target=v)`,
writes the rows that version of qa-sim wrote (signed as it signed them, from v2 on), and
opens it with `Store.open`, which brings it to the latest version.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from qa_sim.progress.exam_records import CERT_FIELDS, EXAM_HEADER, EXAM_RESULT, inserted_id
from qa_sim.progress.integrity import Signer
from qa_sim.progress.migrations import LATEST, migrate, version
from qa_sim.progress.records import AttemptResult, AttemptStart, CriterionRow, TurnRecord
from qa_sim.progress.rows import header_values, iso, result_values, turn_values
from qa_sim.progress.store import Store, StoreError
from qa_sim.progress.verify import verify_store

KEY = b"k" * 32
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
PLAYS = [  # scenario, score, criteria as (criterion, status, points, max points)
    ("delayed-parcel-en", 85.0, [("greeting", "met", 10.0, 10.0),
                                 ("empathy", "partial", 5.0, 10.0),
                                 ("closing", "n/a", 0.0, 0.0)]),
    ("vacuum-inquiry-en", 60.0, [("greeting", "missed", 0.0, 10.0),
                                 ("empathy", "met", 10.0, 10.0)]),
]  # fmt: skip
STATS = {"greeting": (2, 1, 10.0, 20.0), "empathy": (2, 1, 15.0, 20.0)}  # n/a is not counted
TURNS = ["My parcel is late.", "Sorry! Let me check the tracking.", "Thanks.", "You're welcome."]
EARLIER = pytest.mark.parametrize("start", range(LATEST), ids=lambda v: f"from-v{v}")


def at(minutes: float) -> str:
    return iso(T0 + timedelta(minutes=minutes))


def fill(db: Database, version: int) -> list[int]:
    """What qa-sim at `version` wrote: a trainee, two finished attempts with turns and
    criteria, a certification; from v2 on the first attempt is a passed exam's, all signed."""
    signer = Signer(KEY)
    trainee = {"name": "ann", "display_name": "Ann Lee", "locale": "en", "created": at(0)}
    db.table("trainees").insert(trainee, ignore=True)
    exam_id = None
    if version >= 2:
        exam = {"trainee": "ann", "track": "contact-centre", "level": "junior", "seed": 7,
                "scenarios": json.dumps([PLAYS[0][0]]), "started": at(1), "deadline": at(21),
                "status": "open"}  # fmt: skip
        exam_id = inserted_id(db.table("exams").insert(exam))
    ids = []
    for n, (scenario, score, criteria) in enumerate(PLAYS):
        row: dict[str, Any] = {
            "trainee": "ann", "scenario_id": scenario, "level": "junior", "locale": "en",
            "mode": "exam" if exam_id and n == 0 else "practice", "seed": n,
            "scenario_hash": "sh", "rubric_id": "complaint", "rubric_hash": "rh",
            "engine_version": f"0.{version}", "started": at(2 + n * 10),
            "ended": at(9 + n * 10), "outcome": "resolved", "ending": "done", "end_reason": None,
            "score": score, "passed": int(score >= 70), "critical_failed": None,
            "state": '{"turn": 2}',
        }  # fmt: skip
        if version >= 2:
            row["exam_id"] = exam_id if n == 0 else None
        attempt_id = inserted_id(db.table("attempts").insert(row))
        db.table("turns").insert_all(
            {"attempt_id": attempt_id, "idx": i, "role": ("customer", "agent")[i % 2],
             "text": text, "at": at(3 + i), "findings": json.dumps({"met": ["greeting"]})
             if i % 2 else None}
            for i, text in enumerate(TURNS)
        )  # fmt: skip
        db.table("criterion_results").insert_all(
            dict(zip(("criterion", "status", "points", "max_points"), c, strict=True))
            | {"attempt_id": attempt_id}
            for c in criteria
        )
        if version >= 2:
            sign_attempt(db, signer, attempt_id)
        ids.append(attempt_id)
    cert: dict[str, Any] = {
        "trainee": "ann",
        "level": "junior",
        "granted": at(12),
        "expires": at(365 * 1440),
    }
    if exam_id is not None:
        db.table("exams").update(exam_id, {"ended": at(12), "status": "passed", "score": 85.0})
        row = db.table("exams").get(exam_id)
        header = {k: row[k] for k in EXAM_HEADER}
        sigs = [db.table("attempts").get(ids[0])["signature"]]
        result = {k: row[k] for k in EXAM_RESULT}
        db.table("exams").update(
            exam_id,
            {
                "header_mac": signer.mac("exam-header", exam_id, header),
                "signature": signer.exam(exam_id, header, sigs, result),
            },
        )
        cert |= {"track": "contact-centre", "exam_id": exam_id}
        mac = signer.certificate({k: cert[k] for k in CERT_FIELDS})
        cert |= {"code": Signer.code(mac), "signature": mac, "revoked": 0}
    db.table("certifications").insert(cert)
    return ids


def sign_attempt(db: Database, signer: Signer, attempt_id: int) -> None:
    """Sign an attempt's header, turns and result as the store does."""
    previous = signer.attempt_header(
        attempt_id, header_values(db.table("attempts").get(attempt_id))
    )
    db.table("attempts").update(attempt_id, {"header_mac": previous})
    turns = list(db.query("SELECT * FROM turns WHERE attempt_id = ? ORDER BY idx", [attempt_id]))
    for turn in turns:
        previous = signer.turn(previous, turn_values(turn))
        db.table("turns").update((attempt_id, turn["idx"]), {"mac": previous})
    criteria = list(db.query("SELECT * FROM criterion_results WHERE attempt_id = ?", [attempt_id]))
    values = result_values(db.table("attempts").get(attempt_id), criteria)
    db.table("attempts").update(
        attempt_id, {"signature": signer.result(previous, len(turns), values)}
    )


def build(path: Path, start: int) -> list[int]:
    """A database file left at version `start`, with that version's rows."""
    db = Database(path)
    migrate(db, target=start)
    ids = fill(db, start) if start >= 1 else []
    assert version(db) == start
    db.close()
    return ids


def stats(store: Store) -> dict[str, tuple[Any, ...]]:
    rows = store.criterion_stats("ann")
    return {r["criterion"]: (r["attempts"], r["met"], r["points"], r["max_points"]) for r in rows}


def play_new(store: Store) -> int:
    """A practice attempt recorded through the store after the migration."""
    when = T0 + timedelta(days=40)
    start = AttemptStart(
        "ann", "kettle-refund-zh", "junior", "zh-CN", "practice", 3, "sh", "complaint", "rh",
        "1.0", when,
    )  # fmt: skip
    attempt_id = store.begin_attempt(start, [TurnRecord(0, "customer", "水壶坏了。", when)], "{}")
    agent = TurnRecord(1, "agent", "您好，非常抱歉。", when, {"met": ["greeting"]})
    store.record_turns(attempt_id, [agent, TurnRecord(2, "customer", "谢谢。", when)], "{}")
    criteria = (CriterionRow("greeting", "met", 10.0, 10.0),)
    result = AttemptResult(when, "resolved", "done", None, 90.0, True, None, criteria)
    store.finish_attempt(attempt_id, result, '{"turn": 3}')
    return attempt_id


def dump(path: Path) -> tuple[int, dict[str, list[dict[str, Any]]]]:
    db = Database(path)
    try:
        return version(db), {name: list(db[name].rows) for name in db.table_names()}
    finally:
        db.close()


@EARLIER
def test_an_earlier_database_migrates_and_keeps_its_rows(tmp_path: Path, start: int) -> None:
    path = tmp_path / "progress.db"
    ids = build(path, start)
    with Store.open(path, key=KEY) as store:
        assert store.rows("PRAGMA user_version")[0]["user_version"] == LATEST
        if start == 0:
            store.add_trainee("ann", "Ann Lee")
        trainee = store.trainee("ann")
        assert trainee is not None and (trainee.display_name, trainee.cohorts) == ("Ann Lee", ())
        for attempt_id, (scenario, score, criteria) in zip(ids, PLAYS[: len(ids)], strict=True):
            attempt = store.attempt(attempt_id)
            assert attempt.result is not None and attempt.result.score == score
            assert (attempt.start.scenario_id, attempt.turn_count) == (scenario, 4)
            got = [(c.criterion, c.status, c.points, c.max_points) for c in attempt.result.criteria]
            assert got == criteria
            turns = store.turns(attempt_id)
            assert [t.text for t in turns] == TURNS
            assert turns[1].findings == {"met": ["greeting"]} and turns[0].findings is None
        assert stats(store) == (STATS if ids else {})  # backfilled from the criterion results
        certs = store.certifications("ann")
        assert [c.level for c in certs] == (["junior"] if ids else [])

        before = verify_store(store)
        assert (before.attempts, before.turns) == (len(ids), 4 * len(ids))
        assert before.unsigned_legacy == (len(ids) if start == 1 else 0)
        assert [p.render() for p in before.problems if p.kind == "attempt"] == []

        new = play_new(store)
        assert new == len(ids) + 1 and store.attempt(new).signature
        after = verify_store(store)
        assert after.attempts == len(ids) + 1 and after.unsigned_legacy == before.unsigned_legacy
        assert after.problems == before.problems
        greeting = STATS["greeting"] if ids else (0, 0, 0.0, 0.0)
        assert stats(store)["greeting"] == (greeting[0] + 1, greeting[1] + 1, greeting[2] + 10,
                                            greeting[3] + 10)  # fmt: skip


def test_signed_rows_from_v2_still_verify(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    ids = build(path, 2)
    with Store.open(path, key=KEY) as store:
        report = verify_store(store)
        assert report.ok, [p.render() for p in report.problems]
        assert (report.exams, report.certificates, report.unsigned_legacy) == (1, 1, 0)
        [exam] = store.exams("ann")
        assert (exam.status, exam.score, exam.attempt_ids) == ("passed", 85.0, (ids[0],))
        [cert] = store.certifications("ann")
        assert (cert.track, cert.exam_id) == ("contact-centre", exam.id)
        assert store.certificate(cert.code.lower().replace("-", " ")) == cert


def test_a_database_that_lived_through_every_version(tmp_path: Path) -> None:
    db = Database(tmp_path / "progress.db")
    ids: list[int] = []
    for step in range(1, LATEST):
        migrate(db, target=step)
        ids += fill(db, step)
    db.close()
    with Store.open(tmp_path / "progress.db", key=KEY) as store:
        report = verify_store(store)
        assert (report.attempts, report.unsigned_legacy) == (len(ids), len(PLAYS))
        assert [p.render() for p in report.problems if p.kind != "certificate"] == []
        assert stats(store)["empathy"] == (4, 2, 30.0, 40.0)


def test_a_certification_that_predates_signing_is_not_a_problem(tmp_path: Path) -> None:
    build(tmp_path / "progress.db", 1)
    with Store.open(tmp_path / "progress.db", key=KEY) as store:
        assert [p.render() for p in verify_store(store).problems] == []


@EARLIER
def test_opening_again_changes_nothing(tmp_path: Path, start: int) -> None:
    path = tmp_path / "progress.db"
    build(path, start)
    Store.open(path, key=KEY).close()
    first = dump(path)
    assert first[0] == LATEST
    Store.open(path, key=KEY).close()
    assert dump(path) == first
    db = Database(path)
    assert migrate(db) == LATEST  # nothing left to do
    db.close()
    assert dump(path) == first


def test_a_database_from_a_newer_qa_sim_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    db = Database(path)
    db.execute(f"PRAGMA user_version = {LATEST + 1}")
    db.close()
    message = rf"newer\.db: the database has schema version {LATEST + 1}.*upgrade qa-sim"
    with pytest.raises(StoreError, match=message):
        Store.open(path, key=KEY)
    assert dump(path) == (LATEST + 1, {})  # left as it was found


def test_a_file_that_is_not_a_database_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "noise.db"
    noise = random.Random(7).randbytes(8192)
    path.write_bytes(noise)
    with pytest.raises(StoreError) as caught:
        Store.open(path, key=KEY)
    assert str(path) in str(caught.value) and "qa-sim database" in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert path.read_bytes() == noise
