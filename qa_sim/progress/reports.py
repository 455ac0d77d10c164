"""Cohort and trainee queries for reports: a few aggregate queries, never a scan per row.

Sized for a contact centre's whole history (benchmarks/report.py builds a
database of 1,000,000 turns): averages come from one grouped query over the
attempts index, the weakest criteria from `trainee_criterion_stats`, which the
store keeps up to date as attempts finish.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from qa_sim.progress import certification as cert
from qa_sim.progress.records import Certification
from qa_sim.progress.rows import parse_time, to_time
from qa_sim.progress.store import Store
from qa_sim.progress.track import Track

MIN_ATTEMPTS_FOR_WEAKEST = 2


@dataclass(frozen=True)
class CohortRow:
    trainee: str
    display_name: str
    cohorts: tuple[str, ...]
    level: str | None
    attempts: int
    practice_passed: int
    exams: int
    average: float | None
    last_active: datetime | None
    weakest: str | None
    weakest_rate: float | None  # share of the criterion's points earned, 0-1

    def cells(self) -> list[str]:
        """The row as the report table and the app's cohort table show it."""
        from qa_sim.i18n import t

        return [
            self.display_name
            if self.display_name == self.trainee
            else f"{self.display_name} ({self.trainee})",
            t(f"level.{self.level}") if self.level else "-",
            str(self.attempts),
            "-" if self.average is None else f"{self.average:.1f}",
            "-"
            if self.weakest is None
            else f"{self.weakest} {100 * (self.weakest_rate or 0):.0f}%",
            self.last_active.strftime("%Y-%m-%d") if self.last_active else "-",
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "trainee": self.trainee,
            "display_name": self.display_name,
            "cohorts": list(self.cohorts),
            "level": self.level,
            "attempts": self.attempts,
            "practice_passed": self.practice_passed,
            "exams": self.exams,
            "average": None if self.average is None else round(self.average, 1),
            "last_active": self.last_active.isoformat() if self.last_active else None,
            "weakest": self.weakest,
            "weakest_rate": None if self.weakest_rate is None else round(self.weakest_rate, 2),
        }


@dataclass(frozen=True)
class CriterionStat:
    criterion: str
    attempts: int
    met: int
    rate: float  # points earned / points possible


def cohort_report(
    store: Store, track: Track, now: datetime, cohort: str | None = None
) -> list[CohortRow]:
    params: list[Any] = []
    join = ""
    if cohort:
        join = "JOIN trainee_cohorts c ON c.trainee = t.name AND c.cohort = ?"
        params.append(cohort)
    rows = store.rows(
        f"""
        SELECT t.name, t.display_name, COUNT(a.id) AS attempts, AVG(a.score) AS average,
               SUM(a.mode = 'practice' AND a.passed = 1) AS practice_passed, MAX(a.ended) AS last
        FROM trainees t {join}
        LEFT JOIN attempts a ON a.trainee = t.name AND a.ended IS NOT NULL
        GROUP BY t.name ORDER BY t.name
        """,
        params,
    )
    names = {r["name"] for r in rows}
    cohorts: dict[str, list[str]] = {}
    for r in store.rows("SELECT trainee, cohort FROM trainee_cohorts ORDER BY cohort"):
        cohorts.setdefault(r["trainee"], []).append(r["cohort"])
    exams = {
        r["trainee"]: r["n"]
        for r in store.rows("SELECT trainee, COUNT(*) AS n FROM exams GROUP BY trainee")
    }
    certs: dict[str, list[Certification]] = {}
    for c in store.certifications():
        certs.setdefault(c.trainee, []).append(c)
    weakest = _weakest_by_trainee(store, names)
    return [
        CohortRow(
            trainee=r["name"],
            display_name=r["display_name"],
            cohorts=tuple(cohorts.get(r["name"], ())),
            level=cert.current_level(track, certs.get(r["name"], []), now),
            attempts=r["attempts"],
            practice_passed=r["practice_passed"] or 0,
            exams=exams.get(r["name"], 0),
            average=r["average"],
            last_active=parse_time(r["last"]),
            weakest=weakest.get(r["name"], (None, None))[0],
            weakest_rate=weakest.get(r["name"], (None, None))[1],
        )
        for r in rows
    ]


def _weakest_by_trainee(store: Store, names: set[str]) -> dict[str, tuple[str, float]]:
    best: dict[str, tuple[str, float]] = {}
    for r in store.rows(
        "SELECT trainee, criterion, points, max_points FROM trainee_criterion_stats "
        "WHERE attempts >= ? AND max_points > 0",
        [MIN_ATTEMPTS_FOR_WEAKEST],
    ):
        if r["trainee"] not in names:
            continue
        rate = r["points"] / r["max_points"]
        current = best.get(r["trainee"])
        if current is None or (rate, r["criterion"]) < (current[1], current[0]):
            best[r["trainee"]] = (r["criterion"], rate)
    return best


def weakest_criteria(
    store: Store, trainee: str, recent: int = 20, top: int = 3
) -> list[CriterionStat]:
    """The criteria the trainee earns least of, over their most recent finished attempts."""
    rows = store.rows(
        """
        SELECT c.criterion, COUNT(*) AS attempts, SUM(c.status = 'met') AS met,
               SUM(c.points) AS points, SUM(c.max_points) AS max_points
        FROM criterion_results c
        WHERE c.status != 'n/a' AND c.attempt_id IN (
            SELECT id FROM attempts WHERE trainee = ? AND ended IS NOT NULL
            ORDER BY ended DESC LIMIT ?)
        GROUP BY c.criterion
        """,
        [trainee, recent],
    )
    stats = [
        CriterionStat(r["criterion"], r["attempts"], r["met"], r["points"] / r["max_points"])
        for r in rows
        if r["max_points"]
    ]
    stats.sort(key=lambda s: (s.rate, s.criterion))
    return [s for s in stats if s.rate < 1.0][:top]


def score_history(store: Store, trainee: str, limit: int = 50) -> list[tuple[datetime, float]]:
    rows = store.rows(
        "SELECT ended, score FROM attempts WHERE trainee = ? AND ended IS NOT NULL "
        "ORDER BY ended DESC LIMIT ?",
        [trainee, limit],
    )
    return [(to_time(r["ended"]), r["score"] or 0.0) for r in reversed(rows)]
