"""The progress store: one SQLite file (WAL) holding trainees, attempts turn by turn, exams
and certifications. Every write is one short `BEGIN IMMEDIATE` transaction, so many
processes can share a database and a killed process loses nothing it committed.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from qa_sim.paths import default_db_path
from qa_sim.progress.errors import StoreError
from qa_sim.progress.exam_records import ExamRecords, inserted_id
from qa_sim.progress.integrity import Signer, load_key
from qa_sim.progress.migrations import LATEST, SchemaError, migrate, version
from qa_sim.progress.records import (
    Attempt,
    AttemptResult,
    AttemptStart,
    Certification,
    CriterionRow,
    Exam,
    Trainee,
    TurnRecord,
)
from qa_sim.progress.rows import (
    attempt_from_row,
    header_values,
    iso,
    parse_time,
    result_row,
    result_values,
    start_row,
    trainee_from_row,
    turn_row,
    turn_values,
)

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
BUSY_MS = 60_000


class Store(ExamRecords):
    def __init__(self, db: Database, path: Path, key: bytes | None = None) -> None:
        self.db = db
        self.path = path
        self._key = key
        self._signer: Signer | None = None
        self._lock = threading.RLock()

    # -- opening --------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str | None = None, *, key: bytes | None = None) -> Store:
        path = Path(path) if path else default_db_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                path, timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            _retry_locked(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            store = cls(Database(conn), path, key)
            if version(store.db) != LATEST:
                with store.writing():
                    migrate(store.db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path}: cannot open the database ({exc}) — is it a qa-sim database? "
                "Use --db or QA_SIM_DB to choose another file"
            ) from None
        except SchemaError as exc:
            raise StoreError(f"{path}: {exc}") from None
        except OSError as exc:
            raise StoreError(
                f"{path}: cannot create the database folder ({exc.strerror})"
            ) from None
        return store

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def signer(self) -> Signer:
        if self._signer is None:
            self._signer = Signer(self._key or load_key())
        return self._signer

    @contextmanager
    def writing(self) -> Iterator[Database]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so it never deadlocks."""
        with self._lock:
            _retry_locked(lambda: self.db.execute("BEGIN IMMEDIATE"))
            try:
                yield self.db
            except BaseException:
                if self.db.conn.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
            else:
                _retry_locked(lambda: self.db.execute("COMMIT"))

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.db.query(sql, params))

    # -- trainees ---------------------------------------------------------------

    def add_trainee(
        self,
        name: str,
        display_name: str | None = None,
        locale: str = "en",
        cohorts: Sequence[str] = (),
        now: datetime | None = None,
    ) -> Trainee:
        if not NAME_RE.match(name):
            raise StoreError(
                f"'{name}' cannot be a trainee name — use lower-case letters, digits, '.', '_' "
                "or '-' (the display name may be anything, e.g. --display-name '王芳')"
            )
        if locale not in ("en", "zh-CN"):
            raise StoreError(f"locale must be en or zh-CN, not '{locale}'")
        with self.writing() as db:
            if db.table("trainees").count_where("name = ?", [name]):
                raise StoreError(
                    f"trainee '{name}' exists already — see `qa-sim trainee show {name}`"
                )
            db.table("trainees").insert(
                {
                    "name": name,
                    "display_name": display_name or name,
                    "locale": locale,
                    "created": iso(now or datetime.now(UTC)),
                }
            )
            for cohort in cohorts:
                db.table("trainee_cohorts").insert({"trainee": name, "cohort": cohort}, ignore=True)
        found = self.trainee(name)
        assert found is not None
        return found

    def update_trainee(
        self,
        name: str,
        *,
        display_name: str | None = None,
        locale: str | None = None,
        add_cohorts: Sequence[str] = (),
        remove_cohorts: Sequence[str] = (),
    ) -> Trainee:
        if locale is not None and locale not in ("en", "zh-CN"):
            raise StoreError(f"locale must be en or zh-CN, not '{locale}'")
        with self.writing() as db:
            self._require_trainee(name)
            changes = {k: v for k, v in (("display_name", display_name), ("locale", locale)) if v}
            if changes:
                db.table("trainees").update(name, changes)
            for cohort in add_cohorts:
                db.table("trainee_cohorts").insert({"trainee": name, "cohort": cohort}, ignore=True)
            for cohort in remove_cohorts:
                db.execute(
                    "DELETE FROM trainee_cohorts WHERE trainee = ? AND cohort = ?", [name, cohort]
                )
        found = self.trainee(name)
        assert found is not None
        return found

    def trainee(self, name: str) -> Trainee | None:
        rows = self.rows("SELECT * FROM trainees WHERE name = ?", [name])
        if not rows:
            return None
        cohorts = self.rows(
            "SELECT cohort FROM trainee_cohorts WHERE trainee = ? ORDER BY cohort", [name]
        )
        return trainee_from_row(rows[0], tuple(r["cohort"] for r in cohorts))

    def trainees(self, cohort: str | None = None) -> list[Trainee]:
        cohorts: dict[str, list[str]] = {}
        for r in self.rows("SELECT trainee, cohort FROM trainee_cohorts ORDER BY cohort"):
            cohorts.setdefault(r["trainee"], []).append(r["cohort"])
        rows = self.rows("SELECT * FROM trainees ORDER BY name")
        found = [trainee_from_row(r, tuple(cohorts.get(r["name"], ()))) for r in rows]
        return [t for t in found if cohort is None or cohort in t.cohorts]

    def _require_trainee(self, name: str) -> None:
        if not self.db.table("trainees").count_where("name = ?", [name]):
            known = [r["name"] for r in self.db.query("SELECT name FROM trainees LIMIT 20")]
            hint = ("known: " + ", ".join(known)) if known else "add one with `qa-sim trainee add`"
            raise StoreError(f"no trainee '{name}' — {hint}")

    # -- attempts ---------------------------------------------------------------

    def begin_attempt(
        self, start: AttemptStart, turns: Sequence[TurnRecord], state_json: str
    ) -> int:
        """A new attempt with its first turns (the customer's opening), signed, in one commit."""
        with self.writing() as db:
            self._require_trainee(start.trainee)
            row = start_row(start)
            attempt_id = inserted_id(db.table("attempts").insert({**row, "state": state_json}))
            header = header_values(db.table("attempts").get(attempt_id))
            mac = self.signer.attempt_header(attempt_id, header)
            db.table("attempts").update(attempt_id, {"header_mac": mac})
            self._append_turns(attempt_id, turns, mac)
        return attempt_id

    def record_turns(self, attempt_id: int, turns: Sequence[TurnRecord], state_json: str) -> None:
        """New turns and the conversation state after them, in one commit."""
        with self.writing() as db:
            row = self._attempt_row(attempt_id)
            if row["ended"]:
                raise StoreError(f"attempt {attempt_id} has ended; its turns cannot change")
            last = db.execute(
                "SELECT mac FROM turns WHERE attempt_id = ? ORDER BY idx DESC LIMIT 1", [attempt_id]
            ).fetchone()
            self._append_turns(attempt_id, turns, last[0] if last else row["header_mac"])
            db.table("attempts").update(attempt_id, {"state": state_json})

    def _append_turns(self, attempt_id: int, turns: Sequence[TurnRecord], previous: str) -> None:
        count = self.db.table("turns").count_where("attempt_id = ?", [attempt_id])
        for turn in turns:
            if turn.index != count:
                raise StoreError(
                    f"attempt {attempt_id}: turn {turn.index} arrived, turn {count} was expected"
                )
            row = turn_row(attempt_id, turn)
            mac = self.signer.turn(previous, turn_values(row))
            self.db.table("turns").insert({**row, "mac": mac})
            previous, count = mac, count + 1

    def finish_attempt(self, attempt_id: int, result: AttemptResult, state_json: str) -> None:
        with self.writing() as db:
            row = self._attempt_row(attempt_id)
            if row["ended"]:
                raise StoreError(f"attempt {attempt_id} has ended already")
            db.table("attempts").update(attempt_id, {**result_row(result), "state": state_json})
            self._insert_criteria(attempt_id, result.criteria)
            self._add_stats(row["trainee"], result.criteria, +1)
            self._sign_result(attempt_id)

    def replace_result(self, attempt_id: int, result: AttemptResult) -> None:
        """A practice attempt re-graded (`qa-sim rescore --apply`): new criteria, re-signed."""
        with self.writing() as db:
            row = self._attempt_row(attempt_id)
            if row["mode"] != "practice" or not row["ended"]:
                raise StoreError(
                    f"attempt {attempt_id}: only finished practice attempts are re-graded"
                )
            old = [
                CriterionRow(r["criterion"], r["status"], r["points"], r["max_points"])
                for r in db.query(
                    "SELECT * FROM criterion_results WHERE attempt_id = ?", [attempt_id]
                )
            ]
            self._add_stats(row["trainee"], tuple(old), -1)
            db.execute("DELETE FROM criterion_results WHERE attempt_id = ?", [attempt_id])
            db.table("attempts").update(attempt_id, result_row(result))
            self._insert_criteria(attempt_id, result.criteria)
            self._add_stats(row["trainee"], result.criteria, +1)
            self._sign_result(attempt_id)

    def _insert_criteria(self, attempt_id: int, criteria: Sequence[CriterionRow]) -> None:
        self.db.table("criterion_results").insert_all(
            {
                "attempt_id": attempt_id,
                "criterion": c.criterion,
                "status": c.status,
                "points": round(c.points, 3),
                "max_points": round(c.max_points, 3),
            }
            for c in criteria
        )

    def _sign_result(self, attempt_id: int) -> None:
        row = self.db.table("attempts").get(attempt_id)
        turns = self.db.execute(
            "SELECT COUNT(*), (SELECT mac FROM turns WHERE attempt_id = ? ORDER BY idx DESC LIMIT 1)"
            " FROM turns WHERE attempt_id = ?",
            [attempt_id, attempt_id],
        ).fetchone()
        criteria = list(
            self.db.query(
                "SELECT * FROM criterion_results WHERE attempt_id = ? ORDER BY criterion",
                [attempt_id],
            )
        )
        previous = turns[1] or row["header_mac"]
        signature = self.signer.result(previous, turns[0], result_values(row, criteria))
        self.db.table("attempts").update(attempt_id, {"signature": signature})

    def _add_stats(self, trainee: str, criteria: Sequence[CriterionRow], sign: int) -> None:
        for c in criteria:
            if c.status == "n/a":
                continue
            self.db.execute(
                """
                INSERT INTO trainee_criterion_stats VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (trainee, criterion) DO UPDATE SET
                  attempts = attempts + excluded.attempts, met = met + excluded.met,
                  points = points + excluded.points, max_points = max_points + excluded.max_points
                """,
                [
                    trainee,
                    c.criterion,
                    sign,
                    sign * (c.status == "met"),
                    sign * round(c.points, 3),
                    sign * round(c.max_points, 3),
                ],
            )

    def _attempt_row(self, attempt_id: int) -> dict[str, Any]:
        rows = list(self.db.query("SELECT * FROM attempts WHERE id = ?", [attempt_id]))
        if not rows:
            raise StoreError(f"no attempt {attempt_id}")
        return rows[0]

    def attempt(self, attempt_id: int) -> Attempt:
        with self._lock:
            row = self._attempt_row(attempt_id)
        return self._attempt(row, with_criteria=True)

    def _attempt(self, row: dict[str, Any], with_criteria: bool = False) -> Attempt:
        criteria: tuple[CriterionRow, ...] = ()
        if with_criteria and row["ended"]:
            criteria = tuple(
                CriterionRow(r["criterion"], r["status"], r["points"], r["max_points"])
                for r in self.rows(
                    "SELECT * FROM criterion_results WHERE attempt_id = ? ORDER BY rowid",
                    [row["id"]],
                )
            )
        count = row.get("turn_count")
        if count is None:
            count = self.rows("SELECT COUNT(*) AS n FROM turns WHERE attempt_id = ?", [row["id"]])[
                0
            ]["n"]
        return attempt_from_row(row, criteria, int(count))

    def attempts(
        self,
        trainee: str | None = None,
        *,
        mode: str | None = None,
        since: datetime | None = None,
        finished: bool | None = None,
        exam_id: int | None = None,
        scenario_id: str | None = None,
        limit: int | None = None,
    ) -> list[Attempt]:
        """Attempts, newest first, without their state or criteria (see `attempt()`)."""
        where, params = ["1"], []
        for column, value in (
            ("trainee", trainee),
            ("mode", mode),
            ("exam_id", exam_id),
            ("scenario_id", scenario_id),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            where.append("started >= ?")
            params.append(iso(since))
        if finished is not None:
            where.append("ended IS NOT NULL" if finished else "ended IS NULL")
        sql = (
            "SELECT a.*, '' AS state, (SELECT COUNT(*) FROM turns t WHERE t.attempt_id = a.id)"
            f" AS turn_count FROM attempts a WHERE {' AND '.join(where)} ORDER BY started DESC, id DESC"
        )
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [self._attempt(r) for r in self.rows(sql, params)]

    def turns(self, attempt_id: int) -> list[TurnRecord]:
        return [
            TurnRecord(
                r["idx"],
                r["role"],
                r["text"],
                parse_time(r["at"]),
                json.loads(r["findings"]) if r["findings"] else None,
            )
            for r in self.rows(
                "SELECT * FROM turns WHERE attempt_id = ? ORDER BY idx", [attempt_id]
            )
        ]

    def open_attempt(
        self, trainee: str, scenario_id: str, mode: str = "practice"
    ) -> Attempt | None:
        found = self.attempts(trainee, mode=mode, scenario_id=scenario_id, finished=False, limit=1)
        return self.attempt(found[0].id) if found else None

    def criterion_stats(self, trainee: str) -> list[dict[str, Any]]:
        return self.rows(
            "SELECT * FROM trainee_criterion_stats WHERE trainee = ? AND attempts > 0", [trainee]
        )


def _retry_locked(action: Any, attempts: int = 200) -> Any:
    """Run `action`, waiting out the rare SQLITE_BUSY that bypasses the busy handler."""
    for n in range(attempts):
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or n == attempts - 1:
                raise
            time.sleep(0.01 + 0.002 * n)
    return None


__all__ = ["Certification", "Exam", "Store", "StoreError"]
