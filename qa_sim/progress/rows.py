"""Rows <-> records, and the exact values each signature covers (signing and verifying
read them the same way, from what is stored)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from qa_sim.progress.records import (
    Attempt,
    AttemptResult,
    AttemptStart,
    CriterionRow,
    Trainee,
    TurnRecord,
)


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def to_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def trainee_from_row(row: dict[str, Any], cohorts: tuple[str, ...]) -> Trainee:
    return Trainee(
        row["name"], row["display_name"], row["locale"], to_time(row["created"]), cohorts
    )


def start_row(start: AttemptStart) -> dict[str, Any]:
    return {
        "trainee": start.trainee,
        "scenario_id": start.scenario_id,
        "level": start.level,
        "locale": start.locale,
        "mode": start.mode,
        "seed": start.seed,
        "scenario_hash": start.scenario_hash,
        "rubric_id": start.rubric_id,
        "rubric_hash": start.rubric_hash,
        "engine_version": start.engine_version,
        "started": iso(start.started),
        "exam_id": start.exam_id,
    }


HEADER_FIELDS = (
    "trainee",
    "scenario_id",
    "level",
    "locale",
    "mode",
    "seed",
    "scenario_hash",
    "rubric_id",
    "rubric_hash",
    "engine_version",
    "started",
    "exam_id",
)
RESULT_FIELDS = (
    "ended",
    "outcome",
    "ending",
    "end_reason",
    "score",
    "passed",
    "critical_failed",
)


def header_values(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in HEADER_FIELDS}


def turn_row(attempt_id: int, turn: TurnRecord) -> dict[str, Any]:
    return {
        "attempt_id": attempt_id,
        "idx": turn.index,
        "role": turn.role,
        "text": turn.text,
        "at": iso(turn.at) if turn.at else None,
        "findings": json.dumps(turn.findings, ensure_ascii=False, sort_keys=True)
        if turn.findings is not None
        else None,
    }


def turn_values(row: dict[str, Any]) -> dict[str, Any]:
    return {"index": row["idx"], "role": row["role"], "text": row["text"], "at": row["at"]}


def result_row(result: AttemptResult) -> dict[str, Any]:
    return {
        "ended": iso(result.ended),
        "outcome": result.outcome,
        "ending": result.ending,
        "end_reason": result.end_reason,
        "score": round(result.score, 2),
        "passed": int(result.passed),
        "critical_failed": result.critical_failed,
    }


def result_values(row: dict[str, Any], criteria: Sequence[dict[str, Any]]) -> dict[str, Any]:
    values = {k: row[k] for k in RESULT_FIELDS}
    values["criteria"] = sorted(
        [c["criterion"], c["status"], c["points"], c["max_points"]] for c in criteria
    )
    return values


def attempt_from_row(
    row: dict[str, Any], criteria: tuple[CriterionRow, ...], count: int
) -> Attempt:
    start = AttemptStart(
        trainee=row["trainee"],
        scenario_id=row["scenario_id"],
        level=row["level"] or "",
        locale=row["locale"] or "",
        mode=row["mode"],
        seed=row["seed"],
        scenario_hash=row["scenario_hash"] or "",
        rubric_id=row["rubric_id"] or "",
        rubric_hash=row["rubric_hash"] or "",
        engine_version=row["engine_version"] or "",
        started=to_time(row["started"]),
        exam_id=row.get("exam_id"),
    )
    result = None
    if row["ended"]:
        result = AttemptResult(
            ended=to_time(row["ended"]),
            outcome=row["outcome"] or "",
            ending=row["ending"],
            end_reason=row["end_reason"],
            score=row["score"] or 0.0,
            passed=bool(row["passed"]),
            critical_failed=row["critical_failed"],
            criteria=criteria,
        )
    return Attempt(row["id"], start, result, row.get("state") or "", count, row.get("signature"))
