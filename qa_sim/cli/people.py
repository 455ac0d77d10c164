"""`qa-sim trainee`, `qa-sim progress` and `qa-sim report`: who is training and how they do."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import UTC, datetime
from typing import Any

from qa_sim.cli.common import CliError, Context
from qa_sim.errors import SessionError
from qa_sim.i18n import display_width, get_language, pad, t


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    tr = sub.add_parser(
        "trainee",
        parents=[common],
        help="add, list, show or change trainee profiles",
        description="Trainee profiles: a short name to type (lower case), a display name, "
        "the interface language and the cohorts they belong to.",
    )
    tsub = tr.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = tsub.add_parser("add", parents=[common], help="add a trainee")
    add.add_argument("name", help="short name: lower-case letters, digits, . _ -")
    add.add_argument("--display-name", help="the name shown and printed on certificates")
    add.add_argument("--locale", choices=("en", "zh-CN"), default="en", help="interface language")
    add.add_argument(
        "--cohort", action="append", default=[], metavar="TAG", help="cohort tag (repeatable)"
    )
    lst = tsub.add_parser("list", parents=[common], help="list trainees")
    lst.add_argument("--cohort", metavar="TAG", help="only this cohort")
    lst.add_argument("--json", action="store_true", help="one JSON object per line")
    show = tsub.add_parser("show", parents=[common], help="a trainee's profile and summary")
    show.add_argument("name")
    show.add_argument("--json", action="store_true")
    upd = tsub.add_parser("set", parents=[common], help="change a trainee's profile")
    upd.add_argument("name")
    upd.add_argument("--display-name")
    upd.add_argument("--locale", choices=("en", "zh-CN"))
    upd.add_argument("--add-cohort", action="append", default=[], metavar="TAG")
    upd.add_argument("--remove-cohort", action="append", default=[], metavar="TAG")
    tr.set_defaults(func=cmd_trainee)

    pr = sub.add_parser(
        "progress",
        parents=[common],
        help="a trainee's level, what is left for the next certification, weakest criteria",
    )
    pr.add_argument("name")
    pr.add_argument("--track", help="certification track id (default: the library's)")
    pr.add_argument("--json", action="store_true", help="print one JSON object")
    pr.set_defaults(func=cmd_progress)

    rp = sub.add_parser(
        "report",
        parents=[common],
        help="cohort report: level, attempts, average and weakest criterion per trainee",
    )
    rp.add_argument("--cohort", metavar="TAG", help="only trainees of this cohort")
    rp.add_argument("--track", help="certification track id (default: the library's)")
    rp.add_argument("--format", choices=("table", "csv", "json", "html"), default="table")
    rp.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    rp.set_defaults(func=cmd_report)


def now() -> datetime:
    return datetime.now(UTC)


# -- trainee ------------------------------------------------------------------------


def cmd_trainee(ctx: Context) -> int:
    from qa_sim.progress.errors import StoreError

    args = ctx.args
    store = ctx.store
    try:
        if args.action == "add":
            person = store.add_trainee(args.name, args.display_name, args.locale, args.cohort)
            print(f"added {person.name} ({person.display_name}, {person.locale})")
        elif args.action == "set":
            person = store.update_trainee(
                args.name,
                display_name=args.display_name,
                locale=args.locale,
                add_cohorts=args.add_cohort,
                remove_cohorts=args.remove_cohort,
            )
            print(
                f"{person.name}: {person.display_name}, {person.locale}, cohorts: "
                + (", ".join(person.cohorts) or "-")
            )
        elif args.action == "list":
            people = store.trainees(args.cohort)
            if args.json:
                for p in people:
                    print(json.dumps(_person(p), ensure_ascii=False))
            elif not people:
                print(t("report.none"))
            else:
                for p in people:
                    print(
                        f"{pad(p.name, 20)} {pad(p.display_name, 24)} {p.locale:6} "
                        + ", ".join(p.cohorts)
                    )
        else:
            return _show(ctx)
    except StoreError as exc:
        raise CliError(str(exc), 1) from None
    return 0


def _person(p: Any) -> dict[str, Any]:
    return {
        "name": p.name,
        "display_name": p.display_name,
        "locale": p.locale,
        "cohorts": list(p.cohorts),
        "created": p.created.isoformat(),
    }


def _show(ctx: Context) -> int:
    person = ctx.store.trainee(ctx.args.name)
    if person is None:
        raise CliError(f"no trainee '{ctx.args.name}' — see `qa-sim trainee list`", 1)
    attempts = ctx.store.attempts(person.name)
    data = _person(person)
    data["attempts"] = len(attempts)
    data["finished"] = sum(1 for a in attempts if a.finished)
    data["certifications"] = [
        {"level": c.level, "granted": c.granted.isoformat(), "code": c.code}
        for c in ctx.store.certifications(person.name)
    ]
    if ctx.args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    print(f"{person.display_name} ({person.name})")
    print(f"  locale {person.locale}; cohorts: {', '.join(person.cohorts) or '-'}")
    print(
        f"  created {person.created:%Y-%m-%d}; attempts {data['attempts']} ({data['finished']} finished)"
    )
    for c in data["certifications"]:
        print(f"  {t('level.' + c['level'])}: {c['granted'][:10]}  {c['code']}")
    return 0


# -- progress -----------------------------------------------------------------------


def cmd_progress(ctx: Context) -> int:
    from qa_sim.exams import progress_summary

    track = ctx.track(ctx.args.track)
    try:
        summary = progress_summary(ctx.library, ctx.store, track, ctx.args.name, now())
    except SessionError as exc:
        raise CliError(str(exc), 1) from None
    if ctx.args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    print_progress(summary, sys.stdout)
    return 0


def print_progress(s: dict[str, Any], out: Any) -> None:
    level = (
        t("progress.level", level=t(f"level.{s['level']}"))
        if s["level"]
        else t("progress.level_none")
    )
    print(t("progress.title", name=s["display_name"], level=level), file=out)
    e = s["eligibility"]
    if e is None:
        print(t("progress.all_done"), file=out)
    else:
        name = t(f"level.{e['level']}")
        renewal = t("progress.renewal") if e["renewal"] else ""
        print(t("progress.next", level=name, renewal=renewal).rstrip(), file=out)
        if e["eligible"]:
            print("  " + t("progress.eligible", level=e["level"], name=s["trainee"]), file=out)
        else:
            print("  " + t("progress.not_eligible", level=name), file=out)
        for r in e["requirements"]:
            print(f"    {'✓' if r['met'] else '✗'} {r['text']}", file=out)
    if s["weakest"]:
        print(t("progress.weakest"), file=out)
        for w in s["weakest"]:
            print(
                t(
                    "progress.weak_line",
                    criterion=w["criterion"],
                    pct=100 * w["rate"],
                    met=w["met"],
                    n=w["attempts"],
                ),
                file=out,
            )
    if s["certifications"]:
        print(t("progress.certs"), file=out)
        for c in s["certifications"]:
            expiry = t("progress.no_expiry")
            if c["expires"]:
                key = "progress.expires" if c["valid"] else "progress.expired"
                expiry = t(key, date=c["expires"][:10])
            print(
                t(
                    "progress.cert_line",
                    level=t(f"level.{c['level']}"),
                    granted=c["granted"][:10],
                    expiry=expiry,
                    code=c["code"],
                ),
                file=out,
            )
    print(t("progress.recent"), file=out)
    if not s["recent"]:
        print("  " + t("progress.nothing"), file=out)
    for a in s["recent"]:
        score = "   -  " if a["score"] is None else f"{a['score']:5.1f}"
        mark = "✓" if a["passed"] else ("…" if not a["finished"] else "✗")
        print(
            f"  #{a['id']:<5} {a['started'][:16].replace('T', ' ')}  {pad(t('mode.' + a['mode']), 8)} "
            f"{score} {mark}  {a['scenario']}",
            file=out,
        )


# -- report -------------------------------------------------------------------------

COLUMNS = ("trainee", "level", "attempts", "average", "weakest", "last")


def cmd_report(ctx: Context) -> int:
    from qa_sim.progress.reports import cohort_report

    args = ctx.args
    rows = cohort_report(ctx.store, ctx.track(args.track), now(), args.cohort)
    if args.format == "json":
        text = "".join(json.dumps(r.as_dict(), ensure_ascii=False) + "\n" for r in rows)
    elif args.format == "csv":
        text = _csv([r.as_dict() for r in rows])
    elif args.format == "html":
        from qa_sim.templates import render

        text = render(
            "report.html.j2",
            rows=rows,
            cohort=args.cohort,
            generated=now(),
            t=t,
            lang=get_language(),
        )
    else:
        text = _table(rows)
    if args.output:
        from qa_sim.cli.grading import atomic_output

        with atomic_output(args.output) as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


def _csv(rows: list[dict[str, Any]]) -> str:
    import io

    buffer = io.StringIO()
    fields = list(rows[0]) if rows else ["trainee"]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in r.items()})
    return buffer.getvalue()


def _table(rows: list[Any]) -> str:
    if not rows:
        return t("report.none") + "\n"
    cells = [[t(f"report.col.{c}") for c in COLUMNS]]
    cells += [r.cells() for r in rows]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"
