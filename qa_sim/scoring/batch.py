"""Grading many conversations, in this process or spread over worker processes.

Workers receive raw JSON Lines (cheap to send), parse and grade them, and send
back finished output (a JSON line, a CSV row, or a compact row for the table),
so the parent does little more than read and write and N workers run close to
N times as fast as one. Results always come back in input order, so
`--workers N` never changes the output.
"""

from __future__ import annotations

import json
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from qa_sim.scoring.engine import RubricEngine, ScoringContext
from qa_sim.scoring.transcripts import BadLine, Conversation, parse_jsonl_line

CHUNK = 64
RawLine = tuple[int, bytes]  # (line number, the line as read)
Item = RawLine | Conversation | BadLine


@dataclass(frozen=True)
class Graded:
    """One input item, graded (`output`) or rejected (`bad`)."""

    line: int
    bad: str | None = None
    output: Any = None  # a JSON string, a CSV row (list) or a table row (dict)


def result_row(engine: RubricEngine, conv: Conversation, lang: str) -> dict[str, Any]:
    """The JSON form of one conversation's scorecard (the `grade --format json` line)."""
    context = ScoringContext(na=frozenset(conv.na), details=conv.details)
    card = engine.score(conv.turns, conv.locale, context, lang)
    return {
        "id": conv.id,
        "locale": conv.locale,
        "score": card.total,
        "passed": card.passed,
        "critical_failed": card.critical_failed,
        "criteria": [
            {
                "id": c.id,
                "status": c.status,
                "points": round(c.points, 2),
                "max": c.max_points,
                "reason": c.reason,
                "evidence": [
                    {"turn": e.turn, "start": e.start, "end": e.end, "text": e.text}
                    for e in c.evidence
                ],
            }
            for c in card.criteria
        ],
        "flags": [{"turn": f.turn, "kind": f.kind} for f in card.flags],
    }


def csv_header(engine: RubricEngine) -> list[str]:
    header = ["id", "locale", "score", "passed", "critical_failed"]
    for c in engine.rubric.criteria:
        header += [f"{c.id}_status", f"{c.id}_points"]
    return header


def _render(row: dict[str, Any], fmt: str) -> Any:
    if fmt == "json":
        return json.dumps(row, ensure_ascii=False)
    if fmt == "csv":
        values: list[Any] = [
            row["id"],
            row["locale"],
            row["score"],
            row["passed"],
            row["critical_failed"] or "",
        ]
        for c in row["criteria"]:
            values += [c["status"], c["points"]]
        return values
    return {  # what the table and its summary need, nothing more
        "id": row["id"],
        "score": row["score"],
        "passed": row["passed"],
        "critical_failed": row["critical_failed"],
        "statuses": {c["id"]: c["status"] for c in row["criteria"]},
    }


def grade_items(engine: RubricEngine, items: Iterable[Item], lang: str, fmt: str) -> list[Graded]:
    out = []
    for item in items:
        if isinstance(item, BadLine):
            out.append(Graded(item.line, bad=item.message))
            continue
        if isinstance(item, Conversation):
            conv, line = item, item.line
        else:
            line, raw = item
            try:
                conv = parse_jsonl_line(raw.decode("utf-8"), line)
            except UnicodeDecodeError:
                out.append(Graded(line, bad="not UTF-8 text; save the file as UTF-8"))
                continue
            except ValueError as exc:
                out.append(Graded(line, bad=str(exc)))
                continue
        out.append(Graded(line, output=_render(result_row(engine, conv, lang), fmt)))
    return out


# -- worker processes ---------------------------------------------------------------

_engine: RubricEngine | None = None
_lang = "en"
_fmt = "json"


def _init(build: Callable[[], RubricEngine] | None, lang: str, fmt: str) -> None:
    global _engine, _lang, _fmt
    if build is not None:
        _engine = build()
    _lang, _fmt = lang, fmt
    from qa_sim.i18n import set_language

    set_language(lang)


def _work(chunk: list[Item]) -> list[Graded]:
    assert _engine is not None
    return grade_items(_engine, chunk, _lang, _fmt)


def _chunks(items: Iterable[Item]) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def grade_stream(
    engine: RubricEngine,
    items: Iterable[Item],
    *,
    lang: str,
    fmt: str,
    workers: int = 1,
    build: Callable[[], RubricEngine] | None = None,
    warm: bool = False,
) -> Iterator[Graded]:
    """Graded items in input order. With workers > 1, a bounded window of chunks is in flight.

    On Linux the workers are forked and inherit `engine` already warm; elsewhere
    they start fresh and call `build` (a picklable callable) to make their own.
    """
    if workers <= 1:
        for chunk in _chunks(items):
            yield from grade_items(engine, chunk, lang, fmt)
        return
    global _engine
    fork = sys.platform.startswith("linux")
    if fork:
        _engine = engine
    if not fork and build is None:
        raise ValueError("workers need a way to build the engine on this platform")
    context = get_context("fork" if fork else "spawn")
    with ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_init,
        initargs=(None if fork else build, lang, fmt),
    ) as pool:
        if warm:  # start every worker before the clock runs (benchmarks)
            list(pool.map(_work, [[] for _ in range(workers)]))
        window: deque[Future[list[Graded]]] = deque()
        for chunk in _chunks(items):
            window.append(pool.submit(_work, chunk))
            if len(window) >= workers * 4:
                yield from window.popleft().result()
        while window:
            yield from window.popleft().result()
