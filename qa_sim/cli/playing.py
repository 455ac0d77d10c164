"""`qa-sim play` and `qa-sim demo`: conversations in the terminal, without the app."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from qa_sim.cli.common import CliError, Context
from qa_sim.i18n import display_width, get_language, pad, t
from qa_sim.scenarios.loader import LoadedScenario
from qa_sim.scoring.scorecard import Scorecard
from qa_sim.training import SessionError, TimeUp, TrainingSession

if TYPE_CHECKING:
    from qa_sim.exams import ExamRun

DEMO_SCENARIO = "delayed-parcel-en"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "play",
        parents=[common],
        help="play a scenario headless (replies from a file, a pipe or the keyboard)",
        description="Play a scenario without the app. Replies come from --replies FILE (one per "
        "line), from standard input when it is piped, or interactively (type /hint or /quit).",
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file or id")
    p.add_argument("--replies", metavar="FILE", help="file with one reply per line")
    p.add_argument(
        "--seed", type=int, default=1, help="seed for variables and line variants (default 1)"
    )
    p.add_argument(
        "--json", action="store_true", help="print one JSON object instead of the transcript"
    )
    p.add_argument(
        "--today",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="date that date variables count back from (default: today)",
    )
    p.add_argument("--no-score", action="store_true", help="do not print the scorecard")
    p.add_argument(
        "--trainee",
        metavar="NAME",
        help="record the attempt for this trainee, turn by turn (an unfinished one resumes)",
    )
    p.add_argument(
        "--mode",
        choices=("practice", "exam"),
        default="practice",
        help="exam: play this scenario of the trainee's open exam (no hints, timed)",
    )
    p.add_argument(
        "--restart",
        action="store_true",
        help="abandon the trainee's unfinished attempt of this scenario and start again",
    )
    p.set_defaults(func=cmd_play)

    d = sub.add_parser(
        "demo", parents=[common], help="watch a scripted playthrough of a bundled scenario"
    )
    d.add_argument("scenario", nargs="?", default=DEMO_SCENARIO, metavar="SCENARIO")
    d.set_defaults(func=cmd_demo)


def _replies_from(args: argparse.Namespace) -> tuple[Iterator[str] | None, bool]:
    """The replies to play and whether they are typed live (then timed)."""
    if args.replies:
        path = Path(args.replies)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise CliError(f"no such replies file: {path}") from None
        except UnicodeDecodeError:
            raise CliError(f"{path} is not UTF-8 text") from None
        except OSError as exc:
            raise CliError(f"cannot read {path}: {exc.strerror}") from None
        return iter([ln.strip() for ln in lines if ln.strip()]), False
    if not sys.stdin.isatty():  # piped: one reply per line, read as they arrive
        return (ln.strip() for ln in sys.stdin if ln.strip()), False
    return None, True


def _start(
    ctx: Context, ref: str, seed: int, timed: bool, today: date | None = None
) -> TrainingSession:
    loaded = _loaded(ctx, ref)
    try:
        return TrainingSession.start(ctx.library, loaded, seed=seed, timed=timed, today=today)
    except SessionError as exc:
        raise CliError(str(exc)) from None


def _customer(session: TrainingSession, line: str, mood: int, out: TextIO, change: int = 0) -> None:
    name = session.scenario.customer.name
    label = f"{t('play.customer')} {name} · {t('play.mood', mood=mood)}"
    if change:
        label += f" ({change:+d})"
    print(f"{label}\n  {line}" if line else label, file=out)


def print_header(session: TrainingSession, out: TextIO) -> None:
    sc = session.scenario
    print(
        t(
            "play.header",
            title=sc.title,
            id=sc.id,
            locale=sc.locale,
            level=t(f"level.{sc.level}"),
            category=t(f"category.{sc.category}"),
        ),
        file=out,
    )
    print("", file=out)
    state = session.state
    _customer(session, state.transcript[0].text, state.mood_history[0], out)


def print_ending(session: TrainingSession, out: TextIO) -> None:
    state = session.state
    outcome = t(f"outcome.{state.outcome}")
    reason = t(f"end.{state.end_reason}") if state.end_reason else ""
    ending = state.ending or "—"
    text = (
        t("play.ending_reason", ending=ending, outcome=outcome, reason=reason)
        if reason
        else t("play.ending", ending=ending, outcome=outcome)
    )
    print(f"\n{text}", file=out)
    summary = session.runtime.ending_summary()
    if summary:
        print(f"  {summary}", file=out)


def print_scorecard(card: Scorecard, out: TextIO) -> None:
    verdict = t("play.passed") if card.passed else t("play.failed")
    print(
        t("play.score", score=f"{card.total:g}", verdict=verdict, pass_mark=f"{card.pass_mark:g}"),
        file=out,
    )
    if card.critical_failed:
        print(t("play.critical", criterion=card.critical_failed), file=out)
    width = max(display_width(c.title) for c in card.criteria)
    status_width = max(display_width(t(f"status.{c.status}")) for c in card.criteria)
    for c in card.criteria:
        status = t(f"status.{c.status}")
        pts = "" if c.status == "n/a" else f"{c.points:4.1f}/{c.max_points:g}"
        print(
            f"  {pad(c.title, width)}  {pad(status, status_width)} {pts:>9}  {c.reason}", file=out
        )


def play(
    session: TrainingSession,
    replies: Iterator[str] | None,
    out: TextIO,
    echo: bool = True,
    header: bool = True,
) -> bool:
    """Feed replies until the conversation ends or they run out; False when a recorded
    attempt was paused (it resumes later) rather than finished."""
    if header:
        print_header(session, out)
    elif session.state.transcript:
        _customer(session, session.runtime.last_customer_line, session.state.mood, out)
    quit_early = False
    while not session.finished:
        if replies is None:
            try:
                reply = input(t("play.prompt")).strip()
            except EOFError:
                break
            if reply in ("/quit", "/q"):
                quit_early = True
                break
            if reply in ("/hint", "/h"):
                for hint in session.hints() or [t("play.no_hint")]:
                    print(t("play.hint_line", hint=hint), file=out)
                continue
            if not reply:
                continue
        else:
            reply = next(replies, "").strip()
            if not reply:
                break
            if echo:
                print(f"\n{t('play.you')}\n  {reply}", file=out)
        try:
            turn = session.submit(reply)
        except TimeUp as exc:
            print(f"\n{t('exam.time_up', reason=exc)}", file=out)
            break
        if replies is None or echo:
            print("", file=out)
        result = turn.result
        _customer(
            session, result.line, result.mood_after, out, result.mood_after - result.mood_before
        )
    if not session.finished:
        print(f"\n{t('play.quit' if quit_early else 'play.unfinished')}", file=out)
        if session.recording is not None:
            print(t("play.paused", id=session.attempt_id, turn=session.state.turn), file=out)
            return False
        session.abandon()
    print_ending(session, out)
    return True


def as_json(session: TrainingSession, card: Scorecard | None) -> dict[str, Any]:
    state = session.state
    data: dict[str, Any] = {
        "scenario": session.scenario.id,
        "seed": state.seed,
        "ending": state.ending,
        "outcome": state.outcome,
        "end_reason": state.end_reason,
        "path": state.path,
        "summary": session.runtime.ending_summary(),
        "transcript": [{"role": u.role, "text": u.text} for u in state.transcript],
        "mood": state.mood_history,
    }
    if card is not None:
        data["score"] = card.total
        data["passed"] = card.passed
        data["critical_failed"] = card.critical_failed
        data["criteria"] = [
            {"id": c.id, "status": c.status, "points": round(c.points, 2), "max": c.max_points}
            for c in card.criteria
        ]
    return data


def cmd_play(ctx: Context) -> int:
    args = ctx.args
    replies, live = _replies_from(args)
    if args.json and replies is None:
        raise CliError("--json needs replies from --replies FILE or a pipe")
    if args.trainee is None:
        if args.mode == "exam":
            raise CliError("--mode exam needs --trainee: exams are recorded")
        session = _start(ctx, args.scenario, args.seed, timed=live, today=args.today)
    else:
        session = _recorded_session(ctx, live)
    if args.json:
        for reply in replies or ():
            if session.finished:
                break
            try:
                session.submit(reply)
            except TimeUp:
                break
        if not session.finished and session.recording is None:
            session.abandon()
        card = None if args.no_score else session.scorecard(get_language())
        data = as_json(session, card)
        if session.recording is not None:
            data["attempt"] = session.attempt_id
            data["finished"] = session.finished
        print(json.dumps(data, ensure_ascii=False))
        _after_exam_scenario(ctx, session)
        return 0
    finished = play(session, replies, sys.stdout, echo=not live)
    if finished and not args.no_score:
        print("", file=sys.stdout)
        if session.live_feedback:
            print_scorecard(session.scorecard(get_language()), sys.stdout)
    if session.recording is not None and finished:
        print(t("play.recorded", id=session.attempt_id), file=sys.stderr)
    _after_exam_scenario(ctx, session)
    return 0


def _recorded_session(ctx: Context, live: bool) -> TrainingSession:
    """The trainee's attempt at this scenario: resumed if unfinished, else a new one."""
    args = ctx.args
    loaded = _loaded(ctx, args.scenario)
    assert loaded.scenario is not None
    store = ctx.store
    if store.trainee(args.trainee) is None:
        raise CliError(f"no trainee '{args.trainee}' — add one with `qa-sim trainee add`", 1)
    try:
        if args.mode == "exam":
            return _exam_run(ctx).session_for(loaded.scenario.id)
        open_attempt = store.open_attempt(args.trainee, loaded.scenario.id)
        if open_attempt is not None and args.restart:
            TrainingSession.resume(ctx.library, store, open_attempt.id).abandon()
        elif open_attempt is not None:
            session = TrainingSession.resume(ctx.library, store, open_attempt.id)
            print(t("play.resuming", id=open_attempt.id, turn=session.state.turn), file=sys.stderr)
            return session
        return TrainingSession.start(
            ctx.library,
            loaded,
            seed=args.seed,
            timed=live,
            today=args.today,
            store=store,
            trainee=args.trainee,
        )
    except SessionError as exc:
        raise CliError(str(exc), 1) from None


def _exam_run(ctx: Context) -> ExamRun:
    from qa_sim.exams import ExamRun

    exam = ctx.store.open_exam(ctx.args.trainee)
    if exam is None:
        raise CliError(
            f"{ctx.args.trainee} has no open exam — start one with "
            f"`qa-sim exam start --trainee {ctx.args.trainee} --level LEVEL`",
            1,
        )
    return ExamRun.resume(ctx.library, ctx.store, ctx.track(exam.track or None), exam)


def _after_exam_scenario(ctx: Context, session: TrainingSession) -> None:
    """When the last scenario of an exam ends, the exam is graded at once."""
    if session.mode != "exam" or not session.finished:
        return
    from qa_sim.cli.certify import print_exam_result

    run = _exam_run(ctx)
    if run.complete or run.expired:
        print_exam_result(ctx, run.finish(), sys.stderr)


def _loaded(ctx: Context, ref: str) -> LoadedScenario:
    try:
        loaded = ctx.library.find_scenario(ref)
    except LookupError as exc:
        raise CliError(str(exc)) from None
    errors = [d for d in loaded.diagnostics if d.severity == "error"]
    if errors or loaded.scenario is None:
        for d in errors:
            print(d.render(), file=sys.stderr)
        raise CliError(
            f"{loaded.path} has errors; fix them first (qa-sim validate {loaded.path})", 1
        )
    return loaded


def cmd_demo(ctx: Context) -> int:
    """A scripted playthrough: the scenario's first golden test, shown as a chat."""
    session = _start(ctx, ctx.args.scenario, 1, timed=False)
    tests = session.scenario.tests
    if not tests:
        raise CliError(f"scenario '{session.scenario.id}' has no scripted replies (tests:) to demo")
    session = _start(ctx, ctx.args.scenario, tests[0].seed, timed=False)
    play(session, iter(tests[0].replies), sys.stdout)
    print("", file=sys.stdout)
    print_scorecard(session.scorecard(get_language()), sys.stdout)
    return 0
