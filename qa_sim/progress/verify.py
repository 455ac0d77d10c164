"""`qa-sim verify`: check every signed record of a database and name what was tampered with."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from qa_sim.progress.exam_records import CERT_FIELDS, EXAM_HEADER
from qa_sim.progress.integrity import Signer, chain_problems
from qa_sim.progress.records import Certification
from qa_sim.progress.rows import header_values, result_values, turn_values
from qa_sim.progress.store import Store


@dataclass(frozen=True)
class Problem:
    kind: str  # "attempt", "exam" or "certificate"
    id: int
    trainee: str
    message: str

    def render(self) -> str:
        return f"{self.kind} {self.id} ({self.trainee}): {self.message}"


@dataclass
class Report:
    attempts: int = 0
    turns: int = 0
    exams: int = 0
    certificates: int = 0
    unsigned_legacy: int = 0  # attempts stored before signing existed
    legacy_certificates: int = 0  # certifications granted before signing existed
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_store(store: Store) -> Report:
    report = Report()
    signer = store.signer
    first = _meta(store, "signed_from_attempt")
    _check_attempts(store, signer, first, report)
    _check_exams(store, signer, report)
    certs_from = _meta(store, "signed_from_certificate")
    for cert in store.certifications():
        report.certificates += 1
        if cert.id < certs_from:  # granted before signing existed (schema version 1)
            report.legacy_certificates += 1
            continue
        report.problems += [
            Problem("certificate", cert.id, cert.trainee, m)
            for m in certificate_problems(store, cert)
        ]
    return report


def _meta(store: Store, key: str) -> int:
    rows = store.rows("SELECT value FROM meta WHERE key = ?", [key])
    return int(rows[0]["value"]) if rows else 1


def _grouped(rows: list[dict[str, Any]]) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    for key, group in itertools.groupby(rows, key=lambda r: int(r["attempt_id"])):
        yield key, list(group)


def _check_attempts(store: Store, signer: Signer, first: int, report: Report) -> None:
    attempts = store.rows("SELECT * FROM attempts ORDER BY id")
    turns = dict(
        _grouped(
            store.rows(
                "SELECT attempt_id, idx, role, text, at, mac FROM turns ORDER BY attempt_id, idx"
            )
        )
    )
    criteria = dict(
        _grouped(store.rows("SELECT * FROM criterion_results ORDER BY attempt_id, criterion"))
    )
    expected = first
    for row in attempts:
        attempt_id = int(row["id"])
        report.attempts += 1
        report.turns += len(turns.get(attempt_id, ()))
        if attempt_id < first:
            report.unsigned_legacy += 1
            continue
        for missing in range(expected, attempt_id):
            report.problems.append(
                Problem(
                    "attempt", missing, "?", "was removed (its id is missing from the sequence)"
                )
            )
        expected = attempt_id + 1
        messages = _attempt_problems(
            signer, row, turns.get(attempt_id, []), criteria.get(attempt_id, [])
        )
        report.problems += [Problem("attempt", attempt_id, row["trainee"], m) for m in messages]


def _attempt_problems(
    signer: Signer, row: dict[str, Any], turns: list[dict[str, Any]], criteria: list[dict[str, Any]]
) -> list[str]:
    if not row["header_mac"]:
        return ["is not signed: it was written outside qa-sim"]
    result = None
    if row["ended"]:
        if not row["signature"]:
            return ["has a result but no signature: it was finished outside qa-sim"]
        result = (result_values(row, criteria), row["signature"])
    elif row["signature"] or criteria:
        return ["is unfinished but carries a result: it was changed outside qa-sim"]
    return chain_problems(
        signer,
        int(row["id"]),
        header_values(row),
        row["header_mac"],
        ((turn_values(t), t["mac"]) for t in turns),
        result,
    )


def _check_exams(store: Store, signer: Signer, report: Report) -> None:
    for row in store.iter_exam_rows():
        report.exams += 1
        exam_id = int(row["id"])
        header = {k: row[k] for k in EXAM_HEADER}
        problems = []
        if not Signer.same(signer.mac("exam-header", exam_id, header), row["header_mac"]):
            problems.append(
                "its header (trainee, level, scenarios drawn, seed or times) was changed"
            )
        if row["status"] != "open":
            if not Signer.same(store._exam_signature(row), row["signature"]):
                problems.append(
                    "its result, or the attempts it is made of, were changed, removed or inserted"
                )
        elif row["signature"]:
            problems.append("is open but carries a signature: it was changed outside qa-sim")
        report.problems += [Problem("exam", exam_id, row["trainee"], m) for m in problems]


def certificate_problems(store: Store, cert: Certification) -> list[str]:
    row = store.rows("SELECT * FROM certifications WHERE id = ?", [cert.id])[0]
    mac = store.signer.certificate({k: row[k] for k in CERT_FIELDS})
    problems = []
    if not Signer.same(mac, row["signature"]) or Signer.code(mac) != row["code"]:
        problems.append(
            "its holder, level, dates or code were changed, or it was not issued by qa-sim"
        )
    exams = store.rows("SELECT * FROM exams WHERE id = ?", [row["exam_id"]])
    if not exams:
        problems.append(f"the exam it was granted for ({row['exam_id']}) is missing")
    elif exams[0]["status"] != "passed" or exams[0]["trainee"] != row["trainee"]:
        problems.append(
            f"the exam it was granted for ({row['exam_id']}) was not passed by its holder"
        )
    elif not Signer.same(store._exam_signature(exams[0]), exams[0]["signature"]):
        problems.append(f"the exam it was granted for ({row['exam_id']}) was tampered with")
    if cert.revoked:
        problems.append("it was revoked")
    return problems
