"""Exams: eligibility, drawing scenarios, one training session per scenario, the outcome.

An exam is a row in the store with the scenarios drawn for it (seeded and
recorded) and a deadline. Each scenario is played through the same
`TrainingSession` as practice, in exam mode: no hints, no live feedback, the
per-reply limit, and the exam's deadline. A closed terminal resumes the open
exam where it stopped; an exam past its deadline is closed and graded on what
was answered.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from qa_sim.i18n import t
from qa_sim.library import ContentLibrary
from qa_sim.progress import certification as cert
from qa_sim.progress.errors import StoreError
from qa_sim.progress.records import Certification, Exam
from qa_sim.progress.track import LevelRules, Track
from qa_sim.tracks import scenario_infos
from qa_sim.training import Clock, Limits, SessionError, TrainingSession, utc_now

if TYPE_CHECKING:
    from qa_sim.progress.store import Store


@dataclass(frozen=True)
class ExamResult:
    exam: Exam
    outcome: cert.ExamOutcome
    certification: Certification | None


def practice_pool(library: ContentLibrary, rules: LevelRules) -> list[str]:
    return cert.pool_scenarios(rules.practice.pool, rules.level, scenario_infos(library))


def check_eligibility(
    library: ContentLibrary, store: Store, track: Track, trainee: str, level: str, now: datetime
) -> cert.Eligibility:
    rules = track.rules(level)
    return cert.eligibility(
        track,
        level,
        attempts=store.attempts(trainee, finished=True),
        exams=store.exams(trainee),
        certs=store.certifications(trainee),
        practice_pool=practice_pool(library, rules),
        now=now,
    )


class ExamRun:
    """One exam in progress: which scenario is next, the clock, the result."""

    def __init__(
        self, library: ContentLibrary, store: Store, track: Track, exam: Exam, clock: Clock
    ) -> None:
        self.library = library
        self.store = store
        self.track = track
        self.exam = exam
        self.rules = track.rules(exam.level)
        self.clock = clock

    @classmethod
    def start(
        cls,
        library: ContentLibrary,
        store: Store,
        track: Track,
        trainee: str,
        level: str,
        *,
        clock: Clock = utc_now,
        seed: int | None = None,
    ) -> ExamRun:
        """Check eligibility, draw the scenarios, open the exam (raises SessionError)."""
        person = store.trainee(trainee)
        if person is None:
            raise SessionError(f"no trainee '{trainee}' — add one with `qa-sim trainee add`")
        if level not in track.level_names():
            raise SessionError(f"track '{track.id}' has no level '{level}'")
        if store.open_exam(trainee) is not None:
            raise SessionError(f"{trainee} has an exam open; it resumes with `qa-sim exam start`")
        now = clock()
        verdict = check_eligibility(library, store, track, trainee, level, now)
        if not verdict.eligible:
            raise NotEligible(verdict)
        rules = track.rules(level)
        pool = cert.pool_scenarios(rules.exam.pool, level, scenario_infos(library), person.locale)
        seed = seed if seed is not None else secrets.randbelow(2**31)
        drawn = cert.draw_exam(pool, rules.exam.scenarios, seed)
        if not drawn:
            raise SessionError(
                f"the {level} exam pool has no scenarios; see `qa-sim validate rubrics`"
            )
        exam = store.create_exam(
            trainee, track.id, level, seed, drawn, now, cert.exam_deadline(rules, now)
        )
        return cls(library, store, track, exam, clock)

    @classmethod
    def resume(
        cls, library: ContentLibrary, store: Store, track: Track, exam: Exam, clock: Clock = utc_now
    ) -> ExamRun:
        return cls(library, store, track, exam, clock)

    @property
    def limits(self) -> Limits:
        return Limits(self.exam.deadline, self.rules.exam.reply_limit_seconds)

    @property
    def expired(self) -> bool:
        return self.clock() >= self.exam.deadline

    def attempts(self) -> dict[str, int]:
        """Scenario id -> its attempt in this exam."""
        return {a.start.scenario_id: a.id for a in self.store.attempts(exam_id=self.exam.id)}

    def position(self) -> tuple[int, int]:
        """(scenarios finished, scenarios in the exam)."""
        done = {
            a.start.scenario_id for a in self.store.attempts(exam_id=self.exam.id, finished=True)
        }
        return len(done), len(self.exam.scenarios)

    def next_session(self) -> TrainingSession | None:
        """The session for the next unfinished scenario (resumed if begun), or None when done
        or when the time is up."""
        if self.expired:
            return None
        finished = {
            a.start.scenario_id for a in self.store.attempts(exam_id=self.exam.id, finished=True)
        }
        for scenario in self.exam.scenarios:
            if scenario not in finished:
                return self.session_for(scenario)
        return None

    def session_for(self, scenario: str) -> TrainingSession:
        """This exam's session for one of its scenarios: resumed if begun, else started."""
        if scenario not in self.exam.scenarios:
            raise SessionError(
                f"'{scenario}' is not in exam {self.exam.id}; its scenarios: "
                + ", ".join(self.exam.scenarios)
            )
        for attempt in self.store.attempts(exam_id=self.exam.id, scenario_id=scenario):
            if attempt.finished:
                raise SessionError(f"'{scenario}' has been answered in exam {self.exam.id}")
            return TrainingSession.resume(
                self.library, self.store, attempt.id, clock=self.clock, limits=self.limits
            )
        return TrainingSession.start(
            self.library,
            scenario,
            seed=self.exam.seed + self.exam.scenarios.index(scenario),
            mode="exam",
            clock=self.clock,
            store=self.store,
            trainee=self.exam.trainee,
            exam_id=self.exam.id,
            limits=self.limits,
        )

    @property
    def complete(self) -> bool:
        done, total = self.position()
        return done >= total

    def finish(self) -> ExamResult:
        """Close what is still open (as timed out), grade the exam, certify on a pass."""
        for attempt in self.store.attempts(exam_id=self.exam.id, finished=False):
            session = TrainingSession.resume(
                self.library, self.store, attempt.id, clock=self.clock, limits=self.limits
            )
            session.close("timeout" if self.expired else "abandoned")
        attempts = [self.store.attempt(a.id) for a in self.store.attempts(exam_id=self.exam.id)]
        outcome = cert.exam_outcome(self.rules, self.exam, attempts)
        now = self.clock()
        try:
            granted = self.store.finish_exam(
                self.exam.id,
                now,
                outcome.passed,
                outcome.score,
                cert.expiry(self.rules, now) if outcome.passed else None,
            )
        except (LookupError, StoreError) as exc:
            raise SessionError(str(exc)) from None
        self.exam = self.store.exam(self.exam.id)
        return ExamResult(self.exam, outcome, granted)


class NotEligible(SessionError):
    def __init__(self, verdict: cert.Eligibility) -> None:
        super().__init__(f"not eligible for the {verdict.level} exam yet")
        self.verdict = verdict


def requirement_text(req: cert.Requirement, lang: str | None = None) -> str:
    detail = req.detail
    if req.id == "prerequisite":
        detail = t(f"level.{req.detail}", lang)
    return t(f"req.{req.id}", lang, have=f"{req.have:g}", need=f"{req.need:g}", detail=detail)


def target_level(track: Track, certs: list[Certification], now: datetime) -> str | None:
    """The level to work on next: the lowest not validly held, else one due for renewal."""
    level = cert.next_level(track, certs, now)
    if level is not None:
        return level
    for rules in track.levels:
        held = [c for c in cert.valid_certifications(certs, now) if c.level == rules.level]
        due = [
            c
            for c in held
            if c.expires is not None
            and now >= c.expires - timedelta(days=rules.recertify_within_days)
        ]
        if due and len(due) == len(held):
            return rules.level
    return None


def progress_summary(
    library: ContentLibrary, store: Store, track: Track, name: str, now: datetime
) -> dict[str, Any]:
    """Everything `qa-sim progress` and the app's home screen show about one trainee."""
    from qa_sim.progress.reports import weakest_criteria

    person = store.trainee(name)
    if person is None:
        known = [p.name for p in store.trainees()][:20]
        hint = ("known: " + ", ".join(known)) if known else "add one with `qa-sim trainee add`"
        raise SessionError(f"no trainee '{name}' — {hint}")
    certs = store.certifications(name)
    level = cert.current_level(track, certs, now)
    target = target_level(track, certs, now)
    summary: dict[str, Any] = {
        "trainee": person.name,
        "display_name": person.display_name,
        "locale": person.locale,
        "cohorts": list(person.cohorts),
        "track": track.id,
        "level": level,
        "next_level": target,
        "eligibility": None,
    }
    if target is not None:
        verdict = check_eligibility(library, store, track, name, target, now)
        summary["eligibility"] = {
            "level": target,
            "eligible": verdict.eligible,
            "renewal": verdict.renewal,
            "attempts_left": verdict.attempts_left,
            "next_attempt_at": verdict.next_attempt_at.isoformat()
            if verdict.next_attempt_at
            else None,
            "requirements": [
                {
                    "id": r.id,
                    "met": r.met,
                    "have": r.have,
                    "need": r.need,
                    "detail": r.detail,
                    "text": requirement_text(r),
                }
                for r in verdict.requirements
            ],
        }
    summary["weakest"] = [
        {"criterion": s.criterion, "rate": round(s.rate, 3), "met": s.met, "attempts": s.attempts}
        for s in weakest_criteria(store, name)
    ]
    summary["certifications"] = [
        {
            "level": c.level,
            "granted": c.granted.isoformat(),
            "expires": c.expires.isoformat() if c.expires else None,
            "valid": c in cert.valid_certifications([c], now),
            "code": c.code,
        }
        for c in certs
    ]
    summary["recent"] = [
        {
            "id": a.id,
            "scenario": a.start.scenario_id,
            "mode": a.start.mode,
            "started": a.start.started.isoformat(),
            "finished": a.finished,
            "score": a.score,
            "passed": a.passed,
            "outcome": a.result.outcome if a.result else None,
        }
        for a in store.attempts(name, limit=10)
    ]
    return summary
