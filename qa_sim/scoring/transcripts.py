"""Reading real conversation transcripts for batch grading: JSON Lines or CSV.

JSON Lines, one conversation per line:

    {"id": "c1", "locale": "en", "turns": [{"role": "customer", "text": "...",
     "at": "2026-11-23T10:00:00Z"}, {"role": "agent", "text": "..."}],
     "customer": {"name": "Dana Lee", "details": ["DS-123456"]}, "na": ["apology"]}

`locale` may be left out (it is then told from the text), `at`, `customer`
and `na` are optional. CSV has a header with `conversation_id, role, text`
and optionally `at` and `locale`; rows of one conversation are kept in order.
A line that cannot be read becomes a `BadLine` with its number and the reason,
and reading goes on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qa_sim.scoring.engine import Turn
from qa_sim.scoring.text import has_cjk

ROLES = ("agent", "customer")
LOCALE_ALIASES = {
    "en": "en",
    "en-us": "en",
    "en-gb": "en",
    "zh": "zh-CN",
    "zh-cn": "zh-CN",
    "zh-hans": "zh-CN",
    "zh-tw": "zh-CN",
    "zh-hant": "zh-CN",
}


@dataclass(frozen=True)
class Conversation:
    id: str
    locale: str
    turns: tuple[Turn, ...]
    line: int
    details: tuple[str, ...] = ()
    na: tuple[str, ...] = ()


@dataclass(frozen=True)
class BadLine:
    line: int
    message: str


class TranscriptError(ValueError):
    """The file as a whole cannot be read (missing, binary, wrong header)."""


def _locale(value: Any, turns: list[Turn]) -> str:
    if value is None or value == "":
        text = " ".join(t.text for t in turns)
        cjk = sum(1 for c in text if has_cjk(c))
        return "zh-CN" if cjk and cjk * 4 >= len(text.replace(" ", "")) else "en"
    locale = LOCALE_ALIASES.get(str(value).strip().lower().replace("_", "-"))
    if locale is None:
        raise ValueError(f"unknown locale {value!r} (use en or zh-CN)")
    return locale


def _time(value: Any, where: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{where}: 'at' must be an ISO-8601 time in quotes, not {value!r}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{where}: 'at' is not an ISO-8601 time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _turn(raw: Any, where: str) -> Turn:
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be an object with role and text")
    role = raw.get("role")
    if role not in ROLES:
        raise ValueError(f"{where}: unknown role {role!r} (use agent or customer)")
    text = raw.get("text")
    if not isinstance(text, str):
        raise ValueError(f"{where}: 'text' is missing or not a string")
    return Turn(role, text, _time(raw.get("at"), where))


def parse_jsonl_line(raw: str, number: int) -> Conversation:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ValueError("a line must be a JSON object with id and turns")
    cid = data.get("id")
    if not isinstance(cid, str | int) or isinstance(cid, bool) or str(cid) == "":
        raise ValueError("'id' is missing (a string or number)")
    raw_turns = data.get("turns")
    if not isinstance(raw_turns, list) or not raw_turns:
        raise ValueError("'turns' is missing or empty (a list of {role, text})")
    turns = [_turn(t, f"turns[{i}]") for i, t in enumerate(raw_turns)]
    customer = data.get("customer") or {}
    if not isinstance(customer, dict):
        raise ValueError('\'customer\' must be an object like {"name": ..., "details": [...]}')
    details = [str(customer["name"])] if customer.get("name") else []
    details += [str(d) for d in customer.get("details", []) if d]
    na = data.get("na") or []
    if not isinstance(na, list):
        raise ValueError("'na' must be a list of criterion ids")
    return Conversation(
        str(cid),
        _locale(data.get("locale"), turns),
        tuple(turns),
        number,
        tuple(details),
        tuple(str(n) for n in na),
    )


def _read_text(path: Path) -> str:
    with _open_binary(path) as handle:
        raw: bytes = handle.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TranscriptError(f"{path}:{line}: not UTF-8 text; save the file as UTF-8") from None


def _open_binary(path: Path) -> Any:
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise TranscriptError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise TranscriptError(f"{path} is a folder, not a transcripts file") from None
    except OSError as exc:
        raise TranscriptError(f"cannot read {path}: {exc.strerror}") from None
    if b"\x00" in handle.peek(4096)[:4096]:
        handle.close()
        raise TranscriptError(f"{path} is a binary file, not JSON Lines or CSV")
    return handle


def read_jsonl(path: Path) -> Iterator[Conversation | BadLine]:
    """Stream a JSON Lines file: memory stays flat however large it is."""
    handle = _open_binary(path)

    def lines() -> Iterator[Conversation | BadLine]:
        with handle:
            for number, raw in enumerate(handle, start=1):
                if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                if not raw.strip():
                    continue
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    yield BadLine(number, "not UTF-8 text; save the file as UTF-8")
                    continue
                try:
                    yield parse_jsonl_line(text, number)
                except ValueError as exc:
                    yield BadLine(number, str(exc))

    return lines()


def raw_jsonl_lines(path: str | Path) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of a JSON Lines file, unparsed: for grading in workers."""
    handle = _open_binary(Path(path))

    def lines() -> Iterator[tuple[int, bytes]]:
        with handle:
            for number, raw in enumerate(handle, start=1):
                if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                if raw.strip():
                    yield number, raw

    return lines()


def count_lines(path: str | Path) -> int:
    """Lines in a file, quickly (for progress bars)."""
    with Path(path).open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


CSV_REQUIRED = ("conversation_id", "role", "text")


def read_csv(path: Path) -> Iterator[Conversation | BadLine]:
    lines = _read_text(path).splitlines(keepends=True)
    reader = csv.DictReader(lines)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise TranscriptError(
            f"{path}:1: the CSV header lacks {', '.join(missing)} "
            f"(expected conversation_id, role, text[, at][, locale])"
        )
    order: list[str] = []
    rows: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for row in reader:
        row = {(k or "").strip(): (v or "") for k, v in row.items()}
        cid = row.get("conversation_id", "").strip()
        number = reader.line_num
        if not cid:
            yield BadLine(number, "conversation_id is empty")
            continue
        if cid not in rows:
            order.append(cid)
            rows[cid] = []
        rows[cid].append((number, row))
    for cid in order:
        entries = rows[cid]
        try:
            turns = [
                _turn(
                    {
                        "role": r.get("role", "").strip(),
                        "text": r.get("text"),
                        "at": r.get("at") or None,
                    },
                    f"row of {cid!r}",
                )
                for _, r in entries
            ]
            locale = _locale(
                next((r["locale"] for _, r in entries if r.get("locale")), None), turns
            )
        except ValueError as exc:
            bad = next(
                (n for n, r in entries if r.get("role", "").strip() not in ROLES), entries[0][0]
            )
            yield BadLine(bad, str(exc))
            continue
        yield Conversation(cid, locale, tuple(turns), entries[0][0])


def read_transcripts(path: str | Path) -> Iterator[Conversation | BadLine]:
    """Conversations and bad lines of a .jsonl/.json or .csv file, in file order."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return read_csv(path)
    return read_jsonl(path)
