"""`qa-sim schema` and `qa-sim new`: comfort for authors writing content by hand."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from qa_sim.cli.common import CliError, Context

SKELETONS = Path(__file__).resolve().parent.parent / "skeletons"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
DEFAULT_RUBRIC = {"inquiry": "inquiry", "complaint": "complaint"}


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    s = sub.add_parser(
        "schema",
        parents=[common],
        help="print the JSON Schema of a content file kind (for editor completion)",
        description="Prints a JSON Schema for yaml-language-server and other editors. Save it "
        "and point a modeline at it: `# yaml-language-server: $schema=scenario.schema.json`.",
    )
    s.add_argument("kind", choices=("scenario", "rubric", "phrases", "track"))
    s.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    s.set_defaults(func=cmd_schema)

    n = sub.add_parser("new", parents=[common], help="write a commented skeleton to start from")
    nsub = n.add_subparsers(dest="what", metavar="WHAT", required=True)
    sc = nsub.add_parser(
        "scenario",
        parents=[common],
        help="a scenario skeleton that validates and passes its own tests",
    )
    sc.add_argument("id", help="scenario id: lower-case letters, digits, '-' and '_'")
    sc.add_argument("--locale", choices=("en", "zh-CN"), default="en")
    sc.add_argument("--level", choices=("junior", "intermediate", "senior"), default="junior")
    sc.add_argument("--category", default="inquiry", help="inquiry, complaint, after-sales ...")
    sc.add_argument("--rubric", help="rubric id (default: by category, else standard)")
    sc.add_argument(
        "--output", metavar="PATH", help="file to write (default: scenarios/ID.yaml here)"
    )
    sc.add_argument("--force", action="store_true", help="overwrite an existing file")
    sc.set_defaults(func=cmd_new_scenario)


def cmd_schema(ctx: Context) -> int:
    from qa_sim.schema import schema

    text = json.dumps(schema(ctx.args.kind), ensure_ascii=False, indent=2) + "\n"
    if ctx.args.output:
        Path(ctx.args.output).write_text(text, encoding="utf-8")
        print(f"wrote {ctx.args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_new_scenario(ctx: Context) -> int:
    args = ctx.args
    if not ID_RE.match(args.id):
        raise CliError(f"'{args.id}' cannot be a scenario id — use lower-case letters, digits, '-'")
    if not re.match(r"^[a-z][a-z-]*$", args.category):
        raise CliError(f"'{args.category}' cannot be a category — e.g. inquiry, after-sales")
    rubric = args.rubric or DEFAULT_RUBRIC.get(args.category, "standard")
    if rubric not in ctx.library.rubrics:
        known = ", ".join(sorted(ctx.library.rubrics))
        raise CliError(f"no rubric '{rubric}' in the content folders — rubrics: {known}")
    target = Path(args.output) if args.output else Path("scenarios") / f"{args.id}.yaml"
    if target.exists() and not args.force:
        raise CliError(f"{target} exists; choose another --output, or --force to replace it", 1)
    schema_file = target.parent / "scenario.schema.json"
    text = (SKELETONS / f"scenario.{args.locale}.yaml").read_text(encoding="utf-8")
    for key, value in {
        "__SCHEMA__": os.path.relpath(schema_file, target.parent),
        "__ID__": args.id,
        "__LEVEL__": args.level,
        "__CATEGORY__": args.category,
        "__RUBRIC__": rubric,
        "__PATH__": str(target),
    }.items():
        text = text.replace(key, value)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        if not schema_file.exists():
            from qa_sim.schema import schema

            schema_file.write_text(
                json.dumps(schema("scenario"), indent=2) + "\n", encoding="utf-8"
            )
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc.strerror}") from None
    print(f"wrote {target} (and {schema_file} for editor completion)")
    print(f"next: edit the TODO lines, then `qa-sim validate {target}` and `qa-sim test {target}`")
    return 0
