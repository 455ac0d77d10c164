"""`qa-sim exam`, `qa-sim certificate`, `qa-sim verify`: certification from the terminal."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from qa_sim.cli.common import CliError, Context
from qa_sim.errors import SessionError
from qa_sim.i18n import t

if TYPE_CHECKING:
    from qa_sim.exams import ExamResult


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    ex = sub.add_parser(
        "exam",
        parents=[common],
        help="take a certification exam (or resume the open one), or see its status",
        description="An exam draws scenarios at random from the level's pool and plays them "
        "without hints or live feedback, against the track's time limits. A closed terminal "
        "loses nothing: `exam start` again resumes the open exam (its clock keeps running).",
    )
    esub = ex.add_subparsers(dest="action", metavar="ACTION", required=True)
    st = esub.add_parser("start", parents=[common], help="start or resume an exam")
    st.add_argument("--trainee", required=True, metavar="NAME")
    st.add_argument("--level", required=True, choices=("junior", "intermediate", "senior"))
    st.add_argument("--track", help="certification track id (default: the library's)")
    st.add_argument(
        "--replies-dir",
        metavar="DIR",
        help="replies per scenario in DIR/<scenario-id>.txt, one per line (else typed or piped)",
    )
    st.add_argument("--seed", type=int, help="seed for drawing the scenarios (default: random)")
    st.set_defaults(func=cmd_exam_start)
    ss = esub.add_parser("status", parents=[common], help="the trainee's open or last exam")
    ss.add_argument("--trainee", required=True, metavar="NAME")
    ss.add_argument("--json", action="store_true")
    ss.set_defaults(func=cmd_exam_status)

    ce = sub.add_parser(
        "certificate",
        parents=[common],
        help="print a trainee's certificate for a level (HTML or Markdown)",
    )
    ce.add_argument("name")
    ce.add_argument("level", choices=("junior", "intermediate", "senior"))
    ce.add_argument("--format", choices=("html", "md"), default="html")
    ce.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    ce.set_defaults(func=cmd_certificate)

    ve = sub.add_parser(
        "verify",
        parents=[common],
        help="check the signatures of every stored attempt, exam and certificate",
        description="Checks every signed record with the QA lead's key and names each "
        "attempt whose turns or scores were changed, removed or inserted; exit 1 if any. "
        "With --certificate CODE, checks one certificate.",
    )
    ve.add_argument("--certificate", metavar="CODE", help="a certificate's verification code")
    ve.add_argument("--json", action="store_true")
    ve.set_defaults(func=cmd_verify)


def now() -> datetime:
    return datetime.now(UTC)


def _signing(action: Any) -> Any:
    from qa_sim.progress.integrity import KeyError_

    try:
        return action()
    except KeyError_ as exc:
        raise CliError(str(exc), 2) from None


# -- exam ---------------------------------------------------------------------------


def cmd_exam_start(ctx: Context) -> int:
    from qa_sim.cli.playing import play
    from qa_sim.exams import ExamRun, NotEligible, requirement_text

    args = ctx.args
    store, track = ctx.store, ctx.track(args.track)
    exam = store.open_exam(args.trainee)
    try:
        if exam is not None:
            if exam.level != args.level:
                raise CliError(
                    f"{args.trainee} has a {exam.level} exam open; finish it first "
                    f"(`qa-sim exam start --trainee {args.trainee} --level {exam.level}`)",
                    1,
                )
            run = ExamRun.resume(ctx.library, store, track, exam)
            done, total = run.position()
            left = max(0, int((exam.deadline - now()).total_seconds()))
            print(
                t(
                    "exam.resuming",
                    id=exam.id,
                    done=done,
                    n=total,
                    left=f"{left // 60}:{left % 60:02d}",
                )
            )
        else:
            run = _signing(
                lambda: ExamRun.start(
                    ctx.library, store, track, args.trainee, args.level, seed=args.seed
                )
            )
    except NotEligible as exc:
        print(t("progress.not_eligible", level=t(f"level.{args.level}")), file=sys.stderr)
        for r in exc.verdict.missing:
            print(f"  ✗ {requirement_text(r)}", file=sys.stderr)
        return 1
    except SessionError as exc:
        raise CliError(str(exc), 1) from None
    rules = run.rules.exam
    print(
        t(
            "exam.header",
            level=t(f"level.{run.exam.level}"),
            name=args.trainee,
            n=len(run.exam.scenarios),
            minutes=rules.time_limit_minutes,
            reply=rules.reply_limit_seconds or 0,
        )
    )
    shared = _piped_replies() if not args.replies_dir else None
    while True:
        try:
            session = run.next_session()
        except SessionError as exc:
            raise CliError(str(exc), 1) from None
        if session is None:
            break
        index = run.exam.scenarios.index(session.scenario.id) + 1
        print(f"\n== {t('exam.scenario', i=index, n=len(run.exam.scenarios))} ==")
        replies = (
            _replies_for(args.replies_dir, session.scenario.id) if args.replies_dir else shared
        )
        fresh = len(session.state.transcript) <= 1
        finished = play(session, replies, sys.stdout, echo=replies is not None, header=fresh)
        if not finished and not session.finished:
            print(t("exam.paused", id=run.exam.id))
            return 0
    result = run.finish()
    print_exam_result(ctx, result, sys.stdout)
    return 0 if result.outcome.passed else 1


def _piped_replies() -> Any:
    if sys.stdin.isatty():
        return None
    return (ln.strip() for ln in sys.stdin if ln.strip())


def _replies_for(folder: str, scenario: str) -> Any:
    path = Path(folder) / f"{scenario}.txt"
    if not path.is_file():
        raise CliError(
            f"no replies for '{scenario}': {path} is missing (the exam stays open; add the file "
            "and run the same command)",
            1,
        )
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {path}: {exc}") from None
    return iter([ln.strip() for ln in lines if ln.strip()])


def print_exam_result(ctx: Context, result: ExamResult, out: TextIO) -> None:
    outcome = result.outcome
    rules = ctx.track(result.exam.track or None).rules(result.exam.level).exam
    print("", file=out)
    for scenario, score in zip(result.exam.scenarios, outcome.scores, strict=True):
        print(f"  {score:5.1f}  {scenario}", file=out)
    if outcome.passed:
        print(t("exam.passed", score=outcome.score, pass_mark=f"{rules.pass_mark:g}"), file=out)
    else:
        reasons = t("reason.list_sep").join(t(f"exam.reason.{r}") for r in outcome.reasons)
        print(
            t(
                "exam.failed",
                score=outcome.score,
                pass_mark=f"{rules.pass_mark:g}",
                reasons=reasons,
            ),
            file=out,
        )
    if result.certification is not None:
        print(
            t(
                "exam.certified",
                level=t(f"level.{result.exam.level}"),
                code=result.certification.code,
            ),
            file=out,
        )


def cmd_exam_status(ctx: Context) -> int:
    store = ctx.store
    exam = store.open_exam(ctx.args.trainee)
    exams = store.exams(ctx.args.trainee)
    exam = exam or (exams[-1] if exams else None)
    if exam is None:
        print(f"{ctx.args.trainee}: no exams yet")
        return 0
    done = [a for a in store.attempts(exam_id=exam.id) if a.finished]
    answered = [a.start.scenario_id for a in done]
    data: dict[str, Any] = {
        "exam": exam.id,
        "level": exam.level,
        "status": exam.status,
        "scenarios": list(exam.scenarios),
        "answered": answered,
        "started": exam.started.isoformat(),
        "deadline": exam.deadline.isoformat(),
        "score": exam.score,
    }
    if ctx.args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    print(f"exam {exam.id} ({t('level.' + exam.level)}): {exam.status}")
    for s in exam.scenarios:
        print(f"  {'✓' if s in answered else '·'} {s}")
    if exam.open:
        left = int((exam.deadline - now()).total_seconds())
        print(f"  deadline {exam.deadline:%Y-%m-%d %H:%M} UTC ({max(0, left) // 60} min left)")
    elif exam.score is not None:
        print(f"  score {exam.score:.1f}")
    return 0


# -- certificate and verify -------------------------------------------------------------


def cmd_certificate(ctx: Context) -> int:
    from qa_sim.progress import certification as cert
    from qa_sim.templates import render

    args = ctx.args
    store = ctx.store
    person = store.trainee(args.name)
    if person is None:
        raise CliError(f"no trainee '{args.name}' — see `qa-sim trainee list`", 1)
    held = [
        c
        for c in cert.valid_certifications(store.certifications(args.name), now())
        if c.level == args.level
    ]
    if not held:
        raise CliError(
            f"{args.name} holds no valid {args.level} certification — see `qa-sim progress {args.name}`",
            1,
        )
    c = held[-1]
    exam = store.exam(c.exam_id)
    lang = ctx.args.lang or person.locale
    track = ctx.track(c.track or None)
    zh = lang == "zh-CN"
    labels = {
        "granted": "授予日期" if zh else "Granted",
        "expires": "有效期至" if zh else "Valid until",
        "exam": "考试" if zh else "Exam",
        "code": "验证码" if zh else "Verification code",
        "verify": "验证方法：" if zh else "To verify:",
    }
    text = render(
        f"certificate.{args.format}.j2",
        lang=lang,
        title="岗位资格证书" if zh else "Certificate of qualification",
        track_title=track.title.get(lang),
        awarded_to="兹证明" if zh else "This certifies that",
        holder=person.display_name,
        level_title=track.rules(c.level).title.get(lang),
        granted=f"{c.granted:%Y-%m-%d}",
        expires=f"{c.expires:%Y-%m-%d}" if c.expires else ("长期有效" if zh else "no expiry"),
        exam_score=f"{exam.score:.1f}" if exam.score is not None else "-",
        exam_scenarios=", ".join(exam.scenarios),
        code=c.code,
        labels=labels,
    )
    if args.output:
        from qa_sim.cli.grading import atomic_output

        with atomic_output(args.output) as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_verify(ctx: Context) -> int:
    from qa_sim.progress import certification as cert
    from qa_sim.progress.verify import certificate_problems, verify_store

    store = ctx.store
    if ctx.args.certificate:
        found = store.certificate(ctx.args.certificate)
        if found is None:
            print(f"unknown certificate code {ctx.args.certificate}: not issued from this database")
            return 1
        problems = _signing(lambda: certificate_problems(store, found))
        person = store.trainee(found.trainee)
        valid = bool(cert.valid_certifications([found], now()))
        status = "valid" if valid and not problems else ("expired" if not problems else "INVALID")
        expires = f"{found.expires:%Y-%m-%d}" if found.expires else "no expiry"
        holder = person.display_name if person else found.trainee
        print(
            f"{found.code}: {holder} ({found.trainee}), {found.level}, granted "
            f"{found.granted:%Y-%m-%d}, {expires} — {status}"
        )
        for p in problems:
            print(f"  ✗ {p}")
        return 0 if status == "valid" else 1
    report = _signing(lambda: verify_store(store))
    if ctx.args.json:
        print(
            json.dumps(
                {
                    "ok": report.ok,
                    "attempts": report.attempts,
                    "turns": report.turns,
                    "exams": report.exams,
                    "certificates": report.certificates,
                    "problems": [p.__dict__ for p in report.problems],
                },
                ensure_ascii=False,
            )
        )
    else:
        for p in report.problems:
            print(p.render())
        verdict = "all signatures valid" if report.ok else f"{len(report.problems)} problems"
        print(
            f"checked {report.attempts} attempts ({report.turns} turns), {report.exams} exams, "
            f"{report.certificates} certificates: {verdict}"
            + (
                f"; {report.unsigned_legacy} attempts predate signing"
                if report.unsigned_legacy
                else ""
            )
        )
    return 0 if report.ok else 1
