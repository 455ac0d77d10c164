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
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, NamedTuple

from qa_sim.scoring.text import (
    SENT,
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


MAX_TRIE_PATHS = 20_000  # combinations one pattern may expand to


class _Node:
    """A trie node: word keys lead on; `ends` lists the patterns complete here."""

    __slots__ = ("ends", "gaps", "next", "prefixes")

    def __init__(self) -> None:
        self.next: dict[str, _Node] = {}
        self.prefixes: list[tuple[str, _Node]] = []
        self.gaps: list[tuple[int, _Node]] = []
        self.ends: list[tuple[str, str]] = []  # (set name, pattern)


@dataclass
class _Compiled:
    spec: PhraseSpec
    regexes: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)


class PhraseBook:
    """Every phrase set compiled into one trie of word keys: a text is read once.

    Alternatives share prefixes in the trie and gaps are edges, so a token
    that starts no pattern costs one dictionary lookup.

    With `typos=True`, an English word that is not in the dictionary and is one
    slip (two for long words) away from a pattern word counts as that word:
    "appologize", "trakcing". Real words never do: "thinks" is not "thanks".
    """

    def __init__(self, specs: Iterable[PhraseSpec], *, typos: bool = True) -> None:
        self.typos = typos
        self._typo_cache: dict[str, str | None] = {}
        self._pattern_words: dict[str, str] = {}  # surface word -> key
        self._sets: dict[str, _Compiled] = {}
        self._root = _Node()
        self._vocab: set[str] = set()
        self._prefix_starts: dict[str, tuple[_Node, ...]] = {}
        # Patterns made only of Chinese characters also run as regular expressions
        # over the folded text, tried only when a character they can start with is
        # present: Chinese needs no stems or typos, and re scans literals in C.
        self._cjk_parts: dict[
            str, list[tuple[str, str, set[str]]]
        ] = {}  # set -> (pattern, regex, first chars)
        self._cjk: list[tuple[str, frozenset[str], re.Pattern[str], list[str]]] = []
        self._trie_used = False
        self._unless: dict[str, str] = {}  # set name -> the hidden set of its exceptions
        for spec in list(specs):
            if spec.unless:
                hidden = f"{spec.name}\x00unless"
                self._unless[spec.name] = hidden
                self._add(PhraseSpec(hidden, spec.unless, negatable=False))
            self._add(spec)

    def _add(self, spec: PhraseSpec) -> None:
        compiled = _Compiled(spec)
        self._sets[spec.name] = compiled
        for pattern in spec.patterns:
            result = compile_pattern(pattern)
            if isinstance(result, re.Pattern):
                compiled.regexes.append((pattern, result))
                continue
            as_regex = _cjk_regex(result)
            if as_regex is not None:
                firsts = {str(char) for _, char in _first(result)[0]}
                self._cjk_parts.setdefault(spec.name, []).append((pattern, as_regex, firsts))
                continue
            for word, key in tokens_of(pattern):
                if word.isalpha() and len(word) >= 4:
                    self._pattern_words[word] = key
            budget = [MAX_TRIE_PATHS]
            self._insert(self._root, result, (), (spec.name, pattern), budget, pattern)
            self._trie_used = True

    def _insert(
        self,
        node: _Node,
        seq: Sequence_,
        rest: tuple[Sequence_, ...],
        payload: tuple[str, str],
        budget: list[int],
        pattern: str,
    ) -> None:
        """Add seq, then the sequences in `rest`, below `node`."""
        while True:
            if not seq:
                if not rest:
                    if payload not in node.ends:
                        node.ends.append(payload)
                    return
                seq, rest = rest[0], rest[1:]
                continue
            kind, value = seq[0]
            seq = seq[1:]
            if kind == "k":
                self._vocab.add(value)
                node = node.next.setdefault(value, _Node())
            elif kind == "p":
                child = next((c for p, c in node.prefixes if p == value), None)
                if child is None:
                    child = _Node()
                    node.prefixes.append((value, child))
                node = child
            elif kind == "g":
                child = next((c for g, c in node.gaps if g == value), None)
                if child is None:
                    child = _Node()
                    node.gaps.append((value, child))
                node = child
            else:  # alternatives: each continues with the rest of the pattern
                budget[0] -= len(value)
                if budget[0] < 0:
                    raise PatternError(
                        f"pattern '{pattern}' has too many combinations of alternatives",
                        "split it into several patterns",
                    )
                for alt in value:
                    self._insert(node, alt, (seq, *rest), payload, budget, pattern)
                return

    def _prefix_nodes(self, word: str) -> tuple[_Node, ...]:
        """Trie nodes after the root's word-prefix edges that `word` takes (cached)."""
        nodes = tuple(node for prefix, node in self._root.prefixes if word.startswith(prefix))
        if len(self._prefix_starts) < 200_000:
            self._prefix_starts[word] = nodes
        return nodes

    @property
    def names(self) -> list[str]:
        return [n for n in self._sets if "\x00" not in n]

    def spec(self, name: str) -> PhraseSpec:
        return self._sets[name].spec

    def vocabulary(self) -> set[str]:
        """Every word key the patterns use (for typo tolerance)."""
        return set(self._vocab)

    def find(self, text: Analysis | str) -> dict[str, list[Hit]]:
        """All hits per set name (sets without hits are absent)."""
        a = text if isinstance(text, Analysis) else analyse(text)
        root_next = self._root.next
        typo_at: set[int] = set()
        found: list[tuple[int, int, tuple[str, str]]] = []
        if self._trie_used:
            keys = a.keys
            words = a.words
            if self.typos and self._pattern_words:
                vocab = self._vocab
                typo_cache = self._typo_cache
                fixed_keys = None
                for i in [i for i, k in enumerate(keys) if len(k) > 2 and k not in vocab]:
                    word = words[i]
                    fixed = typo_cache[word] if word in typo_cache else self._typo_key(word)
                    if fixed is not None:
                        if fixed_keys is None:
                            fixed_keys = list(keys)
                        fixed_keys[i] = fixed
                        typo_at.add(i)
                if fixed_keys is not None:
                    keys = fixed_keys
            for i, key in enumerate(keys):
                child = root_next.get(key)
                if child is not None:
                    _walk(child, i + 1, i, keys, words, found)
            if self._root.prefixes:
                starts_here = self._prefix_starts
                for i, word in enumerate(words):
                    nodes = starts_here.get(word)
                    if nodes is None:
                        nodes = self._prefix_nodes(word)
                    for node in nodes:
                        _walk(node, i + 1, i, keys, words, found)
        raw: dict[str, list[tuple[int, int, str, int]]] = {}
        for first, end, (name, pattern) in found:
            raw.setdefault(name, []).append((first, end, pattern, 0))
        result: dict[str, list[Hit]] = {}
        for name, entries in raw.items():
            result[name] = self._hits(name, a, entries, typo_at)
        if self._cjk or self._cjk_parts:
            for name, by_chars in self._cjk_hits(a).items():
                result[name] = _dedupe([*result.get(name, []), *by_chars])
        for name, compiled in self._sets.items():
            if compiled.regexes:
                hits = self._regex_hits(name, a, compiled.regexes)
                if hits:
                    result[name] = _dedupe([*result.get(name, []), *hits])
        for name, hidden in self._unless.items():
            spans = result.pop(hidden, None)
            if spans and name in result:
                result[name] = [
                    h._replace(excepted=True)
                    if any(u.start < h.end and h.start < u.end for u in spans)
                    else h
                    for h in result[name]
                ]
        return result

    def _hits(
        self, name: str, a: Analysis, entries: list[tuple[int, int, str, int]], typo_at: set[int]
    ) -> list[Hit]:
        spec = self._sets[name].spec
        hits = []
        spans = a.spans
        for first, last, pattern, _ in entries:
            start, end = spans[first][0], spans[last - 1][1]
            negated = spec.negatable and is_negated(a, first)
            in_q = a.is_question(first)
            typo = any(first <= i < last for i in typo_at)
            hits.append(
                Hit(
                    name, start, end, a.text[start:end], pattern, negated, in_q, spec.question, typo
                )
            )
        return _dedupe(hits)

    def _compile_cjk(self) -> None:
        """One regex per set: its Chinese patterns as named alternatives, longest first."""
        for name, parts in self._cjk_parts.items():
            ordered = sorted(parts, key=lambda p: -len(p[1]))
            firsts = frozenset().union(*(f for _, _, f in ordered))
            # the lookahead lets re skip every position no pattern can start at
            starts = "".join(re.escape(c) for c in sorted(firsts))
            alternatives = "|".join(f"(?P<p{i}>{rx})" for i, (_, rx, _) in enumerate(ordered))
            regex = f"(?=[{starts}])(?:{alternatives})"
            self._cjk.append((name, firsts, re.compile(regex), [p for p, _, _ in ordered]))
        self._cjk_parts = {}

    def _cjk_hits(self, a: Analysis) -> dict[str, list[Hit]]:
        if self._cjk_parts:
            self._compile_cjk()
        folded = a.folded
        present = set(folded)
        out: dict[str, list[Hit]] = {}
        for name, firsts, rx, patterns in self._cjk:
            if firsts.isdisjoint(present):
                continue
            spec = self._sets[name].spec
            for m in rx.finditer(folded):
                start, end = m.span()
                if start == end:
                    continue
                negated = spec.negatable and a.negated_at(start)
                pattern = patterns[int(m.lastgroup[1:])]  # type: ignore[index]
                out.setdefault(name, []).append(
                    Hit(
                        name,
                        start,
                        end,
                        a.text[start:end],
                        pattern,
                        negated,
                        a.question_at(start),
                        spec.question,
                    )
                )
        return out

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
                first = next(
                    (i for i, (s, _) in enumerate(a.spans) if s >= m.start() and a.keys[i] != SENT),
                    None,
                )
                negated = spec.negatable and first is not None and is_negated(a, first)
                in_q = first is not None and a.is_question(first)
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


def _cjk_regex(seq: Sequence_) -> str | None:
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
            alts = [_cjk_regex(alt) for alt in value]
            if any(alt is None for alt in alts):
                return None
            out.append("(?:" + "|".join(alts) + ")")  # type: ignore[arg-type]
        else:
            return None
    return "".join(out)


def _walk(
    node: _Node,
    i: int,
    first: int,
    keys: list[str],
    words: list[str],
    found: list[tuple[int, int, tuple[str, str]]],
) -> None:
    """Follow the trie from `node` at token i; record every pattern completed.

    A sentence end (SENT) matches no key, so no match runs across it.
    """
    for payload in node.ends:
        found.append((first, i, payload))
    n = len(keys)
    if i < n:
        child = node.next.get(keys[i])
        if child is not None:
            _walk(child, i + 1, first, keys, words, found)
        if node.prefixes:
            word = words[i]
            for prefix, pnode in node.prefixes:
                if word.startswith(prefix):
                    _walk(pnode, i + 1, first, keys, words, found)
    for most, gnode in node.gaps:
        for skip in range(most + 1):
            k = i + skip
            if k > n or (skip and keys[k - 1] == SENT):
                break
            _walk(gnode, k, first, keys, words, found)


@cache
@cache
def _lexicon() -> tuple[str, array[int]]:
    """pyspellchecker's English word list, kept compact: the words sorted and joined in one
    string, with their offsets (about 4 MB, against 40 MB for the library's own dict)."""
    import gzip
    from importlib import resources

    raw = (resources.files("spellchecker") / "resources" / "en.json.gz").read_bytes()
    text = gzip.decompress(raw).decode("utf-8")
    words = sorted(set(re.findall(r'"((?:[^"\\]|\\.)*)":', text)))
    del text, raw
    joined = "\n".join(words)
    offsets = array("I", [0])
    for word in words:
        offsets.append(offsets[-1] + len(word) + 1)
    return joined, offsets


@lru_cache(maxsize=65536)
def is_known_word(word: str) -> bool:
    """Whether `word` is an English dictionary word (so never a typo). Replies repeat
    their words, so the answers are remembered."""
    word = word.lower()
    joined, offsets = _lexicon()
    lo, hi = 0, len(offsets) - 1
    while lo < hi:  # binary search over the sorted words
        mid = (lo + hi) // 2
        candidate = joined[offsets[mid] : offsets[mid + 1] - 1]
        if candidate < word:
            lo = mid + 1
        elif candidate > word:
            hi = mid
        else:
            return True
    return False


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
