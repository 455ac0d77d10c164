"""The database schema, as numbered migrations run on open (PRAGMA user_version).

Each migration moves a database from version N-1 to N inside one transaction;
a database written by a newer qa-sim is refused rather than guessed at. Tests
build a database at every earlier version and migrate it to the latest.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database


class SchemaError(Exception):
    """The database cannot be used by this version of qa-sim."""


def _v1(db: Database) -> None:
    """Trainees, attempts with their turns and criterion results, certifications."""
    db.table("trainees").create(
        {"name": str, "display_name": str, "locale": str, "created": str}, pk="name"
    )
    db.table("attempts").create(
        {
            "id": int,
            "trainee": str,
            "scenario_id": str,
            "level": str,
            "locale": str,
            "mode": str,
            "seed": int,
            "scenario_hash": str,
            "rubric_id": str,
            "rubric_hash": str,
            "engine_version": str,
            "started": str,
            "ended": str,
            "outcome": str,
            "ending": str,
            "end_reason": str,
            "score": float,
            "passed": int,
            "critical_failed": str,
            "state": str,
        },
        pk="id",
        foreign_keys=[("trainee", "trainees", "name")],
        not_null={"trainee", "scenario_id", "mode", "seed", "started"},
    )
    db.table("turns").create(
        {"attempt_id": int, "idx": int, "role": str, "text": str, "at": str, "findings": str},
        pk=("attempt_id", "idx"),
        foreign_keys=[("attempt_id", "attempts", "id")],
        not_null={"role", "text"},
    )
    db.table("criterion_results").create(
        {"attempt_id": int, "criterion": str, "status": str, "points": float, "max_points": float},
        pk=("attempt_id", "criterion"),
        foreign_keys=[("attempt_id", "attempts", "id")],
    )
    db.table("certifications").create(
        {"id": int, "trainee": str, "level": str, "granted": str, "expires": str},
        pk="id",
        foreign_keys=[("trainee", "trainees", "name")],
    )
    db.table("attempts").create_index(["trainee"])


def _v2(db: Database) -> None:
    """Exams, and the signatures that chain attempts, exams and certificates."""
    db.table("exams").create(
        {
            "id": int,
            "trainee": str,
            "track": str,
            "level": str,
            "seed": int,
            "scenarios": str,  # JSON list of scenario ids, in the order drawn
            "started": str,
            "deadline": str,
            "ended": str,
            "status": str,
            "score": float,
            "header_mac": str,
            "signature": str,
        },
        pk="id",
        foreign_keys=[("trainee", "trainees", "name")],
        not_null={"trainee", "level", "started", "deadline", "status"},
    )
    db.table("attempts").add_column("exam_id", int)
    db.table("attempts").add_column("header_mac", str)
    db.table("attempts").add_column("signature", str)
    db.table("turns").add_column("mac", str)
    db.table("certifications").add_column("track", str)
    db.table("certifications").add_column("exam_id", int)
    db.table("certifications").add_column("code", str)
    db.table("certifications").add_column("signature", str)
    db.table("certifications").add_column("revoked", int, not_null_default=0)
    db.table("meta").create({"key": str, "value": str}, pk="key")
    # attempts stored before signing existed stay readable; verify names only later ones
    first = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM attempts").fetchone()[0]
    db.table("meta").insert({"key": "signed_from_attempt", "value": str(first)})
    certs = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM certifications").fetchone()[0]
    db.table("meta").insert({"key": "signed_from_certificate", "value": str(certs)})
    db.table("exams").create_index(["trainee", "level"])
    db.table("attempts").create_index(["exam_id"])


def _v3(db: Database) -> None:
    """Cohorts, per-trainee criterion statistics (kept as attempts finish), report indexes."""
    db.table("trainee_cohorts").create(
        {"trainee": str, "cohort": str},
        pk=("trainee", "cohort"),
        foreign_keys=[("trainee", "trainees", "name")],
    )
    db.table("trainee_criterion_stats").create(
        {
            "trainee": str,
            "criterion": str,
            "attempts": int,
            "met": int,
            "points": float,
            "max_points": float,
        },
        pk=("trainee", "criterion"),
    )
    db.execute(
        """
        INSERT INTO trainee_criterion_stats (trainee, criterion, attempts, met, points, max_points)
        SELECT a.trainee, c.criterion, COUNT(*), SUM(c.status = 'met'), SUM(c.points),
               SUM(c.max_points)
        FROM criterion_results c JOIN attempts a ON a.id = c.attempt_id
        WHERE a.ended IS NOT NULL AND c.status != 'n/a'
        GROUP BY a.trainee, c.criterion
        """
    )
    db.table("trainee_cohorts").create_index(["cohort"])
    db.table("attempts").create_index(["trainee", "ended"])
    db.table("attempts").create_index(["ended"])
    db.table("certifications").create_index(["code"], unique=True)
    db.table("certifications").create_index(["trainee"])


MIGRATIONS: tuple[Callable[[Database], None], ...] = (_v1, _v2, _v3)
LATEST = len(MIGRATIONS)


def version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: Database, target: int = LATEST) -> int:
    """Bring the database to `target`; returns the version it had. Caller holds a write lock."""
    current = version(db)
    if current > LATEST:
        raise SchemaError(
            f"the database has schema version {current}, newer than this qa-sim knows "
            f"({LATEST}) — upgrade qa-sim, or use another --db"
        )
    for number in range(current + 1, target + 1):
        MIGRATIONS[number - 1](db)
        db.execute(f"PRAGMA user_version = {number}")
    return current
