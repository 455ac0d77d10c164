"""Certification rules as tables: levels, eligibility, pools, exam draws and outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from qa_sim.library import ContentLibrary
from qa_sim.progress import certification as c
from qa_sim.progress.certification import ScenarioInfo
from qa_sim.progress.records import Attempt, AttemptResult, AttemptStart, Certification, Exam
from qa_sim.progress.track import Pool, Track
from qa_sim.tracks import find_track

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY, HOUR, SEC = timedelta(days=1), timedelta(hours=1), timedelta(seconds=1)
param = pytest.param

JUNIOR: dict[str, Any] = {
    "level": "junior", "title": "Junior", "practice": {"scenarios": 2, "min_score": 70},
    "exam": {"max_attempts": 2, "cooldown_hours": 0},
    "expires_after_days": 365, "recertify_within_days": 30,
}  # fmt: skip
HIGHER: list[dict[str, Any]] = [
    {"level": "intermediate", "title": "I", "requires": "junior",
     "practice": {"scenarios": 1, "min_score": 75}},
    {"level": "senior", "title": "S", "requires": "intermediate"},
]  # fmt: skip


def make_track(**junior: Any) -> Track:
    levels = [{**JUNIOR, **junior}, *HIGHER]
    return Track.model_validate({"kind": "track", "id": "t", "title": "T", "levels": levels})


TRACK = make_track()
RULES = TRACK.rules("junior")


def cert(level: str, *, expires_in: float | None = 355, granted_ago: float = 10,
         revoked: bool = False, track: str = "t") -> Certification:  # fmt: skip
    expires = None if expires_in is None else NOW + expires_in * DAY
    return Certification(1, "ann", track, level, NOW - granted_ago * DAY, expires, 1, "C", revoked)


def attempt(scenario: str, score: float = 80.0, *, mode: str = "practice", finished: bool = True,
            critical: str | None = None, turns: int = 5) -> Attempt:  # fmt: skip
    start = AttemptStart("ann", scenario, "junior", "en", mode, 1, "h", "r", "rh", "0", NOW - DAY)
    result = AttemptResult(NOW - DAY + HOUR, "resolved", None, None, score, True, critical, ())
    return Attempt(1, start, result if finished else None, "{}", turns)


def exam(status: str = "failed", *, ended_ago: timedelta = 2 * DAY, level: str = "junior",
         scenarios: tuple[str, ...] = ("a", "b"), track: str = "t") -> Exam:  # fmt: skip
    ended = NOW - ended_ago
    started = ended - 20 * 60 * SEC
    closed = None if status == "open" else ended
    return Exam(1, "ann", track, level, 7, scenarios, started, started + HOUR, closed, status)


POOL = ["p1", "p2", "p3"]
PRACTICED = [attempt("p1"), attempt("p2")]


def elig(level: str = "junior", track: Track = TRACK, **records: Any) -> c.Eligibility:
    attempts, exams, certs = (records.get(k, []) for k in ("attempts", "exams", "certs"))
    return c.eligibility(
        track, level, attempts=attempts, exams=exams, certs=certs, practice_pool=POOL, now=NOW
    )


def req(verdict: c.Eligibility, name: str) -> c.Requirement:
    return next(r for r in verdict.requirements if r.id == name)


def missing(verdict: c.Eligibility) -> list[str]:
    return [r.id for r in verdict.missing]


# -- levels ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("certs", "current", "following"),
    [
        param([], None, "junior", id="none"),
        param([cert("junior")], "junior", "intermediate", id="junior"),
        param([cert("junior"), cert("intermediate")], "intermediate", "senior", id="two"),
        param([cert(lv) for lv in ("junior", "intermediate", "senior")], "senior", None, id="all"),
        param([cert("junior"), cert("intermediate", expires_in=-1)], "junior", "intermediate",
              id="higher-expired"),
        param([cert("junior", expires_in=0)], None, "junior", id="expires-exactly-now"),
        param([cert("junior", expires_in=1 / 86400)], "junior", "intermediate",
              id="one-second-left"),
        param([cert("junior"), cert("intermediate", revoked=True)], "junior", "intermediate",
              id="higher-revoked"),
        param([cert("junior", expires_in=None)], "junior", "intermediate", id="never-expires"),
        param([cert("junior"), cert("senior")], "senior", "intermediate", id="gap"),
        param([cert("junior", track="other")], None, "junior", id="other-track"),
        param([cert("junior", track="")], "junior", "intermediate", id="legacy-no-track"),
    ],
)  # fmt: skip
def test_current_and_next_level(
    certs: list[Certification], current: str | None, following: str | None
) -> None:
    assert c.current_level(TRACK, certs, NOW) == current
    assert c.next_level(TRACK, certs, NOW) == following


def test_expiry_and_deadline() -> None:
    assert c.expiry(RULES, NOW) == NOW + 365 * DAY
    assert c.expiry(make_track(expires_after_days=None).rules("junior"), NOW) is None
    rules = make_track(exam={"time_limit_minutes": 20}).rules("junior")
    assert c.exam_deadline(rules, NOW) == NOW + 20 * 60 * SEC


# -- practice -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("attempts", "passed"),
    [
        param([attempt("p1"), attempt("p1", 90), attempt("p2")], ["p1", "p2"], id="distinct"),
        param([attempt("p1", 70)], ["p1"], id="min-score-counts"),
        param([attempt("p1", 69.99)], [], id="just-below-min-score"),
        param([attempt("p1", 95, critical="privacy")], [], id="critical-failure"),
        param([attempt("p1", mode="exam")], [], id="exam-mode"),
        param([attempt("p1", finished=False)], [], id="unfinished"),
        param([attempt("x9", 100)], [], id="outside-pool"),
        param([attempt("p1", 50), attempt("p1", 80)], ["p1"], id="a-later-pass-counts"),
    ],
)
def test_practice_passed(attempts: list[Attempt], passed: list[str]) -> None:
    assert c.practice_passed(RULES, attempts, POOL) == passed


def test_practice_requirement_reports_have_and_need() -> None:
    verdict = elig(attempts=[attempt("p1"), attempt("p1")])
    assert not verdict.eligible and not verdict.renewal
    practice = req(verdict, "practice")
    assert (practice.met, practice.have, practice.need, practice.detail) == (False, 1, 2, "70")


# -- eligibility ----------------------------------------------------------------------

INTERMEDIATE_PRACTICE = [attempt("p1", 80)]


@pytest.mark.parametrize(
    ("level", "records", "missed"),
    [
        param("junior", {}, ["practice"], id="fresh-needs-practice"),
        param("junior", {"attempts": PRACTICED}, [], id="practice-done"),
        param("intermediate", {"attempts": INTERMEDIATE_PRACTICE}, ["prerequisite"],
              id="prerequisite-missing"),
        param("intermediate", {"attempts": INTERMEDIATE_PRACTICE, "certs": [cert("junior")]}, [],
              id="prerequisite-held"),
        param("intermediate",
              {"attempts": INTERMEDIATE_PRACTICE, "certs": [cert("junior", expires_in=-1)]},
              ["prerequisite"], id="prerequisite-expired"),
        param("intermediate",
              {"attempts": INTERMEDIATE_PRACTICE, "certs": [cert("junior", revoked=True)]},
              ["prerequisite"], id="prerequisite-revoked"),
        param("junior", {"attempts": PRACTICED, "exams": [exam("open")]}, ["open_exam"],
              id="open-exam-blocks"),
        param("junior", {"certs": [cert("junior", expires_in=31)]}, ["certified"],
              id="certified-window-not-open"),
        param("junior", {"certs": [cert("junior", expires_in=30)]}, [],
              id="certified-window-opens-exactly"),
        param("junior", {"certs": [cert("junior", expires_in=None)]}, ["certified"],
              id="never-expiring-cert-blocks"),
    ],
)  # fmt: skip
def test_eligibility(level: str, records: dict[str, Any], missed: list[str]) -> None:
    verdict = elig(level, **records)
    assert missing(verdict) == missed
    assert verdict.eligible is (not missed)


def test_the_certified_requirement_names_when_the_window_opens() -> None:
    verdict = elig(certs=[cert("junior", expires_in=31)])
    assert verdict.renewal
    assert req(verdict, "certified").detail == "2026-06-02 12:00 UTC"
    assert req(elig(certs=[cert("junior", expires_in=None)]), "certified").detail == ""


@pytest.mark.parametrize(
    ("exam_only", "missed"),
    [param(True, [], id="exam-only"), param(False, ["practice"], id="practice-again")],
)
def test_renewal_in_the_window(exam_only: bool, missed: list[str]) -> None:
    verdict = elig(
        track=make_track(recertify_exam_only=exam_only), certs=[cert("junior", expires_in=10)]
    )
    assert verdict.renewal
    assert missing(verdict) == missed
    assert any(r.id == "practice" for r in verdict.requirements) is not exam_only


@pytest.mark.parametrize(
    ("exams", "certs", "used", "left"),
    [
        param([exam()], [], 1, 1, id="one-failed"),
        param([exam(), exam()], [], 2, 0, id="all-used"),
        param([exam(), exam("passed")], [], 1, 1, id="passed-not-counted"),
        param([exam(), exam(level="intermediate")], [], 1, 1, id="other-level-not-counted"),
        param([exam(ended_ago=400 * DAY)] * 2, [cert("junior", granted_ago=350, expires_in=15)],
              0, 2, id="reset-by-certification"),
        param([exam(ended_ago=400 * DAY)] * 2 + [exam()],
              [cert("junior", granted_ago=350, expires_in=15)], 1, 1, id="counted-since-cert"),
        param([exam(ended_ago=400 * DAY)] * 2,
              [cert("junior", granted_ago=350, expires_in=15, revoked=True)], 2, 0,
              id="revoked-cert-does-not-reset"),
    ],
)  # fmt: skip
def test_max_attempts(exams: list[Exam], certs: list[Certification], used: int, left: int) -> None:
    verdict = elig(attempts=PRACTICED, exams=exams, certs=certs)
    assert (verdict.attempts_used, verdict.attempts_left) == (used, left)
    assert (req(verdict, "attempts").have, req(verdict, "attempts").need) == (used, 2)
    assert verdict.eligible is (left > 0)


@pytest.mark.parametrize(
    ("hours", "ended_ago", "next_at"),
    [
        param(24, 24 * HOUR - SEC, NOW + SEC, id="one-second-before-the-end"),
        param(24, 24 * HOUR, None, id="exactly-at-the-end"),
        param(24, 24 * HOUR + SEC, None, id="after-the-end"),
        param(0, 0 * SEC, None, id="no-cooldown"),
        param(0.5, 10 * 60 * SEC, NOW + 20 * 60 * SEC, id="half-an-hour"),
    ],
)
def test_cooldown(hours: float, ended_ago: timedelta, next_at: datetime | None) -> None:
    track = make_track(exam={"max_attempts": 5, "cooldown_hours": hours})
    verdict = elig(track=track, attempts=PRACTICED, exams=[exam(ended_ago=ended_ago)])
    assert verdict.next_attempt_at == next_at
    assert missing(verdict) == ([] if next_at is None else ["cooldown"])


def test_cooldown_runs_from_the_latest_failure() -> None:
    track = make_track(exam={"max_attempts": 5, "cooldown_hours": 24})
    failed = [exam(ended_ago=3 * DAY), exam(ended_ago=HOUR), exam(ended_ago=2 * DAY)]
    verdict = elig(track=track, attempts=PRACTICED, exams=failed)
    assert verdict.next_attempt_at == NOW + 23 * HOUR
    assert req(verdict, "cooldown").detail == "2026-06-02 11:00 UTC"


def test_a_prerequisite_from_another_track_does_not_count() -> None:
    verdict = elig(
        "intermediate", attempts=INTERMEDIATE_PRACTICE, certs=[cert("junior", track="x")]
    )
    assert missing(verdict) == ["prerequisite"]


def test_failed_exams_of_another_track_do_not_count() -> None:
    verdict = elig(attempts=PRACTICED, exams=[exam(track="x"), exam(track="x")])
    assert verdict.eligible and verdict.attempts_used == 0


# -- pools and draws ----------------------------------------------------------------

INFOS = [
    ScenarioInfo("j-en-1", "junior", ("billing",), "en"),
    ScenarioInfo("j-en-2", "junior", ("angry",), "en"),
    ScenarioInfo("j-zh-1", "junior", ("billing", "angry"), "zh-CN"),
    ScenarioInfo("i-en-1", "intermediate", ("billing",), "en"),
]


@pytest.mark.parametrize(
    ("pool", "locale", "ids"),
    [
        param({}, None, ["j-en-1", "j-en-2", "j-zh-1"], id="own-level"),
        param({"level": "intermediate"}, None, ["i-en-1"], id="pool-level"),
        param({"scenarios": ["j-en-2", "i-en-1", "nope"]}, None, ["i-en-1", "j-en-2"],
              id="explicit-ids-ignore-level"),
        param({"tags": ["angry"]}, None, ["j-en-2", "j-zh-1"], id="tag"),
        param({"tags": ["billing", "nope"]}, None, ["j-en-1", "j-zh-1"], id="any-of-the-tags"),
        param({"locale": "zh-CN"}, None, ["j-zh-1"], id="pool-locale"),
        param({}, "zh-CN", ["j-zh-1"], id="trainee-locale-zh"),
        param({}, "en", ["j-en-1", "j-en-2"], id="trainee-locale-en"),
        param({"level": "intermediate"}, "zh-CN", ["i-en-1"], id="trainee-locale-falls-back"),
        param({"locale": "en"}, "zh-CN", ["j-en-1", "j-en-2"], id="pool-locale-wins"),
        param({"tags": ["nope"]}, "en", [], id="nothing-matches"),
    ],
)  # fmt: skip
def test_pool_scenarios(pool: dict[str, Any], locale: str | None, ids: list[str]) -> None:
    assert c.pool_scenarios(Pool.model_validate(pool), "junior", INFOS, locale) == ids


POOL8 = [f"s{i}" for i in range(8)]


def test_a_draw_is_fixed_by_its_seed_and_seeds_differ() -> None:
    drawn = c.draw_exam(POOL8, 3, seed=42)
    assert drawn == ["s1", "s5", "s2"]  # the same on every run and machine
    assert c.draw_exam(list(reversed(POOL8)) + POOL8, 3, seed=42) == drawn  # order, repeats
    assert len({tuple(c.draw_exam(POOL8, 3, seed)) for seed in range(20)}) > 1


@pytest.mark.parametrize(
    ("pool", "count", "size"),
    [
        param(POOL8, 3, 3, id="count"),
        param(["a", "b"], 5, 2, id="limited-to-pool"),
        param(["a", "a", "b"], 3, 2, id="duplicates-in-pool"),
        param([], 2, 0, id="empty-pool"),
    ],
)
def test_draw_size(pool: list[str], count: int, size: int) -> None:
    drawn = c.draw_exam(pool, count, seed=1)
    assert len(drawn) == len(set(drawn)) == size
    assert set(drawn) <= set(pool)


# -- exam outcome ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rules", "attempts", "expected"),
    [
        param({}, [attempt("a", 75), attempt("b", 75)], (True, 75.0, (75, 75), ()),
              id="average-at-pass-mark"),
        param({}, [attempt("a", 80), attempt("b", 69.8)],
              (False, 74.9, (80, 69.8), ("below_pass_mark",)), id="average-just-below"),
        param({}, [attempt("a", 100, critical="rude"), attempt("b", 90)],
              (False, 95.0, (100, 90), ("critical",)), id="critical-fails"),
        param({"each_at_least": 60}, [attempt("a", 100), attempt("b", 59)],
              (False, 79.5, (100, 59), ("below_each",)), id="one-below-each"),
        param({"each_at_least": 60}, [attempt("a", 100), attempt("b", 60)],
              (True, 80.0, (100, 60), ()), id="each-at-minimum"),
        param({}, [attempt("a", 90), attempt("b", 90, turns=1)],
              (False, 45.0, (90, 0), ("below_pass_mark", "unanswered")),
              id="opening-only-counts-0"),
        param({}, [attempt("a", 90)],
              (False, 45.0, (90, 0), ("below_pass_mark", "unanswered")),
              id="missing-attempt-counts-0"),
        param({}, [attempt("a", 90), attempt("b", finished=False)],
              (False, 45.0, (90, 0), ("below_pass_mark", "unanswered")),
              id="unfinished-counts-0"),
        param({"pass_mark": 40}, [attempt("a", 90)], (True, 45.0, (90, 0), ("unanswered",)),
              id="unanswered-yet-passed"),
        param({}, [attempt("b", 80), attempt("z", 0), attempt("a", 70)],
              (True, 75.0, (70, 80), ()), id="drawn-order-others-ignored"),
    ],
)  # fmt: skip
def test_exam_outcome(
    rules: dict[str, Any], attempts: list[Attempt], expected: tuple[Any, ...]
) -> None:
    """expected: (passed, score, scores in the order drawn, reasons)."""
    level = make_track(exam={"pass_mark": 75, **rules}).rules("junior")
    outcome = c.exam_outcome(level, exam(scenarios=("a", "b")), attempts)
    assert (outcome.passed, outcome.score, outcome.scores, outcome.reasons) == expected


def test_every_reason_at_once_in_order() -> None:
    level = make_track(exam={"pass_mark": 75, "each_at_least": 60}).rules("junior")
    attempts = [attempt("a", 50, critical="rude"), attempt("c", 90)]
    outcome = c.exam_outcome(level, exam(scenarios=("a", "b", "c")), attempts)
    assert not outcome.passed and outcome.score == 46.7
    assert outcome.reasons == ("below_pass_mark", "critical", "unanswered", "below_each")


def test_the_reported_score_agrees_with_the_verdict() -> None:
    level = make_track(exam={"pass_mark": 75}).rules("junior")
    outcome = c.exam_outcome(level, exam(), [attempt("a", 74.96), attempt("b", 74.98)])
    assert outcome.passed == (outcome.score >= 75)  # score 75.0, yet failed: below_pass_mark


# -- track files ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("levels", "message"),
    [
        param([JUNIOR, JUNIOR], "level junior is defined twice", id="defined-twice"),
        param([{"level": "intermediate", "title": "I", "requires": "junior"}, JUNIOR],
              "requires junior, which must be defined before it", id="requires-a-later-level"),
        param([{**JUNIOR, "requires": "junior"}], "must be defined before", id="requires-itself"),
        param([], "at least 1 item", id="no-levels"),
    ],
)  # fmt: skip
def test_track_validation(levels: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Track.model_validate({"kind": "track", "id": "t", "title": "T", "levels": levels})


def test_the_shipped_track() -> None:
    track = find_track(ContentLibrary([ROOT]))
    assert track.id == "contact-centre"
    assert track.level_names() == ["junior", "intermediate", "senior"]
    assert c.levels_in_order(track) == track.level_names()
    assert [r.requires for r in track.levels] == [None, "junior", "intermediate"]
    marks = [r.exam.pass_mark for r in track.levels]
    assert marks == sorted(set(marks)) and len(marks) == 3  # strictly rising
    assert all(r.expires_after_days for r in track.levels)
