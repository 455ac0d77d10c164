"""`qa-sim explore`: every ending of a scenario, reached by constructed replies."""

from __future__ import annotations

import argparse
import json
from typing import Any

from qa_sim.cli.common import CliError, Context
from qa_sim.i18n import display_width, pad


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    e = sub.add_parser(
        "explore",
        parents=[common],
        help="walk a scenario's branches with constructed replies: endings, scores, gaps",
        description="Builds replies meant to take each branch (from the scenario's phrase sets "
        "and steps and the rubric's phrases), plays them through the real scorer and runtime, "
        "and lists every ending with the best and worst score found, the branches and endings "
        "never reached, and endings where a criterion cannot be earned. Exit 1 if an ending "
        "was not reached.",
    )
    e.add_argument(
        "scenarios", nargs="+", metavar="SCENARIO", help="scenario files, ids or folders"
    )
    e.add_argument(
        "--max-paths", type=int, default=1000, metavar="N", help="replies to try (default 1000)"
    )
    e.add_argument("--json", action="store_true", help="one JSON object per scenario")
    e.set_defaults(func=cmd_explore)


def _scenarios(ctx: Context, refs: list[str]) -> list[Any]:
    from pathlib import Path

    from qa_sim.scenarios.loader import iter_yaml_files

    found = []
    for ref in refs:
        if Path(ref).is_dir():
            for path in iter_yaml_files([ref]):
                try:
                    found.append(ctx.library.find_scenario(str(path)))
                except LookupError:
                    continue  # rubrics and packs in the folder
            continue
        try:
            found.append(ctx.library.find_scenario(ref))
        except LookupError as exc:
            raise CliError(str(exc)) from None
    return found


def cmd_explore(ctx: Context) -> int:
    from qa_sim.explore import Explorer

    args = ctx.args
    if args.max_paths < 1:
        raise CliError("--max-paths must be at least 1")
    failed = False
    for loaded in _scenarios(ctx, args.scenarios):
        if loaded.scenario is None or any(d.severity == "error" for d in loaded.diagnostics):
            raise CliError(
                f"{loaded.path} has errors; run `qa-sim validate {loaded.path}` first", 1
            )
        result = Explorer(ctx.library, loaded).run(args.max_paths)
        failed = failed or bool(result.unreached_endings)
        if args.json:
            print(json.dumps(result.as_dict(), ensure_ascii=False))
            continue
        limit = (
            " (search limit reached; raise --max-paths to go further)" if result.truncated else ""
        )
        print(f"{result.scenario}: {result.expanded} replies tried{limit}")
        rows = [["ending", "outcome", "paths", "best", "worst", "best path"]]
        for e in result.endings.values():
            rows.append(
                [
                    e.ending,
                    e.outcome,
                    str(e.paths),
                    "-" if e.best is None else f"{e.best:.1f}",
                    "-" if e.worst is None else f"{e.worst:.1f}",
                    " → ".join(e.best_path) if e.paths else "NOT REACHED",
                ]
            )
        widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            print("  " + "  ".join(pad(c, widths[i]) for i, c in enumerate(row)).rstrip())
        for node, index in result.unreached_branches:
            print(f"  warning: branch {index + 1} of node '{node}' was never taken")
        for ending, criteria in result.unearnable.items():
            print(f"  warning: no path to '{ending}' lets the trainee earn {', '.join(criteria)}")
    return 1 if failed else 0
