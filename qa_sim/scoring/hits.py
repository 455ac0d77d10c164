"""What a match is: a phrase set's specification and the places it matched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Hit(NamedTuple):
    """One place where a phrase set matched (a tuple: cheap to make by the thousand)."""

    name: str
    start: int
    end: int
    text: str
    pattern: str
    negated: bool = False
    in_question: bool = False
    question_required: bool = False
    typo: bool = False  # a word was matched despite a spelling slip
    excepted: bool = False  # it stands inside one of the set's `unless` phrases

    @property
    def counts(self) -> bool:
        return (
            not self.negated
            and not self.excepted
            and (self.in_question or not self.question_required)
        )

    @property
    def why_not(self) -> str:
        """Why a hit does not count: 'negated', 'exception', 'not_a_question', or ''."""
        if self.negated:
            return "negated"
        if self.excepted:
            return "exception"
        if self.question_required and not self.in_question:
            return "not_a_question"
        return ""


@dataclass(frozen=True)
class PhraseSpec:
    """What an author wrote for one phrase set."""

    name: str
    patterns: tuple[str, ...]
    question: bool = False  # only matches inside a question count
    negatable: bool = True  # a negated match does not count
    unless: tuple[str, ...] = ()  # a match inside one of these phrases does not count


# ---------------------------------------------------------------------------
# Pattern parsing
# ---------------------------------------------------------------------------
