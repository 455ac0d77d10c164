"""Compiled phrase sets: match an analysed text, return evidence spans.

The pattern language is described in patterns.py; here many sets are compiled
together into one trie (and, for Chinese, one regex per set) and matched in a
single pass over an analysed text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from qa_sim.scoring.hits import Hit, PhraseSpec
from qa_sim.scoring.lexicon import is_known_word
from qa_sim.scoring.patterns import (
    PatternError,
    Sequence_,
    cjk_regex,
    compile_pattern,
    example,
    first_elements,
    pattern_problems,
)
from qa_sim.scoring.text import (
    SENT,
    Analysis,
    analyse,
    is_cjk_char,
    is_negated,
    tokens_of,
)

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
            as_regex = cjk_regex(result)
            if as_regex is not None:
                firsts = {str(char) for _, char in first_elements(result)[0]}
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


__all__ = [
    "Hit",
    "PatternError",
    "PhraseBook",
    "PhraseSpec",
    "compile_pattern",
    "example",
    "is_known_word",
    "pattern_problems",
    "phrase_specs",
]
