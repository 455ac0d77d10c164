"""Real processes against one database: `kill -9` mid-conversation, 20 writers at once."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from routes import GOOD

from qa_sim.progress.records import AttemptResult, AttemptStart, CriterionRow, TurnRecord
from qa_sim.progress.store import Store
from qa_sim.progress.verify import verify_store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and fork")


def _qa_sim(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qa_sim", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _turns(db: Path, attempt: int = 1) -> list[tuple[int, str, str]]:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(
            "SELECT idx, role, text FROM turns WHERE attempt_id = ? ORDER BY idx", [attempt]
        ).fetchall()
    except sqlite3.OperationalError:  # not created yet
        return []
    finally:
        conn.close()


def _wait_for(db: Path, count: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while len(_turns(db)) < count:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, f"only {len(_turns(db))} turns after 90 s"
        time.sleep(0.05)


def test_kill_9_mid_conversation_loses_nothing_and_resumes(tmp_path: Path) -> None:
    db = tmp_path / "centre.db"
    os.environ["QA_SIM_DB"] = str(db)  # the fixture restores it after the test
    assert _qa_sim("trainee", "add", "ann").returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "qa_sim", "play", "delayed-parcel-en", "--trainee", "ann"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None
    for sent, reply in enumerate(GOOD[:2], start=1):
        proc.stdin.write(reply + "\n")
        proc.stdin.flush()
        _wait_for(db, 1 + 2 * sent, proc)  # opening line, then reply + answer each
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    before = _turns(db)
    assert [(i, role) for i, role, _ in before] == [
        (0, "customer"),
        (1, "agent"),
        (2, "customer"),
        (3, "agent"),
        (4, "customer"),
    ]
    assert before[1][2] == GOOD[0] and before[3][2] == GOOD[1]

    rest = _qa_sim(
        "play", "delayed-parcel-en", "--trainee", "ann", "--json", stdin="\n".join(GOOD[2:])
    )
    assert rest.returncode == 0, rest.stderr
    assert "Resuming attempt 1 at turn 2" in rest.stderr
    result = json.loads(rest.stdout)
    assert result["attempt"] == 1 and result["finished"] is True
    assert result["ending"] == "resolved"
    assert [t["text"] for t in result["transcript"] if t["role"] == "agent"] == GOOD
    after = _turns(db)
    assert after[: len(before)] == before and len(after) == len(result["transcript"])
    verify = _qa_sim("verify")
    assert verify.returncode == 0, verify.stdout
    assert "all signatures valid" in verify.stdout


def _writer(db: str, key: bytes, worker: int, barrier: multiprocessing.synchronize.Barrier) -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    barrier.wait()  # every process writes at the same moment
    with Store.open(db, key=key) as store:
        store.add_trainee(f"agent{worker:02d}")
        for n in range(5):
            start = AttemptStart(
                f"agent{worker:02d}", f"scenario-{n}", "junior", "en", "practice", n,
                "h", "standard", "r", "test", now,
            )  # fmt: skip
            attempt = store.begin_attempt(start, [TurnRecord(0, "customer", "Hello?", now)], "{}")
            for i in range(1, 9, 2):  # each reply and answer is its own commit, as in play
                store.record_turns(
                    attempt,
                    [
                        TurnRecord(i, "agent", f"reply {i} of {worker}", now),
                        TurnRecord(i + 1, "customer", "ok", now),
                    ],
                    f'{{"turn": {i}}}',
                )
            criteria = (
                CriterionRow("greeting", "met", 5, 5),
                CriterionRow("thanks", "missed", 0, 5),
            )
            store.finish_attempt(
                attempt,
                AttemptResult(now, "resolved", "done", "ending", 50.0, False, None, criteria),
                "{}",
            )


def test_twenty_processes_write_at_once_and_nothing_is_lost(tmp_path: Path) -> None:
    db = str(tmp_path / "shared.db")
    key = b"shared-qa-lead-key-000000000"
    Store.open(db, key=key).close()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(20)
    procs = [ctx.Process(target=_writer, args=(db, key, w, barrier)) for w in range(20)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=180)
    assert [p.exitcode for p in procs] == [0] * 20  # an uncaught "database is locked" exits 1
    with Store.open(db, key=key) as store:
        assert len(store.trainees()) == 20
        assert store.rows("SELECT COUNT(*) AS n FROM attempts")[0]["n"] == 100
        assert store.rows("SELECT COUNT(*) AS n FROM turns")[0]["n"] == 100 * 9
        assert store.rows("SELECT COUNT(*) AS n FROM attempts WHERE ended IS NULL")[0]["n"] == 0
        stats = store.rows("SELECT SUM(attempts) AS n FROM trainee_criterion_stats")[0]["n"]
        assert stats == 200
        report = verify_store(store)
        assert report.ok, [p.render() for p in report.problems]
