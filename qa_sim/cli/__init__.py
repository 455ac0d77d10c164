"""The `qa-sim` command. Subcommands live in sibling modules; the TUI is imported lazily."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from qa_sim import __version__
from qa_sim.cli.common import CliError, Context
from qa_sim.config import load_settings
from qa_sim.i18n import detect_language, set_language

DESCRIPTION = """\
Practise, certify and grade customer-service conversations.

Run without a command to open the app. Content (scenarios and rubrics) comes
from the bundled library plus folders given with --content or QA_SIM_CONTENT.
"""

EPILOG = """\
examples:
  qa-sim validate scenarios rubrics      check content, exit 1 on any error
  qa-sim play delayed-parcel-en          chat with a simulated customer
  qa-sim play kettle-refund-zh --replies r.txt --json
  qa-sim graph delayed-parcel-zh --format mermaid
  qa-sim explore scenarios               every ending with its best and worst score
  qa-sim new scenario refund-en --level junior --category after-sales
  qa-sim schema scenario --output scenario.schema.json
  qa-sim grade chats.jsonl --rubric standard --format json --workers 2
  qa-sim calibrate --rubric standard --labels labels.jsonl --map anything_else=needs_question
  qa-sim trainee add wang.fang --display-name 王芳 --locale zh-CN --cohort 2026-11
  qa-sim play delayed-parcel-zh --trainee wang.fang   recorded; resumes if cut off
  qa-sim progress wang.fang              level, what is left, weakest criteria
  qa-sim exam start --trainee wang.fang --level junior
  qa-sim report --cohort 2026-11 --format html --output cohort.html
  qa-sim verify                          exit 1 if any stored result was tampered with
"""

# sub-command modules, in the order --help lists them; imported only when a command runs,
# so `qa-sim` alone (the app) starts without loading the engine
MODULES = ("authoring", "explore", "scaffold", "playing", "grading", "people", "certify", "rescore")


def _global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """--lang, --content and --db, accepted before or after the command.

    Sub-commands get them without defaults (SUPPRESS), so a value given before
    the command is not overwritten by the sub-command's default.
    """

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument(
        "--lang",
        choices=("en", "zh-CN"),
        default=default(None),
        help="interface language (default: settings, then system locale)",
    )
    parser.add_argument(
        "--content",
        action="append",
        metavar="DIR",
        default=default([]),
        help="extra content folder holding scenarios/ and rubrics/ (repeatable)",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=default(None),
        help="database file (default: QA_SIM_DB or the user data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa-sim",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"qa-sim {__version__}")
    _global_options(parser, defaults=True)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, defaults=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in MODULES:
        importlib.import_module(f"qa_sim.cli.{name}").register(sub, common)
    return parser


def _app_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """The parsed global options when the command line asks for the app (no command)."""
    if any(a in ("-h", "--help", "--version") for a in argv):
        return None
    parser = argparse.ArgumentParser(prog="qa-sim", add_help=False)
    _global_options(parser, defaults=True)
    try:
        args, rest = parser.parse_known_args(list(argv))
    except SystemExit:
        return None
    if rest:
        return None
    args.command = None
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _app_arguments(argv) or build_parser().parse_args(argv)
    settings = load_settings()
    set_language(detect_language(args.lang, settings.language))
    ctx = Context(args=args, settings=settings)
    for problem in settings.problems:
        print(f"qa-sim: {problem}", file=sys.stderr)
    try:
        if args.command is None:
            return run_default(ctx)
        return int(args.func(ctx))
    except CliError as exc:
        print(f"qa-sim: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: say so briefly, full trace only on request
        if os.environ.get("QA_SIM_DEBUG"):
            raise
        print(
            f"qa-sim: internal error: {exc.__class__.__name__}: {exc}\n"
            "  (set QA_SIM_DEBUG=1 to see the traceback, and please report it)",
            file=sys.stderr,
        )
        return 70


def run_default(ctx: Context) -> int:
    """`qa-sim` with no command: the app (or, where Textual cannot run, the demo)."""
    try:
        tui = importlib.import_module("qa_sim.tui")
    except ImportError:
        from qa_sim.cli.playing import DEMO_SCENARIO, cmd_demo

        ctx.args.scenario = DEMO_SCENARIO
        return cmd_demo(ctx)
    return int(tui.launch(ctx))
