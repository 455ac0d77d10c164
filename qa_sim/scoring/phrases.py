"""Compiled phrase sets: match an analysed text, return evidence spans.

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from qa_sim.scoring.text import (
    Analysis,
    analyse,
    has_cjk,
    is_cjk_char,
    is_negated,
    tokens_of,
)

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


@dataclass(frozen=True)
class Hit:
    """One place where a phrase set matched."""

    name: str
    start: int
    end: int
    text: str
    pattern: str
    negated: bool = False
    in_question: bool = False
    question_required: bool = False
    typo: bool = False  # a word was matched despite a spelling slip

    @property
    def counts(self) -> bool:
        return not self.negated and (self.in_question or not self.question_required)

    @property
    def why_not(self) -> str:
        """Why a hit does not count: 'negated', 'not_a_question', or ''."""
        if self.negated:
            return "negated"
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


# ---------------------------------------------------------------------------
# Pattern parsing
# ---------------------------------------------------------------------------

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
            if not stem or has_cjk(stem) or not re.fullmatch(r"[a-z0-9']+", stem):
                raise PatternError(
                    f"'{tok}' in pattern '{self.pattern}': '*' only ends an English word",
                    "write e.g. 'apolog*'; Chinese patterns need no '*'",
                )
            return [("p", stem)]
        return [("k", key) for _, key in tokens_of(tok)]


def _first(seq: Sequence_, j: int = 0) -> tuple[set[Element], bool]:
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
                f, n = _first(alt)
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
    firsts, nullable = _first(seq)
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


# ---------------------------------------------------------------------------
# Phrase book: many sets compiled together, one pass over a text
# ---------------------------------------------------------------------------


@dataclass
class _Compiled:
    spec: PhraseSpec
    regexes: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)


class PhraseBook:
    """Phrase sets compiled into one index keyed by each sequence's first word.

    With `typos=True`, an English word that is not in the dictionary and is one
    slip (two for long words) away from a pattern word counts as that word:
    "appologize", "trakcing". Real words never do: "thinks" is not "thanks".
    """

    def __init__(self, specs: Iterable[PhraseSpec], *, typos: bool = True) -> None:
        self.typos = typos
        self._typo_cache: dict[str, str | None] = {}
        self._pattern_words: dict[str, str] = {}  # surface word -> key
        self._sets: dict[str, _Compiled] = {}
        self._by_key: dict[str, list[tuple[str, str, Sequence_]]] = {}
        self._by_prefix: list[tuple[str, str, str, Sequence_]] = []
        for spec in specs:
            compiled = _Compiled(spec)
            self._sets[spec.name] = compiled
            for pattern in spec.patterns:
                result = compile_pattern(pattern)
                if isinstance(result, re.Pattern):
                    compiled.regexes.append((pattern, result))
                    continue
                for word, key in tokens_of(pattern):
                    if word.isalpha() and len(word) >= 4:
                        self._pattern_words[word] = key
                for kind, value in _first(result)[0]:
                    if kind == "k":
                        self._by_key.setdefault(str(value), []).append((spec.name, pattern, result))
                    else:
                        self._by_prefix.append((str(value), spec.name, pattern, result))

    @property
    def names(self) -> list[str]:
        return list(self._sets)

    def spec(self, name: str) -> PhraseSpec:
        return self._sets[name].spec

    def vocabulary(self) -> set[str]:
        """Every word key the patterns use (for typo tolerance)."""
        vocab: set[str] = set()

        def walk(seq: Sequence_) -> None:
            for kind, value in seq:
                if kind == "k":
                    vocab.add(str(value))
                elif kind == "a":
                    for alt in value:
                        walk(alt)

        for entries in self._by_key.values():
            for _, _, seq in entries:
                walk(seq)
        return vocab

    def find(self, text: Analysis | str) -> dict[str, list[Hit]]:
        """All hits per set name (sets without hits are absent)."""
        a = text if isinstance(text, Analysis) else analyse(text)
        raw: dict[str, list[tuple[int, int, str, int]]] = {}
        keys = a.keys
        by_key = self._by_key
        typo_at: set[int] = set()
        if self.typos and self._pattern_words:
            keys = list(keys)
            for i, key in enumerate(keys):
                if key not in by_key and key not in self._vocab:
                    fixed = self._typo_key(a.words[i])
                    if fixed is not None:
                        keys[i] = fixed
                        typo_at.add(i)
            if typo_at:
                a = _with_keys(a, keys)
        for i, key in enumerate(keys):
            entries = by_key.get(key)
            if entries:
                for name, pattern, seq in entries:
                    end = _match_at(seq, 0, i, a, a.sentence_of[i], None)
                    if end >= 0:
                        raw.setdefault(name, []).append((i, end, pattern, 0))
            if self._by_prefix:
                word = a.words[i]
                for prefix, name, pattern, seq in self._by_prefix:
                    if word.startswith(prefix):
                        end = _match_at(seq, 0, i, a, a.sentence_of[i], None)
                        if end >= 0:
                            raw.setdefault(name, []).append((i, end, pattern, 0))
        result: dict[str, list[Hit]] = {}
        for name, found in raw.items():
            result[name] = self._hits(name, a, found, typo_at)
        for name, compiled in self._sets.items():
            if compiled.regexes:
                hits = self._regex_hits(name, a, compiled.regexes)
                if hits:
                    result[name] = _dedupe([*result.get(name, []), *hits])
        return result

    def _hits(
        self, name: str, a: Analysis, entries: list[tuple[int, int, str, int]], typo_at: set[int]
    ) -> list[Hit]:
        spec = self._sets[name].spec
        hits = []
        for first, last, pattern, _ in entries:
            start, end = a.starts[first], a.ends[last - 1]
            negated = spec.negatable and is_negated(a, first)
            in_q = a.is_question(a.sentence_of[first])
            typo = any(first <= i < last for i in typo_at)
            hits.append(
                Hit(
                    name, start, end, a.text[start:end], pattern, negated, in_q, spec.question, typo
                )
            )
        return _dedupe(hits)

    @property
    def _vocab(self) -> set[str]:
        vocab = getattr(self, "_vocab_cache", None)
        if vocab is None:
            vocab = self._vocab_cache = self.vocabulary()
        return vocab

    def _typo_key(self, word: str) -> str | None:
        if word in self._typo_cache:
            return self._typo_cache[word]
        fixed = None
        if (
            word.isalpha()
            and len(word) >= 4
            and not is_cjk_char(word[0])
            and not is_known_word(word)
        ):
            from rapidfuzz.distance import OSA
            from rapidfuzz.process import extractOne

            limit = 1 if len(word) < 8 else 2
            best = extractOne(
                word, list(self._pattern_words), scorer=OSA.distance, score_cutoff=limit
            )
            if best is not None and best[0][0] == word[0]:
                fixed = self._pattern_words[best[0]]
        self._typo_cache[word] = fixed
        return fixed

    def _regex_hits(
        self, name: str, a: Analysis, regexes: list[tuple[str, re.Pattern[str]]]
    ) -> list[Hit]:
        spec = self._sets[name].spec
        hits = []
        for pattern, rx in regexes:
            for m in rx.finditer(a.folded):
                if m.end() == m.start():
                    continue
                first = next((i for i, s in enumerate(a.starts) if s >= m.start()), None)
                negated = spec.negatable and first is not None and is_negated(a, first)
                sentence = a.sentence_index_at(m.start())
                in_q = a.is_question(sentence)
                hits.append(
                    Hit(
                        name,
                        m.start(),
                        m.end(),
                        a.text[m.start() : m.end()],
                        pattern,
                        negated,
                        in_q,
                        spec.question,
                    )
                )
        return hits


_Continuation = tuple[Sequence_, int, Any] | None


def _match_at(
    seq: Sequence_, j: int, i: int, a: Analysis, sentence: int, cont: _Continuation
) -> int:
    """Match seq[j:] (then the continuation) from token i; the index after the match, or -1."""
    keys = a.keys
    n = len(keys)
    while True:
        if j == len(seq):
            if cont is None:
                return i
            seq, j, cont = cont
            continue
        kind, value = seq[j]
        if kind == "a":
            for alt in value:
                end = _match_at(alt, 0, i, a, sentence, (seq, j + 1, cont))
                if end >= 0:
                    return end
            return -1
        if kind == "g":
            for skip in range(int(value) + 1):
                k = i + skip
                if k > n or (k < n and a.sentence_of[k] != sentence):
                    break
                end = _match_at(seq, j + 1, k, a, sentence, cont)
                if end >= 0:
                    return end
            return -1
        if i >= n or a.sentence_of[i] != sentence:
            return -1
        if kind == "k":
            if keys[i] != value:
                return -1
        elif not a.words[i].startswith(value):
            return -1
        i += 1
        j += 1


def _with_keys(a: Analysis, keys: list[str]) -> Analysis:
    """A view of `a` with some keys replaced (typo corrections)."""
    return Analysis(
        text=a.text,
        folded=a.folded,
        starts=a.starts,
        ends=a.ends,
        keys=keys,
        words=a.words,
        sentence_of=a.sentence_of,
        clause_of=a.clause_of,
        sentences=a.sentences,
        _questions=a._questions,
    )


@cache
def _lexicon() -> Any:
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1).word_frequency


def is_known_word(word: str) -> bool:
    """Whether `word` is an English dictionary word (so never a typo)."""
    return word in _lexicon()


def _dedupe(hits: list[Hit]) -> list[Hit]:
    """Keep the longest of overlapping hits, counting ones before negated ones."""
    hits = sorted(hits, key=lambda h: (h.start, -(h.end - h.start), h.negated))
    kept: list[Hit] = []
    for h in hits:
        if kept and h.start < kept[-1].end:
            continue
        kept.append(h)
    return kept


def phrase_specs(sets: Mapping[str, Sequence[str]]) -> list[PhraseSpec]:
    return [PhraseSpec(name, tuple(patterns)) for name, patterns in sets.items()]
