"""Exams and certifications in the store (a part of `Store`, kept in its own file)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlite_utils import Database
from sqlite_utils.db import Table

from qa_sim.progress.integrity import Signer, normalise_code
from qa_sim.progress.records import Certification, Exam
from qa_sim.progress.rows import iso, parse_time, to_time

EXAM_HEADER = ("trainee", "track", "level", "seed", "scenarios", "started", "deadline")
EXAM_RESULT = ("ended", "status", "score")
CERT_FIELDS = ("trainee", "track", "level", "granted", "expires", "exam_id")


class ExamRecords:
    """Mixed into Store: it provides db, signer, writing() and rows()."""

    db: Database

    @property
    def signer(self) -> Signer:
        raise NotImplementedError

    def writing(self) -> AbstractContextManager[Database]:
        raise NotImplementedError

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _require_trainee(self, name: str) -> None:
        raise NotImplementedError

    # -- exams ------------------------------------------------------------------

    def create_exam(
        self,
        trainee: str,
        track: str,
        level: str,
        seed: int,
        scenarios: Sequence[str],
        started: datetime,
        deadline: datetime,
    ) -> Exam:
        with self.writing() as db:
            self._require_trainee(trainee)
            row = {
                "trainee": trainee,
                "track": track,
                "level": level,
                "seed": seed,
                "scenarios": json.dumps(list(scenarios)),
                "started": iso(started),
                "deadline": iso(deadline),
                "status": "open",
            }
            exam_id = inserted_id(db.table("exams").insert(row))
            stored = db.table("exams").get(exam_id)
            mac = self.signer.mac("exam-header", exam_id, {k: stored[k] for k in EXAM_HEADER})
            db.table("exams").update(exam_id, {"header_mac": mac})
        return self.exam(exam_id)

    def exam(self, exam_id: int) -> Exam:
        rows = self.rows("SELECT * FROM exams WHERE id = ?", [exam_id])
        if not rows:
            raise LookupError(f"no exam {exam_id}")
        return self._exam(rows[0])

    def _exam(self, row: dict[str, Any]) -> Exam:
        attempts = self.rows("SELECT id FROM attempts WHERE exam_id = ? ORDER BY id", [row["id"]])
        return Exam(
            id=row["id"],
            trainee=row["trainee"],
            track=row["track"] or "",
            level=row["level"],
            seed=row["seed"],
            scenarios=tuple(json.loads(row["scenarios"])),
            started=to_time(row["started"]),
            deadline=to_time(row["deadline"]),
            ended=parse_time(row["ended"]),
            status=row["status"],
            score=row["score"],
            attempt_ids=tuple(r["id"] for r in attempts),
        )

    def exams(self, trainee: str, level: str | None = None) -> list[Exam]:
        sql, params = "SELECT * FROM exams WHERE trainee = ?", [trainee]
        if level:
            sql, params = sql + " AND level = ?", [*params, level]
        return [self._exam(r) for r in self.rows(sql + " ORDER BY started, id", params)]

    def open_exam(self, trainee: str) -> Exam | None:
        rows = self.rows(
            "SELECT * FROM exams WHERE trainee = ? AND status = 'open' ORDER BY id DESC LIMIT 1",
            [trainee],
        )
        return self._exam(rows[0]) if rows else None

    def finish_exam(
        self,
        exam_id: int,
        ended: datetime,
        passed: bool,
        score: float,
        expires: datetime | None = None,
    ) -> Certification | None:
        """Close an exam, sign it, and on a pass grant the certification, in one commit."""
        with self.writing() as db:
            row = db.table("exams").get(exam_id)
            if row["status"] != "open":
                raise LookupError(f"exam {exam_id} is closed already ({row['status']})")
            db.table("exams").update(
                exam_id,
                {
                    "ended": iso(ended),
                    "status": "passed" if passed else "failed",
                    "score": round(score, 2),
                },
            )
            db.table("exams").update(
                exam_id, {"signature": self._exam_signature(db.table("exams").get(exam_id))}
            )
            if not passed:
                return None
            cert = {
                "trainee": row["trainee"],
                "track": row["track"],
                "level": row["level"],
                "granted": iso(ended),
                "expires": iso(expires) if expires else None,
                "exam_id": exam_id,
            }
            mac = self.signer.certificate({k: cert[k] for k in CERT_FIELDS})
            cert_id = inserted_id(
                db.table("certifications").insert(
                    {**cert, "code": Signer.code(mac), "signature": mac, "revoked": 0}
                )
            )
        return self.certification(cert_id)

    def _exam_signature(self, row: dict[str, Any]) -> str:
        sigs = [
            r["signature"] or ""
            for r in self.db.query(
                "SELECT signature FROM attempts WHERE exam_id = ? ORDER BY id", [row["id"]]
            )
        ]
        return self.signer.exam(
            row["id"],
            {k: row[k] for k in EXAM_HEADER},
            sigs,
            {k: row[k] for k in EXAM_RESULT},
        )

    # -- certifications -----------------------------------------------------------

    def certification(self, cert_id: int) -> Certification:
        return _cert(self.rows("SELECT * FROM certifications WHERE id = ?", [cert_id])[0])

    def certifications(self, trainee: str | None = None) -> list[Certification]:
        if trainee is None:
            rows = self.rows("SELECT * FROM certifications ORDER BY granted, id")
        else:
            rows = self.rows(
                "SELECT * FROM certifications WHERE trainee = ? ORDER BY granted, id", [trainee]
            )
        return [_cert(r) for r in rows]

    def certificate(self, code: str) -> Certification | None:
        rows = self.rows("SELECT * FROM certifications WHERE code = ?", [normalise_code(code)])
        return _cert(rows[0]) if rows else None

    def iter_exam_rows(self) -> Iterator[dict[str, Any]]:
        yield from self.rows("SELECT * FROM exams ORDER BY id")


def _cert(row: dict[str, Any]) -> Certification:
    return Certification(
        id=row["id"],
        trainee=row["trainee"],
        track=row["track"] or "",
        level=row["level"],
        granted=to_time(row["granted"]),
        expires=parse_time(row["expires"]),
        exam_id=row["exam_id"],
        code=row["code"] or "",
        revoked=bool(row["revoked"]),
    )


def inserted_id(table: Table) -> int:
    if table.last_pk is None:
        raise RuntimeError("the insert returned no key")
    return int(table.last_pk)
