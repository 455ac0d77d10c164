"""Commands for QA leads who write content: validate, graph."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from qa_sim.cli.common import CliError, Context
from qa_sim.diagnostics import Diagnostic
from qa_sim.i18n import t
from qa_sim.scenarios.graph import to_dot, to_mermaid


def register(sub: Any) -> None:
    v = sub.add_parser(
        "validate", help="check scenario, rubric and phrase-pack files",
        description="Check content files and folders. Prints path:line:col: error|warning CODE "
        "message for each finding; exits 1 if any error was found (or any warning, with --strict).",
    )
    v.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    v.add_argument("--strict", action="store_true", help="treat warnings as errors")
    v.add_argument("--no-warnings", action="store_true", help="print errors only")
    v.add_argument("--json", action="store_true", help="print findings as JSON Lines")
    v.set_defaults(func=cmd_validate)

    g = sub.add_parser("graph", help="print a scenario's dialogue graph (Mermaid or Graphviz)")
    g.add_argument("scenario", metavar="SCENARIO", help="scenario file or id")
    g.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    g.set_defaults(func=cmd_graph)


def cmd_validate(ctx: Context) -> int:
    args = ctx.args
    missing = [p for p in args.paths if not Path(p).exists()]
    diags: list[Diagnostic] = [
        Diagnostic(p, 1, 1, "error", "QS001", "no such file or folder") for p in missing
    ]
    present = [p for p in args.paths if Path(p).exists()]
    found, files = ctx.library.validate(present) if present else ([], 0)
    diags += found
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


def cmd_graph(ctx: Context) -> int:
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
