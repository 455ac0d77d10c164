"""Levels, eligibility, exam outcomes: pure functions over stored attempts.

Nothing here reads the database or the clock: callers pass the trainee's
attempts, exams and certifications and `now`, so every rule is a table of
cases in the tests (tests/unit/test_certification.py).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from qa_sim.progress.records import Attempt, Certification, Exam
from qa_sim.progress.track import LEVEL_ORDER, LevelRules, Pool, Track


@dataclass(frozen=True)
class ScenarioInfo:
    """What pools select on: a scenario's id, level, tags and locale."""

    id: str
    level: str
    tags: tuple[str, ...] = ()
    locale: str = "en"


@dataclass(frozen=True)
class Requirement:
    id: str  # prerequisite, practice, certified, open_exam, attempts, cooldown
    met: bool
    have: float = 0
    need: float = 0
    detail: str = ""  # a level, a time, scenario ids: what the message needs


@dataclass(frozen=True)
class Eligibility:
    level: str
    eligible: bool
    renewal: bool  # taking the exam again to renew a certification
    requirements: tuple[Requirement, ...]
    attempts_used: int
    attempts_left: int
    next_attempt_at: datetime | None

    @property
    def missing(self) -> list[Requirement]:
        return [r for r in self.requirements if not r.met]


@dataclass(frozen=True)
class ExamOutcome:
    passed: bool
    score: float
    scores: tuple[float, ...]  # per scenario, in the order drawn (0 when not answered)
    reasons: tuple[str, ...]  # why it failed: below_pass_mark, critical, below_each, unanswered


# -- certifications -----------------------------------------------------------------


def valid_certifications(certs: Iterable[Certification], now: datetime) -> list[Certification]:
    return [c for c in certs if not c.revoked and (c.expires is None or now < c.expires)]


def current_level(track: Track, certs: Iterable[Certification], now: datetime) -> str | None:
    """The highest level of the track the trainee holds a valid certification for."""
    held = {c.level for c in valid_certifications(certs, now) if c.track in ("", track.id)}
    best = None
    for level in track.level_names():
        if level in held:
            best = level
    return best


def next_level(track: Track, certs: Iterable[Certification], now: datetime) -> str | None:
    """The level to work on: the lowest one not validly held (None when all are)."""
    held = {c.level for c in valid_certifications(certs, now) if c.track in ("", track.id)}
    return next((lvl for lvl in track.level_names() if lvl not in held), None)


def expiry(rules: LevelRules, granted: datetime) -> datetime | None:
    return granted + timedelta(days=rules.expires_after_days) if rules.expires_after_days else None


# -- pools and practice -------------------------------------------------------------


def pool_scenarios(
    pool: Pool, level: str, scenarios: Iterable[ScenarioInfo], locale: str | None = None
) -> list[str]:
    """Scenario ids a pool selects: named ids, else the pool's level (default: this level)
    narrowed by tags and locale. `locale` (the trainee's) narrows further when it leaves any."""
    chosen = [
        s
        for s in scenarios
        if (s.id in pool.scenarios if pool.scenarios else s.level == (pool.level or level))
        and (not pool.tags or set(pool.tags) & set(s.tags))
        and (pool.locale is None or s.locale == pool.locale)
    ]
    if locale and any(s.locale == locale for s in chosen):
        chosen = [s for s in chosen if s.locale == locale]
    return sorted(s.id for s in chosen)


def practice_passed(
    rules: LevelRules, attempts: Iterable[Attempt], pool: Iterable[str]
) -> list[str]:
    """Distinct pool scenarios passed in practice at or above the level's minimum score."""
    ids = set(pool)
    return sorted(
        {
            a.start.scenario_id
            for a in attempts
            if a.start.mode == "practice"
            and a.result is not None
            and a.start.scenario_id in ids
            and a.result.critical_failed is None
            and a.result.score >= rules.practice.min_score
        }
    )


# -- eligibility ----------------------------------------------------------------------


def eligibility(
    track: Track,
    level: str,
    *,
    attempts: Sequence[Attempt],
    exams: Sequence[Exam],
    certs: Sequence[Certification],
    practice_pool: Iterable[str],
    now: datetime,
) -> Eligibility:
    rules = track.rules(level)
    valid = valid_certifications(certs, now)
    mine = [c for c in certs if c.level == level and not c.revoked and c.track in ("", track.id)]
    latest = max(mine, key=lambda c: c.granted, default=None)
    renewal = latest is not None
    reqs: list[Requirement] = []

    if rules.requires:
        held = any(c.level == rules.requires and c.track in ("", track.id) for c in valid)
        reqs.append(Requirement("prerequisite", held, detail=rules.requires))
    if latest is not None and (latest.expires is None or now < latest.expires):
        window = (
            latest.expires - timedelta(days=rules.recertify_within_days) if latest.expires else None
        )
        in_window = window is not None and now >= window
        reqs.append(Requirement("certified", in_window, detail=_when(window)))
    if not (renewal and rules.recertify_exam_only):
        passed = practice_passed(rules, attempts, practice_pool)
        reqs.append(
            Requirement(
                "practice",
                len(passed) >= rules.practice.scenarios,
                len(passed),
                rules.practice.scenarios,
                detail=f"{rules.practice.min_score:g}",
            )
        )
    level_exams = [e for e in exams if e.level == level and e.track in ("", track.id)]
    if any(e.open for e in level_exams):
        reqs.append(Requirement("open_exam", False))
    since = latest.granted if latest else None
    failed = [
        e for e in level_exams if e.status == "failed" and (since is None or e.started >= since)
    ]
    used = len(failed)
    left = max(0, rules.exam.max_attempts - used)
    reqs.append(Requirement("attempts", left > 0, used, rules.exam.max_attempts))
    next_at = None
    if failed and rules.exam.cooldown_hours:
        last = max(e.ended or e.started for e in failed)
        next_at = last + timedelta(hours=rules.exam.cooldown_hours)
        if now < next_at:
            reqs.append(Requirement("cooldown", False, detail=_when(next_at)))
        else:
            next_at = None
    eligible = all(r.met for r in reqs)
    return Eligibility(level, eligible, renewal, tuple(reqs), used, left, next_at)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") + " UTC" if moment else ""


# -- exams ------------------------------------------------------------------------------


def draw_exam(pool: Sequence[str], count: int, seed: int) -> list[str]:
    """`count` distinct scenarios from the pool, the same for the same seed."""
    ordered = sorted(set(pool))
    if not ordered:
        return []
    return random.Random(f"exam:{seed}").sample(ordered, min(count, len(ordered)))


def exam_deadline(rules: LevelRules, started: datetime) -> datetime:
    return started + timedelta(minutes=rules.exam.time_limit_minutes)


def exam_outcome(rules: LevelRules, exam: Exam, attempts: Sequence[Attempt]) -> ExamOutcome:
    """Pass when the average reaches the pass mark, no criterion failed critically and
    every scenario reached its own minimum. A scenario never answered scores 0."""
    by_scenario = {a.start.scenario_id: a for a in attempts if a.result is not None}
    scores: list[float] = []
    reasons: list[str] = []
    for scenario in exam.scenarios:
        attempt = by_scenario.get(scenario)
        if attempt is None or attempt.result is None or attempt.turn_count <= 1:
            scores.append(0.0)
            if "unanswered" not in reasons:
                reasons.append("unanswered")
            continue
        scores.append(attempt.result.score)
        if attempt.result.critical_failed and "critical" not in reasons:
            reasons.append("critical")
    # judged on the figure the trainee sees: 74.96 shows as 75.0, and 75.0 passes a 75 mark
    average = round(sum(scores) / len(scores), 1) if scores else 0.0
    if average < rules.exam.pass_mark:
        reasons.insert(0, "below_pass_mark")
    if rules.exam.each_at_least and any(s < rules.exam.each_at_least for s in scores):
        reasons.append("below_each")
    hard = {"below_pass_mark", "critical", "below_each"}
    return ExamOutcome(not hard & set(reasons), average, tuple(scores), tuple(reasons))


def levels_in_order(track: Track) -> list[str]:
    return [lvl for lvl in LEVEL_ORDER if lvl in track.level_names()]
