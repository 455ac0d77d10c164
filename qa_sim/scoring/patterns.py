"""The pattern language: parsing, compiling, checking, and examples of what matches.

Pattern language (the same in scenarios and rubrics):

    thank you                 words in order, compared by stem: "thanks you", "Thank-you"
    check ... tracking        '...' lets up to four words (six Chinese characters) in between
    (refund|money back)       alternatives
    [very] sorry              an optional word or group; (very)? sorry works too
    apolog*                   a word prefix: apologise, apologies, apologetic
    非常抱歉                   Chinese: characters in order, traditional and full-width folded
    re:\\border\\s*#?\\d{6}    a regular expression on the folded text (escape hatch)

All words of one match must stand in the same sentence. A match preceded by a
negation ("not sorry", "不抱歉") is reported but marked negated, so scorers can
explain why it earned nothing.
"""

from __future__ import annotations

import re
from typing import Any

from qa_sim.scoring.text import has_cjk, is_cjk_char, tokens_of

MAX_EXPANSIONS = 256
GAP_WORDS = 4
GAP_CJK = 6

# An element of a compiled sequence: ("k", key) a word, ("p", prefix) a word
# prefix, ("g", n) a gap of up to n tokens, ("a", (seq, seq, ...)) alternatives
# (an empty seq among them makes the group optional).
Element = tuple[str, Any]
Sequence_ = tuple[Element, ...]


class PatternError(ValueError):
    """A pattern that cannot be compiled; `hint` says how to fix it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


_SPECIAL = "()[]|"


def _lex(pattern: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c.isspace():
            i += 1
        elif c in _SPECIAL:
            out.append(c)
            i += 1
        elif c == "?" and out and out[-1] in (")", "]"):
            out.append("?")  # (group)? is an optional group, as in regular expressions
            i += 1
        elif pattern.startswith("...", i) or c == "…":
            out.append("...")
            i += 1 if c == "…" else 3
        else:
            j = i
            while (
                j < len(pattern)
                and not pattern[j].isspace()
                and pattern[j] not in _SPECIAL
                and not pattern.startswith("...", j)
                and pattern[j] != "…"
            ):
                j += 1
            out.append(pattern[i:j])
            i = j
    return out


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.toks = _lex(pattern)
        self.pos = 0
        self.gap = GAP_CJK if has_cjk(pattern) else GAP_WORDS

    def parse(self) -> Sequence_:
        alts = self._alternatives(closing=None)
        if self.pos != len(self.toks):
            raise PatternError(
                f"unexpected '{self.toks[self.pos]}' in pattern '{self.pattern}'",
                "brackets and parentheses must be balanced",
            )
        return alts[0] if len(alts) == 1 else (("a", tuple(alts)),)

    def _alternatives(self, closing: str | None) -> list[Sequence_]:
        alts = [self._sequence()]
        while self.pos < len(self.toks) and self.toks[self.pos] == "|":
            self.pos += 1
            alts.append(self._sequence())
        if closing is not None:
            if self.pos >= len(self.toks) or self.toks[self.pos] != closing:
                raise PatternError(
                    f"missing '{closing}' in pattern '{self.pattern}'",
                    "close every '(' with ')' and every '[' with ']'",
                )
            self.pos += 1
        if len(alts) > MAX_EXPANSIONS:
            raise PatternError(
                f"pattern '{self.pattern}' has more than {MAX_EXPANSIONS} alternatives in one group",
                "split it into several patterns",
            )
        return alts

    def _sequence(self) -> Sequence_:
        seq: list[Element] = []
        while self.pos < len(self.toks) and self.toks[self.pos] not in ")]|":
            tok = self.toks[self.pos]
            self.pos += 1
            if tok in ("(", "["):
                alts = self._alternatives(closing=")" if tok == "(" else "]")
                optional = tok == "[" or (self.pos < len(self.toks) and self.toks[self.pos] == "?")
                if tok == "(" and optional:
                    self.pos += 1
                if optional:
                    alts.append(())
                seq.append(("a", tuple(alts)))
            elif tok == "...":
                seq.append(("g", self.gap))
            else:
                seq.extend(self._word(tok))
        return tuple(seq)

    def _word(self, tok: str) -> list[Element]:
        if tok.endswith("*"):
            stem = tok.rstrip("*").lower()
            if len(stem) < 3 and stem and not has_cjk(stem):
                raise PatternError(
                    f"'{tok}' in pattern '{self.pattern}': put at least 3 letters before '*'",
                    "a shorter prefix matches almost any word",
                )
            if not stem or has_cjk(stem) or not re.fullmatch(r"[a-z0-9']+", stem):
                raise PatternError(
                    f"'{tok}' in pattern '{self.pattern}': '*' only ends an English word",
                    "write e.g. 'apolog*'; Chinese patterns need no '*'",
                )
            return [("p", stem)]
        return [("k", key) for _, key in tokens_of(tok)]


def first_elements(seq: Sequence_, j: int = 0) -> tuple[set[Element], bool]:
    """The elements a match of seq[j:] can start with, and whether it can be empty."""
    firsts: set[Element] = set()
    while j < len(seq):
        kind, value = seq[j]
        if kind in ("k", "p"):
            firsts.add((kind, value))
            return firsts, False
        if kind == "a":
            nullable = False
            for alt in value:
                f, n = first_elements(alt)
                firsts |= f
                nullable = nullable or n
            if not nullable:
                return firsts, False
        j += 1
    return firsts, True


def _strip_gaps(seq: Sequence_) -> Sequence_:
    lst = list(seq)
    while lst and lst[0][0] == "g":
        lst.pop(0)
    while lst and lst[-1][0] == "g":
        lst.pop()
    return tuple(lst)


def compile_pattern(pattern: str) -> Sequence_ | re.Pattern[str]:
    """Compile one pattern into a token sequence (or a regex for 're:')."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise PatternError("empty pattern", "write at least one word")
    if pattern.startswith("re:"):
        try:
            return re.compile(pattern[3:].strip())
        except re.error as exc:
            raise PatternError(
                f"bad regular expression in '{pattern}': {exc}",
                "check brackets and escapes; or drop 're:' and use plain words",
            ) from None
    seq = _strip_gaps(_Parser(pattern).parse())
    firsts, nullable = first_elements(seq)
    if not seq or not firsts:
        raise PatternError(
            f"pattern '{pattern}' has no words to match",
            "punctuation and '...' alone match nothing",
        )
    if nullable:
        raise PatternError(
            f"every word of pattern '{pattern}' is optional, so it would match anything",
            "make at least one word required",
        )
    return seq


def pattern_problems(pattern: str) -> list[str]:
    """Reasons a pattern compiles yet can never (or almost never) match."""
    problems = []
    stripped = pattern.strip()
    if stripped.startswith(("...", "…")) or stripped.endswith(("...", "…")):
        problems.append("'...' at the start or end of a pattern does nothing")
    if not stripped.startswith("re:"):
        for tok in _lex(stripped):
            plain = tok not in _SPECIAL and tok not in ("...", "?") and not tok.endswith("*")
            if plain and not tokens_of(tok):
                problems.append(f"'{tok}' has no letters, digits or Chinese characters")
    return problems


def cjk_regex(seq: Sequence_) -> str | None:
    """A regular expression for a pattern of Chinese characters only, else None."""
    out = []
    for kind, value in seq:
        if kind == "k":
            if not is_cjk_char(value):
                return None
            out.append(re.escape(value))
        elif kind == "g":
            out.append(f"[^.!?;\\n]{{0,{value}}}")
        elif kind == "a":
            alts = [cjk_regex(alt) for alt in value]
            if any(alt is None for alt in alts):
                return None
            out.append("(?:" + "|".join(alts) + ")")  # type: ignore[arg-type]
        else:
            return None
    return "".join(out)


def example(pattern: str, variant: int = 0) -> str | None:
    """A text the pattern matches, from its own words: alternative `variant` (cycled) of
    each group, optional parts left out, gaps closed. None for 're:' patterns."""
    if pattern.startswith("re:"):
        return None
    toks = _lex(pattern)
    pos = 0

    def sequence() -> list[str]:
        nonlocal pos
        words: list[str] = []
        while pos < len(toks) and toks[pos] not in ")]|":
            tok = toks[pos]
            pos += 1
            if tok in ("(", "["):
                alts = alternatives(")" if tok == "(" else "]")
                optional = tok == "[" or (pos < len(toks) and toks[pos] == "?")
                if tok == "(" and optional:
                    pos += 1
                if not optional:
                    words += alts[variant % len(alts)]
            elif tok != "...":
                words.append(tok.rstrip("*"))
        return words

    def alternatives(closing: str) -> list[list[str]]:
        nonlocal pos
        alts = [sequence()]
        while pos < len(toks) and toks[pos] == "|":
            pos += 1
            alts.append(sequence())
        if pos < len(toks) and toks[pos] == closing:
            pos += 1
        return [a for a in alts if a] or [[]]

    words = alternatives("")
    chosen = words[variant % len(words)]
    if not chosen:
        return None
    text = ""
    for word in chosen:
        joins = text and not (has_cjk(text[-1]) and has_cjk(word[0]))
        text += (" " if joins else "") + word
    return text
