"""Commands for QA leads who write content: validate, graph."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from qa_sim.cli.common import CliError, Context
from qa_sim.diagnostics import Diagnostic, sort_diagnostics
from qa_sim.i18n import t


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    v = sub.add_parser(
        "validate",
        parents=[common],
        help="check scenario, rubric and phrase-pack files",
        description="Check content files and folders. Prints path:line:col: error|warning CODE "
        "message for each finding; exits 1 if any error was found (or any warning, with --strict).",
    )
    v.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    v.add_argument("--strict", action="store_true", help="treat warnings as errors")
    v.add_argument("--no-warnings", action="store_true", help="print errors only")
    v.add_argument("--json", action="store_true", help="print findings as JSON Lines")
    v.add_argument(
        "--explore",
        action="store_true",
        help="also walk each scenario's branches (qa-sim explore) and warn on unreachable "
        "endings and branches, and criteria no path lets the trainee earn (QS060-QS062)",
    )
    v.set_defaults(func=cmd_validate)

    te = sub.add_parser(
        "test",
        parents=[common],
        help="run the golden transcripts (tests:) of scenarios",
        description="Play every scripted route under tests: and compare ending, path, criteria "
        "and score with what it expects. Exits 1 if any test fails.",
    )
    te.add_argument(
        "paths", nargs="*", metavar="PATH", help="scenario files or folders (default: the library)"
    )
    te.add_argument(
        "-k",
        dest="keyword",
        metavar="TEXT",
        help="only tests whose scenario id or name contains TEXT",
    )
    te.add_argument("-v", "--verbose", action="store_true", help="list passing tests too")
    te.set_defaults(func=cmd_test)

    g = sub.add_parser(
        "graph", parents=[common], help="print a scenario's dialogue graph (Mermaid or Graphviz)"
    )
    g.add_argument("scenario", metavar="SCENARIO", help="scenario file or id")
    g.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    g.set_defaults(func=cmd_graph)


def _explored(ctx: Context, paths: list[str]) -> list[Diagnostic]:
    from qa_sim.explore import explore_diagnostics
    from qa_sim.library import read_content_file
    from qa_sim.scenarios.loader import LoadedScenario, iter_yaml_files

    out: list[Diagnostic] = []
    for path in iter_yaml_files(paths):
        f = read_content_file(path)
        if f.kind == "scenario" and f.model is not None:
            out += explore_diagnostics(ctx.library, LoadedScenario(f.path, f.doc, f.model, []))
    return out


def cmd_validate(ctx: Context) -> int:
    args = ctx.args
    missing = [p for p in args.paths if not Path(p).exists()]
    diags: list[Diagnostic] = [
        Diagnostic(p, 1, 1, "error", "QS001", "no such file or folder") for p in missing
    ]
    present = [p for p in args.paths if Path(p).exists()]
    found, files = ctx.library.validate(present) if present else ([], 0)
    diags += found
    if args.explore and not any(d.severity == "error" for d in found):
        diags = sort_diagnostics(diags + _explored(ctx, present))
    if present and files == 0:
        diags.append(Diagnostic(present[0], 1, 1, "error", "QS001", "no .yaml files found here"))
    errors = sum(d.severity == "error" for d in diags)
    warnings = len(diags) - errors
    for d in diags:
        if args.no_warnings and d.severity == "warning":
            continue
        print(json.dumps(d.as_dict(), ensure_ascii=False) if args.json else d.render())
    print(t("validate.summary", files=files, errors=errors, warnings=warnings), file=sys.stderr)
    return 1 if errors or (args.strict and warnings) else 0


def cmd_test(ctx: Context) -> int:
    from qa_sim.goldens import run_goldens
    from qa_sim.library import read_content_file
    from qa_sim.scenarios.loader import LoadedScenario, iter_yaml_files

    args = ctx.args
    if args.paths:
        files = [read_content_file(p) for p in iter_yaml_files(args.paths)]
        scenarios = [
            LoadedScenario(f.path, f.doc, f.model, f.diagnostics)
            for f in files
            if f.kind == "scenario"
        ]
    else:
        scenarios = ctx.library.scenarios()
    broken = [
        s
        for s in scenarios
        if s.scenario is None or any(d.severity == "error" for d in s.diagnostics)
    ]
    for s in broken:
        print(f"ERROR {s.path}: does not validate (qa-sim validate {s.path})")
    ok = [s for s in scenarios if s not in broken]
    results = run_goldens(ctx.library, ok)
    if args.keyword:
        results = [r for r in results if args.keyword in r.scenario or args.keyword in r.test]
    failed = [r for r in results if not r.passed]
    for r in results:
        if r.passed:
            if args.verbose:
                print(f"PASSED {r.scenario} :: {r.test}")
            continue
        print(f"FAILED {r.scenario} :: {r.test}  ({r.path})")
        for line in [r.error] if r.error else r.failures:
            print(f"    {line}")
    print(
        f"{len(results) - len(failed)} passed, {len(failed)} failed"
        + (f", {len(broken)} scenarios with errors" if broken else "")
    )
    return 1 if failed or broken else 0


def cmd_graph(ctx: Context) -> int:
    from qa_sim.scenarios.graph import to_dot, to_mermaid

    try:
        loaded = ctx.library.find_scenario(ctx.args.scenario)
    except LookupError as exc:
        raise CliError(str(exc)) from None
    if loaded.scenario is None:
        for d in loaded.diagnostics:
            print(d.render(), file=sys.stderr)
        raise CliError(f"{loaded.path} does not load; fix the errors above", 1)
    render = to_dot if ctx.args.format == "dot" else to_mermaid
    sys.stdout.write(render(loaded.scenario))
    return 0
