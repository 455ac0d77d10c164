"""Report speed on a contact centre's whole history: 1,000,000 stored turns.

Builds (or reuses, with --db) a database of 500 trainees in 10 cohorts, 200
finished attempts each with 10 turns and 10 criterion results (1,000,000
turns, 1,000,000 criterion rows, 100,000 attempts), then times:

- cohort report:  `qa-sim report` for every trainee, and for one cohort;
- progress:       `qa-sim progress NAME` for one trainee (level, eligibility,
                  weakest criteria over recent attempts, recent attempts).

Each figure is the median of 5 warm runs; target <= 0.5 s each.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa_sim.exams import progress_summary  # noqa: E402
from qa_sim.library import ContentLibrary  # noqa: E402
from qa_sim.paths import bundled_content_dir  # noqa: E402
from qa_sim.progress.reports import cohort_report  # noqa: E402
from qa_sim.progress.store import Store  # noqa: E402
from qa_sim.tracks import find_track  # noqa: E402

TRAINEES, ATTEMPTS, TURNS = 500, 200, 10
CRITERIA = (
    "greeting thanks apology closing needs_question empathy personalization "
    "forbidden_language resolution_steps first_response_time"
).split()
SCENARIOS = ["delayed-parcel-en", "vacuum-inquiry-en", "delayed-parcel-zh", "kettle-refund-zh"]
LINES = [
    "Hello, thank you for contacting us. I'm sorry your parcel is late.",
    "My order says it shipped four days ago and the tracking has not moved.",
    "您好，非常抱歉给您带来不便，我马上为您查询物流信息。",
    "订单显示四天前已发货，但物流一直没有更新。",
]


def build(path: Path) -> None:
    rng = random.Random(7)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    with Store.open(path, key=b"benchmark-key-0123456789") as store:
        conn = store.db.conn
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO trainees VALUES (?, ?, ?, ?)",
            [
                (f"agent{i:03d}", f"Agent {i}", "en" if i % 2 else "zh-CN", start.isoformat())
                for i in range(TRAINEES)
            ],
        )
        conn.executemany(
            "INSERT INTO trainee_cohorts VALUES (?, ?)",
            [(f"agent{i:03d}", f"cohort-{i % 10}") for i in range(TRAINEES)],
        )
        attempt_id = 0
        for i in range(TRAINEES):
            attempts, turns, results = [], [], []
            for n in range(ATTEMPTS):
                attempt_id += 1
                began = start + timedelta(hours=n * 7 + i % 7)
                score = round(rng.uniform(40, 100), 1)
                attempts.append(
                    (attempt_id, f"agent{i:03d}", SCENARIOS[n % 4], "junior", "en", "practice", n,
                     "h", "standard", "r", "bench", began.isoformat(),
                     (began + timedelta(minutes=6)).isoformat(), "resolved", "resolved", "ending",
                     score, int(score >= 70), None, "{}")
                )  # fmt: skip
                turns += [
                    (attempt_id, k, "customer" if k % 2 == 0 else "agent", LINES[(k + n) % 4],
                     (began + timedelta(seconds=30 * k)).isoformat(), None)
                    for k in range(TURNS)
                ]  # fmt: skip
                for c in CRITERIA:
                    met = rng.random() < 0.7
                    results.append((attempt_id, c, "met" if met else "missed", 10.0 * met, 10.0))
            conn.executemany(
                "INSERT INTO attempts (id, trainee, scenario_id, level, locale, mode, seed, "
                "scenario_hash, rubric_id, rubric_hash, engine_version, started, ended, outcome, "
                "ending, end_reason, score, passed, critical_failed, state) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                attempts,
            )
            conn.executemany(
                "INSERT INTO turns (attempt_id, idx, role, text, at, findings) VALUES (?,?,?,?,?,?)",
                turns,
            )
            conn.executemany("INSERT INTO criterion_results VALUES (?,?,?,?,?)", results)
        conn.execute(
            """INSERT INTO trainee_criterion_stats
               SELECT a.trainee, c.criterion, COUNT(*), SUM(c.status = 'met'), SUM(c.points),
                      SUM(c.max_points)
               FROM criterion_results c JOIN attempts a ON a.id = c.attempt_id
               GROUP BY a.trainee, c.criterion"""
        )
        conn.execute("COMMIT")
        conn.execute("ANALYZE")


def timed(action: object, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", type=Path, help="reuse or build this database (default: a temp file)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "report-bench.db"
        if not path.exists():
            began = time.perf_counter()
            build(path)
            print(
                f"built {path.name}: {TRAINEES * ATTEMPTS * TURNS:,} turns in {time.perf_counter() - began:.1f} s"
            )
        library = ContentLibrary([bundled_content_dir()]).load()
        track = find_track(library)
        now = datetime(2026, 11, 23, tzinfo=UTC)
        with Store.open(path, key=b"benchmark-key-0123456789") as store:
            turns = store.rows("SELECT COUNT(*) AS n FROM turns")[0]["n"]
            all_rows = timed(lambda: cohort_report(store, track, now))
            one_cohort = timed(lambda: cohort_report(store, track, now, "cohort-3"))
            progress = timed(lambda: progress_summary(library, store, track, "agent123", now))
        print(f"database: {turns:,} turns")
        print(f"cohort report, all {TRAINEES} trainees:  {all_rows:.3f} s  (target <= 0.5 s)")
        print(
            f"cohort report, one cohort of {TRAINEES // 10}: {one_cohort:.3f} s  (target <= 0.5 s)"
        )
        print(f"one trainee's progress:           {progress:.3f} s  (target <= 0.5 s)")
        ok = max(all_rows, one_cohort, progress) <= 0.5
        print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
