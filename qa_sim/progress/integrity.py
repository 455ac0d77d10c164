"""Signatures that make stored attempts, exams and certificates tamper-evident.

Every attempt is a chain: its header is signed, each turn's MAC covers the
previous MAC and the turn, and the result's MAC covers the last turn's MAC, the
number of turns and every criterion. Changing, removing or inserting a turn, or
editing a score, breaks the chain at that point. An exam's MAC covers its
header, the signatures of its attempts in order, and its result; a
certificate's verification code is derived from a MAC over who, what and when.

The key is the QA lead's: `QA_SIM_SIGNING_KEY` (the key itself), else
`QA_SIM_SIGNING_KEY_FILE`, else `signing.key` in the user's config folder,
created on first use with permissions 0600. In a shared installation the key
file belongs to the account that runs qa-sim for trainees, and trainees cannot
read it (docs/certification.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from qa_sim.paths import config_dir


class KeyError_(Exception):
    """The signing key cannot be read or created; the message says what to do."""


def key_file() -> Path:
    override = os.environ.get("QA_SIM_SIGNING_KEY_FILE")
    return Path(override) if override else config_dir() / "signing.key"


def load_key(create: bool = True) -> bytes:
    value = os.environ.get("QA_SIM_SIGNING_KEY")
    if value:
        return value.encode("utf-8")
    path = key_file()
    try:
        return _read_key(path)
    except FileNotFoundError:
        if not create or "QA_SIM_SIGNING_KEY_FILE" in os.environ:
            raise KeyError_(
                f"no signing key at {path} — set QA_SIM_SIGNING_KEY or point "
                "QA_SIM_SIGNING_KEY_FILE at the QA lead's key file"
            ) from None
    except PermissionError:
        raise KeyError_(
            f"cannot read the signing key {path} — exams are signed with the QA lead's key; "
            "run qa-sim as the account that may read it"
        ) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode("ascii")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return _read_key(path)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def _read_key(path: Path) -> bytes:
    key = path.read_bytes().strip()
    if len(key) < 16:
        raise KeyError_(f"the signing key in {path} is too short (at least 16 bytes)")
    return key


def canonical(value: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, datetimes as ISO text."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_iso
    ).encode("utf-8")


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot sign a {type(value).__name__}")


class Signer:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def mac(self, *parts: Any) -> str:
        h = hmac.new(self._key, digestmod=hashlib.sha256)
        for part in parts:
            h.update(part.encode("utf-8") if isinstance(part, str) else canonical(part))
            h.update(b"\x1f")
        return h.hexdigest()

    # -- attempts -----------------------------------------------------------

    def attempt_header(self, attempt_id: int, header: Mapping[str, Any]) -> str:
        return self.mac("attempt", attempt_id, dict(header))

    def turn(self, previous: str, turn: Mapping[str, Any]) -> str:
        return self.mac("turn", previous, dict(turn))

    def result(self, previous: str, turn_count: int, result: Mapping[str, Any]) -> str:
        return self.mac("result", previous, turn_count, dict(result))

    # -- exams and certificates ---------------------------------------------

    def exam(
        self,
        exam_id: int,
        header: Mapping[str, Any],
        attempt_sigs: Sequence[str],
        result: Mapping[str, Any],
    ) -> str:
        return self.mac("exam", exam_id, dict(header), list(attempt_sigs), dict(result))

    def certificate(self, fields: Mapping[str, Any]) -> str:
        return self.mac("certificate", dict(fields))

    @staticmethod
    def code(mac: str) -> str:
        """A short verification code for print: 16 base32 characters in groups of four."""
        raw = base64.b32encode(bytes.fromhex(mac)[:10]).decode("ascii")
        return "-".join(raw[i : i + 4] for i in range(0, 16, 4))

    @staticmethod
    def same(a: str | None, b: str | None) -> bool:
        return a is not None and b is not None and hmac.compare_digest(a, b)


def normalise_code(code: str) -> str:
    """Accept codes typed with spaces, lower case, or without dashes."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def chain_problems(
    signer: Signer,
    attempt_id: int,
    header: Mapping[str, Any],
    header_mac: str | None,
    turns: Iterable[tuple[Mapping[str, Any], str | None]],
    result: tuple[Mapping[str, Any], str | None] | None,
) -> list[str]:
    """What is wrong with one attempt's chain, in words; empty when intact."""
    problems: list[str] = []
    expected = signer.attempt_header(attempt_id, header)
    if not Signer.same(expected, header_mac):
        return [
            "its header (trainee, scenario, mode, seed or start) was changed, "
            "or it was not signed with the QA lead's key"
        ]
    previous = header_mac or expected
    count = 0
    for turn, mac in turns:
        want = signer.turn(previous, turn)
        index = turn.get("index")
        if not Signer.same(want, mac):
            if index != count:
                problems.append(f"turns before turn {index} were removed or inserted")
            else:
                problems.append(f"turn {index} was changed, or a turn was inserted before it")
        previous = mac or want  # go on from what is stored, so later turns are judged alone
        count += 1
    if result is not None:
        values, mac = result
        if not Signer.same(signer.result(previous, count, values), mac):
            problems.append(
                "its result (score, pass, outcome or criteria) was changed, or turns were removed"
            )
    return problems
