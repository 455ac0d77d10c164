"""What a training session writes to the store: its header, its turns, its result.

Kept apart from training.py so the session reads as the conversation it runs;
everything here turns session values into store records.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from qa_sim import __version__
from qa_sim.library import ContentLibrary
from qa_sim.progress.records import AttemptResult, AttemptStart, CriterionRow, TurnRecord
from qa_sim.scoring.engine import LiveVerdict
from qa_sim.scoring.scorecard import Scorecard

if TYPE_CHECKING:
    from qa_sim.progress.store import Store

ENGINE_VERSION = __version__


def file_hash(paths: Iterable[str | Path]) -> str:
    """sha256 over the files' bytes, in the order given (missing files count as empty)."""
    h = hashlib.sha256()
    for path in paths:
        with contextlib.suppress(OSError):
            h.update(Path(path).read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:16]


def rubric_hash(library: ContentLibrary, rubric_id: str) -> str:
    """The rubric file and the phrase packs it uses: what a score depends on."""
    rubric, path = library.rubrics[rubric_id]
    packs = library.packs
    files = [path] + [packs[k][1] for k in sorted(packs) if k[0] in rubric.packs]
    return file_hash(files)


def findings_json(verdict: LiveVerdict, said: Iterable[str]) -> dict[str, object]:
    return {
        "met": sorted(verdict.met),
        "violated": sorted(verdict.violated),
        "did": sorted(verdict.did),
        "said": sorted(said),
        "stuffed": verdict.stuffed,
    }


def result_from(
    card: Scorecard, ended: datetime, outcome: str | None, ending: str | None, reason: str | None
) -> AttemptResult:
    return AttemptResult(
        ended=ended,
        outcome=outcome or "unfinished",
        ending=ending,
        end_reason=reason,
        score=card.total,
        passed=card.passed,
        critical_failed=card.critical_failed,
        criteria=tuple(CriterionRow(c.id, c.status, c.points, c.max_points) for c in card.criteria),
    )


@dataclass
class Recording:
    """A session's attempt in the store: which one, and how many turns are saved."""

    store: Store
    attempt_id: int
    saved: int
    closed: bool = False

    @classmethod
    def begin(
        cls, store: Store, start: AttemptStart, turns: list[TurnRecord], state_json: str
    ) -> Recording:
        attempt_id = store.begin_attempt(start, turns, state_json)
        return cls(store, attempt_id, len(turns))

    def save(self, turns: list[TurnRecord], state_json: str) -> None:
        new = [t for t in turns if t.index >= self.saved]
        if new:
            self.store.record_turns(self.attempt_id, new, state_json)
            self.saved = new[-1].index + 1

    def close(self, result: AttemptResult, state_json: str) -> None:
        if not self.closed:
            self.store.finish_attempt(self.attempt_id, result, state_json)
            self.closed = True
