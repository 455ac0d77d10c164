"""`qa-sim rescore`: what a draft rubric would change in stored results, before it ships."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from typing import Any

from qa_sim.cli.common import CliError, Context
from qa_sim.i18n import display_width, pad


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    r = sub.add_parser(
        "rescore",
        parents=[common],
        help="re-grade stored attempts under a draft rubric and show what would change",
        description="Re-grades finished attempts graded with the draft's rubric id (or all "
        "with --any-rubric) and lists score, pass and criterion changes. Nothing is written "
        "unless --apply; exam attempts are signed records of a certification and are never "
        "rewritten.",
    )
    r.add_argument("--rubric", required=True, metavar="DRAFT", help="rubric file or id")
    r.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD")
    r.add_argument("--trainee", metavar="NAME", help="only this trainee's attempts")
    r.add_argument(
        "--any-rubric", action="store_true", help="also attempts graded with another rubric"
    )
    r.add_argument("--apply", action="store_true", help="store the new practice results")
    r.add_argument("--json", action="store_true", help="one JSON object per attempt")
    r.add_argument("--all", action="store_true", help="list unchanged attempts too")
    r.set_defaults(func=cmd_rescore)


def cmd_rescore(ctx: Context) -> int:
    from qa_sim.cli.grading import load_engine
    from qa_sim.recording import result_from
    from qa_sim.training import SessionError, TrainingSession

    args = ctx.args
    engine = load_engine(ctx.library, args.rubric)
    store = ctx.store
    since = datetime.combine(args.since, datetime.min.time(), UTC) if args.since else None
    attempts = [
        a
        for a in store.attempts(args.trainee, since=since, finished=True)
        if args.any_rubric or a.start.rubric_id == engine.rubric.id
    ]
    changed = applied = skipped = 0
    lines: list[list[str]] = []
    for summary in reversed(attempts):
        old = store.attempt(summary.id)
        assert old.result is not None
        try:
            session = TrainingSession.replay(ctx.library, store, old.id, engine=engine)
        except SessionError as exc:
            skipped += 1
            print(f"attempt {old.id}: skipped — {exc}", file=sys.stderr)
            continue
        card = session.scorecard("en")
        before = {c.criterion: c.status for c in old.result.criteria}
        diffs = [
            f"{c.id} {before.get(c.id, '-')}→{c.status}"
            for c in card.criteria
            if before.get(c.id) != c.status
        ]
        moved = abs(card.total - old.result.score) >= 0.05 or card.passed != old.result.passed
        if not (moved or diffs) and not args.all:
            continue
        changed += bool(moved or diffs)
        note = ""
        if args.apply and (moved or diffs):
            if old.start.mode == "practice":
                state = session.runtime.state
                store.replace_result(
                    old.id,
                    result_from(
                        card, old.result.ended, state.outcome, state.ending, state.end_reason
                    ),
                )
                applied += 1
                note = "applied"
            else:
                note = "kept (signed exam result)"
        if args.json:
            print(
                json.dumps(
                    {
                        "attempt": old.id,
                        "trainee": old.start.trainee,
                        "scenario": old.start.scenario_id,
                        "mode": old.start.mode,
                        "score": [old.result.score, card.total],
                        "passed": [old.result.passed, card.passed],
                        "criteria": diffs,
                        "applied": note == "applied",
                    },
                    ensure_ascii=False,
                )
            )
            continue
        lines.append(
            [
                f"#{old.id}",
                old.start.trainee,
                old.start.scenario_id,
                f"{old.result.score:5.1f} → {card.total:5.1f}",
                _pass(old.result.passed, card.passed),
                ", ".join(diffs) or "-",
                note,
            ]
        )
    if not args.json:
        _table(lines)
        verb = "changed" if args.apply else "would change"
        print(
            f"{len(attempts)} attempts re-graded with {engine.rubric.id}: {changed} {verb}"
            + (f", {applied} stored" if args.apply else " (nothing stored; add --apply)")
            + (f", {skipped} skipped" if skipped else "")
        )
    if args.apply and applied and not args.json:
        print("results re-signed; `qa-sim verify` checks them", file=sys.stderr)
    if not attempts and not args.json:
        raise CliError(
            f"no finished attempts graded with '{engine.rubric.id}'; see --any-rubric", 1
        )
    return 0


def _pass(before: bool, after: bool) -> str:
    word = {True: "pass", False: "fail"}
    return word[after] if before == after else f"{word[before]}→{word[after]}"


def _table(lines: list[list[str]]) -> None:
    if not lines:
        return
    widths = [max(display_width(row[i]) for row in lines) for i in range(len(lines[0]))]
    for row in lines:
        print("  ".join(pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
