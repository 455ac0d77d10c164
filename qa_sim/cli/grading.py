"""`qa-sim grade` and `qa-sim calibrate`: rubrics on real transcripts and human labels."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from qa_sim.cli.common import CliError, Context
from qa_sim.i18n import get_language, pad, t
from qa_sim.library import ContentLibrary, read_content_file
from qa_sim.scoring.batch import Item, csv_header, grade_stream
from qa_sim.scoring.calibrate import CriterionAgreement, calibrate, read_labels
from qa_sim.scoring.engine import RubricEngine
from qa_sim.scoring.rubric import Rubric
from qa_sim.scoring.transcripts import (
    BadLine,
    Conversation,
    TranscriptError,
    count_lines,
    raw_jsonl_lines,
    read_csv,
    read_transcripts,
)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    g = sub.add_parser(
        "grade",
        parents=[common],
        help="grade real transcripts (JSON Lines or CSV) with a rubric",
        description="Grade conversations with a rubric. FILE is JSON Lines (one conversation "
        "per line: id, locale, turns[{role, text, at}]) or CSV (conversation_id, role, text, "
        "at). Bad lines are reported on stderr as FILE:LINE: message and skipped; the exit "
        "code is 1 if any line was rejected.",
    )
    g.add_argument("file", metavar="FILE", help="transcripts (.jsonl or .csv)")
    g.add_argument("--rubric", default="standard", help="rubric id or file (default: standard)")
    g.add_argument("--format", choices=("table", "json", "csv"), default="table")
    g.add_argument(
        "--workers", type=int, default=1, metavar="N", help="processes to use (default 1)"
    )
    g.add_argument("--output", metavar="FILE", help="write results here instead of stdout")
    g.add_argument("--quiet", action="store_true", help="no progress bar and no summary on stderr")
    g.set_defaults(func=cmd_grade)

    c = sub.add_parser(
        "calibrate",
        parents=[common],
        help="agreement of a rubric with human QA labels",
        description="Compare the rubric's verdicts with human labels per criterion: "
        "precision, recall, F1, Cohen's kappa, the confusion counts, and the disagreements "
        "with their text. See docs/rubric-format.md#calibration for the label formats.",
    )
    c.add_argument("--rubric", default="standard", help="rubric id or file (default: standard)")
    c.add_argument("--labels", required=True, metavar="FILE", help="human labels (.jsonl or .csv)")
    c.add_argument("--transcripts", metavar="FILE", help="conversations the labels refer to by id")
    c.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="LABEL=CRITERION",
        help="read a label name as a criterion (repeatable), e.g. anything_else=needs_question",
    )
    c.add_argument("--locale", choices=("en", "zh-CN"), help="language of label rows without one")
    c.add_argument("--criteria", metavar="IDS", help="only these criteria (comma-separated)")
    c.add_argument(
        "--show",
        type=int,
        default=5,
        metavar="N",
        help="disagreements to list per kind (default 5)",
    )
    c.add_argument("--format", choices=("table", "json"), default="table")
    c.set_defaults(func=cmd_calibrate)


# -- the rubric ---------------------------------------------------------------


def load_engine(library: ContentLibrary, ref: str) -> RubricEngine:
    """A rubric by id, or from a file (its phrase packs come from the library)."""
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.exists():
        f = read_content_file(path, ref)
        errors = [d for d in f.diagnostics if d.severity == "error"]
        if errors or not isinstance(f.model, Rubric):
            for d in errors:
                print(d.render(), file=sys.stderr)
            what = "has errors" if errors else f"is a {f.kind} file, not a rubric"
            raise CliError(f"{ref} {what}", 1)
        rubric = f.model
    else:
        if ref not in library.rubrics:
            from qa_sim.yamlfile import suggest

            hint = suggest(ref, library.rubrics) or "rubrics: " + ", ".join(sorted(library.rubrics))
            raise CliError(f"no rubric '{ref}' — {hint}")
        rubric = library.rubrics[ref][0]
    return RubricEngine(rubric, library.pack_sets(rubric))


# -- grading --------------------------------------------------------------------------


def build_engine(folders: list[str], rubric: str) -> RubricEngine:
    """Make the engine anew (for worker processes that cannot inherit it)."""
    return load_engine(ContentLibrary([Path(f) for f in folders]), rubric)


def input_items(path: str) -> Iterator[Item]:
    """JSON Lines stay raw (workers parse them); CSV is grouped into conversations here."""
    if Path(path).suffix.lower() == ".csv":
        return read_csv(Path(path))
    return raw_jsonl_lines(path)


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.started = time.monotonic()
        self.last = 0.0

    def update(self, line: int, done: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < 0.1:
            return
        self.last = now
        share = min(line / self.total, 1.0)
        bar = "█" * int(share * 30) + "░" * (30 - int(share * 30))
        rate = done / max(now - self.started, 1e-9)
        self.stream.write(
            f"\r{t('grade.progress', bar=bar, pct=int(share * 100), done=done, rate=int(rate))}"
        )
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\x1b[2K")
        self.stream.flush()


def _write_table(rows: list[dict[str, Any]], engine: RubricEngine, out: TextIO) -> None:
    width = min(max([len(r["id"]) for r in rows] + [12]), 28)
    head = f"{pad(t('grade.col.id'), width)}  {t('grade.col.score'):>6}  {pad(t('grade.col.result'), 8)}  "
    out.write(head + t("grade.col.missed") + "\n")
    for r in rows:
        missed = [cid for cid, s in r["statuses"].items() if s in ("missed", "failed", "partial")]
        result = (
            t("grade.fail_critical")
            if r["critical_failed"]
            else t("grade.pass")
            if r["passed"]
            else t("grade.fail")
        )
        cid = r["id"] if len(r["id"]) <= width else r["id"][: width - 1] + "…"
        out.write(
            f"{pad(cid, width)}  {r['score']:6.1f}  {pad(result, 8)}  {', '.join(missed) or '—'}\n"
        )
    if not rows:
        return
    out.write(
        "\n"
        + t(
            "grade.summary",
            n=len(rows),
            passed=sum(r["passed"] for r in rows),
            avg=sum(r["score"] for r in rows) / len(rows),
        )
        + "\n"
    )
    for c in engine.rubric.criteria:
        applicable = [r["statuses"][c.id] for r in rows if r["statuses"][c.id] != "n/a"]
        title = pad(c.title.get(get_language()), 28)
        if applicable:
            met = sum(s == "met" for s in applicable)
            rate = t("grade.met_rate", met=met, n=len(applicable), pct=100 * met / len(applicable))
            out.write(f"  {title} {rate}\n")
        else:
            out.write(f"  {title} {t('status.n/a')}\n")


def cmd_grade(ctx: Context) -> int:
    args = ctx.args
    if args.workers < 1:
        raise CliError("--workers must be 1 or more")
    engine = load_engine(ctx.library, args.rubric)
    try:
        items = input_items(args.file)
        total = count_lines(args.file)
    except TranscriptError as exc:
        raise CliError(str(exc), 1) from None
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}", 1) from None
    progress = Progress(total, sys.stderr) if not args.quiet and sys.stderr.isatty() else None
    with ExitStack() as stack:
        out = stack.enter_context(atomic_output(args.output)) if args.output else sys.stdout
        done, bad = _grade_into(ctx, engine, items, out, progress)
    if not args.quiet:
        print(t("grade.done", done=done, bad=bad), file=sys.stderr)
    return 1 if bad else 0


@contextmanager
def atomic_output(path: str) -> Iterator[TextIO]:
    """Write beside `path` and rename at the end: an interrupted run leaves the old file."""
    target = Path(path)
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with open(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _grade_into(
    ctx: Context,
    engine: RubricEngine,
    items: Iterator[Item],
    out: TextIO,
    progress: Progress | None,
) -> tuple[int, int]:
    args = ctx.args
    folders = [str(f) for f in ctx.library.folders]
    results = grade_stream(
        engine,
        items,
        lang=get_language(),
        fmt=args.format,
        workers=args.workers,
        build=partial(build_engine, folders, args.rubric),
    )
    table_rows: list[dict[str, Any]] = []
    writer = csv.writer(out) if args.format == "csv" else None
    if writer:
        writer.writerow(csv_header(engine))
    done = bad = 0
    try:
        for graded in results:
            if graded.bad is not None:
                bad += 1
                if progress:
                    progress.clear()
                print(f"{args.file}:{graded.line}: {graded.bad}", file=sys.stderr)
                continue
            done += 1
            if args.format == "json":
                out.write(graded.output + "\n")
            elif writer:
                writer.writerow(graded.output)
            else:
                table_rows.append(graded.output)
            if progress:
                progress.update(graded.line, done)
        if args.format == "table":
            _write_table(table_rows, engine, out)
    except TranscriptError as exc:
        raise CliError(str(exc), 1) from None
    finally:
        if progress:
            progress.clear()
    return done, bad


# -- calibration -------------------------------------------------------------------


def _fmt(x: float | None) -> str:
    return "   —" if x is None else f"{x:4.2f}"


def _write_calibration(results: list[CriterionAgreement], out: TextIO) -> None:
    out.write(
        f"{'criterion':<22}{'n':>6}{'TP':>6}{'FP':>6}{'FN':>6}{'TN':>7}  prec  rec    F1  kappa\n"
    )
    for r in results:
        out.write(
            f"{r.criterion:<22}{r.n:>6}{r.tp:>6}{r.fp:>6}{r.fn:>6}{r.tn:>7}  "
            f"{_fmt(r.precision)}  {_fmt(r.recall)}  {_fmt(r.f1)}  {_fmt(r.kappa)}\n"
        )
    for r in results:
        for kind, human in (("calibrate.missed", True), ("calibrate.extra", False)):
            rows = [d for d in r.disagreements if d.human == human]
            if not rows:
                continue
            out.write("\n" + t(kind, criterion=r.criterion) + "\n")
            for d in rows:
                why = f"  [{d.why}]" if d.why else ""
                out.write(f"  {d.where}: {d.text}{why}\n")


def cmd_calibrate(ctx: Context) -> int:
    args = ctx.args
    engine = load_engine(ctx.library, args.rubric)
    mapping: dict[str, str] = {}
    for item in args.map:
        label, sep, criterion = item.partition("=")
        if not sep or not label or not criterion:
            raise CliError(f"--map takes LABEL=CRITERION, not {item!r}")
        mapping[label.strip()] = criterion.strip()
    known = set(engine.rubric.criterion_ids())
    only = {c.strip() for c in args.criteria.split(",")} if args.criteria else None
    for name in [*mapping.values(), *(only or [])]:
        if name not in known:
            raise CliError(
                f"rubric '{engine.rubric.id}' has no criterion '{name}' "
                f"(criteria: {', '.join(sorted(known))})"
            )
    conversations: dict[str, Conversation] = {}
    bad = 0
    try:
        if args.transcripts:
            for item in read_transcripts(args.transcripts):
                if isinstance(item, BadLine):
                    print(f"{args.transcripts}:{item.line}: {item.message}", file=sys.stderr)
                    bad += 1
                else:
                    conversations[item.id] = item
        rows = []
        for row in read_labels(Path(args.labels), mapping, known):
            if isinstance(row, tuple):
                print(f"{args.labels}:{row[0]}: {row[1]}", file=sys.stderr)
                bad += 1
            else:
                rows.append(row)
    except TranscriptError as exc:
        raise CliError(str(exc), 1) from None
    results, problems = calibrate(
        engine, rows, conversations, locale=args.locale, only=only, show=args.show
    )
    for line, message in problems:
        print(f"{args.labels}:{line}: {message}", file=sys.stderr)
    if args.format == "json":
        print(
            json.dumps(
                {"rubric": engine.rubric.id, "criteria": [r.as_dict() for r in results]},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        buffer = io.StringIO()
        _write_calibration(results, buffer)
        sys.stdout.write(buffer.getvalue())
    if not results:
        raise CliError("no label matched a criterion of the rubric; see --map", 1)
    return 1 if bad or problems else 0
