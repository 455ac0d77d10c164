"""Text analysis shared by phrase matching, branching facts and the rubric checkers.

A reply is analysed once: folded (case, width, punctuation, traditional ->
simplified Chinese) without changing its length, so every offset in the folded
text is an offset in what the trainee typed; then cut into tokens whose *keys*
are what patterns compare against (English stems, Chinese characters), with
sentence and clause numbers for scoping matches, negation and questions.

Heavy libraries (nltk, jieba, opencc) load on first use, never at import.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from bisect import bisect_left
from functools import cache, lru_cache
from typing import Any

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")

# ---------------------------------------------------------------------------
# Folding: one character in, one character out, so offsets survive.
# ---------------------------------------------------------------------------

_PUNCT = {
    "\u3000": " ",
    "。": ".",
    "，": ",",
    "、": ",",
    "；": ";",
    "：": ":",
    "？": "?",
    "！": "!",
    "（": "(",
    "）": ")",
    "【": "[",
    "】": "]",
    "「": '"',
    "」": '"',
    "『": '"',
    "』": '"',
    "《": '"',
    "》": '"',
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "´": "'",
    "`": "'",
    "…": ".",
    "～": "~",
    "—": "-",
    "–": "-",
    "\u00a0": " ",
    "\t": " ",
    "\r": "\n",
    "｡": ".",
    "､": ",",
}


@cache
def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {ord(k): v for k, v in _PUNCT.items()}
    for cp in range(0xFF01, 0xFF5F):  # full-width ASCII
        table.setdefault(cp, chr(cp - 0xFEE0).lower())
    return table


@cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def _lower_1to1(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    # A few characters (e.g. 'İ') lower to two; keep those as they are.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def fold(text: str) -> str:
    """Case, width, punctuation and script folding that keeps every offset."""
    out = _lower_1to1(text).translate(_fold_table())
    if _CJK_RE.search(out):
        simplified = _t2s().convert(out)
        if len(simplified) != len(out):  # a phrase conversion changed length
            simplified = "".join(s if len(s := _t2s().convert(c)) == 1 else c for c in out)
        out = simplified
    return out


def has_cjk(text: str) -> bool:
    return _CJK_RE.search(text) is not None


def is_cjk_char(char: str) -> bool:
    return bool(char) and _CJK_RE.match(char) is not None


# ---------------------------------------------------------------------------
# English keys: contractions, British spellings, stems.
# ---------------------------------------------------------------------------

_CONTRACTIONS = {
    "'m": "am",
    "'re": "are",
    "'ve": "have",
    "'ll": "will",
    "'d": "would",
    "'s": "is",
}
_NOT_SPECIAL = {"can't": "can", "won't": "will", "shan't": "shall", "ain't": "is"}
_BRIT = [
    (re.compile(r"(?<=[a-z]{3})is(e|es|ed|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"(?<=[a-z]{2}[^aeiou])our(s|ed|ing|able|ite|ites)?$"), r"or\1"),
    (re.compile(r"(?<=[a-z]{3})yse(s|d)?$"), r"yze\1"),
]


@cache
def _stemmer() -> Any:
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english", ignore_stopwords=False)


_stem_cache: dict[str, str] = {}


def stem(word: str) -> str:
    """The comparison key of one lower-case English word (cached)."""
    key = _stem_cache.get(word)
    if key is None:
        spelled = word
        for rx, repl in _BRIT:
            spelled = rx.sub(repl, spelled)
        key = word if word.isdigit() else _stemmer().stem(spelled)
        _stem_cache[word] = key
    return key


def _split_word(word: str, start: int) -> list[tuple[int, int, str]]:
    """Expand a contraction into words, each with its own character span."""
    if "'" not in word:
        return [(start, start + len(word), word)]
    if word in _NOT_SPECIAL:
        n = len(word) - 3
        return [(start, start + n, _NOT_SPECIAL[word]), (start + n, start + len(word), "not")]
    if word.endswith("n't"):
        n = len(word) - 3
        return [(start, start + n, word[:n]), (start + n, start + len(word), "not")]
    base, _, rest = word.partition("'")
    tail = "'" + rest
    parts = [(start, start + len(base), base)]
    if tail in _CONTRACTIONS:
        parts.append((start + len(base), start + len(word), _CONTRACTIONS[tail]))
    else:  # o'clock, names like o'brien: keep whole
        return [(start, start + len(word), word.replace("'", ""))]
    return parts


# ---------------------------------------------------------------------------
# Analysis of one text.
# ---------------------------------------------------------------------------

EN_QUESTION_AUX = frozenset(
    "is are am was were do does did can could would will shall should may might "
    "have has had need".split()
)
EN_QUESTION_WH = frozenset("how what which when where who whom whose why".split())
EN_SUBJECTS = frozenset(
    "i you we there it he she they this that everything anything something someone anyone".split()
)
EN_LEADERS = frozenset("so and also ok okay well now then great sure alright right".split())
ZH_QUESTION_WORDS = ("什么", "怎么", "如何", "哪", "多少", "几", "为什么", "是否", "吗", "呢")
ZH_A_NOT_A = re.compile(r"(.)不\1|(.)没\2|有没有|是否|可否")
ZH_FINAL_PARTICLES = "吗呢么"
ZH_TRAILING = "呀啊哈哦呢~ "


SENT = "\x1e"  # a sentence end in the key stream: no pattern match crosses it

# Words (with inner apostrophes), single Chinese characters, and sentence ends.
# A '.' between digits ("$5,348.16") ends nothing.
_PIECE_RE = re.compile(rf"[a-z0-9]+(?:'[a-z]+)*|[{CJK}]|[!?;\n]|\.(?!\d)")
_CLAUSE_CHARS = frozenset(",:")
_SENT_END_RE = re.compile(r"[!?;\n]|\.(?!\d)")
_Part = tuple[int, int, str, str]  # (start within the piece, end, word, key)
_parts_cache: dict[str, tuple[_Part, ...]] = {}


def _parts(piece: str) -> tuple[_Part, ...]:
    """The words and keys of one piece of text (cached: pieces repeat endlessly)."""
    parts = _parts_cache.get(piece)
    if parts is None:
        if piece in "!?;\n." and len(piece) == 1:
            parts = ((0, 1, SENT, SENT),)
        elif _CJK_RE.match(piece):
            parts = ((0, 1, piece, piece),)
        else:
            parts = tuple((s, e, w, stem(w)) for s, e, w in _split_word(piece, 0))
        _parts_cache[piece] = parts
    return parts


class Analysis:
    """One text, folded and cut into keys; positions, sentences and questions on demand.

    `keys` and `words` run in parallel and include a SENT marker at each
    sentence end, so matching needs nothing else; character spans are worked
    out only when a match needs them.
    """

    __slots__ = ("_ends", "_keys", "_pieces", "_questions", "_spans", "_words", "folded", "text")

    def __init__(self, text: str, folded: str) -> None:
        self.text = text
        self.folded = folded
        self._pieces: list[str] | None = None
        self._keys: list[str] = []
        self._words: list[str] = []
        self._spans: list[tuple[int, int]] | None = None
        self._ends: list[int] | None = None
        self._questions: dict[int, bool] = {}

    def _tokenize(self) -> list[str]:
        pieces = self._pieces = _PIECE_RE.findall(self.folded)
        cache_get = _parts_cache.get
        parts = [p for piece in pieces for p in (cache_get(piece) or _parts(piece))]
        self._keys = [p[3] for p in parts]
        self._words = [p[2] for p in parts]
        return pieces

    @property
    def pieces(self) -> list[str]:
        return self._pieces if self._pieces is not None else self._tokenize()

    @property
    def keys(self) -> list[str]:
        """The comparison key of each token (stems, characters), SENT at sentence ends."""
        if self._pieces is None:
            self._tokenize()
        return self._keys

    @property
    def words(self) -> list[str]:
        if self._pieces is None:
            self._tokenize()
        return self._words

    # -- by character offset (no tokens needed) --------------------------------

    def _sentence_ends(self) -> list[int]:
        if self._ends is None:
            self._ends = [m.start() for m in _SENT_END_RE.finditer(self.folded)]
        return self._ends

    def sentence_at(self, offset: int) -> tuple[int, int]:
        """Character span of the sentence holding `offset`, its end mark included."""
        ends = self._sentence_ends()
        k = bisect_left(ends, offset)
        start = ends[k - 1] + 1 if k else 0
        end = ends[k] + 1 if k < len(ends) else len(self.folded)
        return start, end

    def question_at(self, offset: int) -> bool:
        """Whether the sentence holding character `offset` is a question (cached)."""
        start, end = self.sentence_at(offset)
        key = -1 - start  # cache apart from the token-indexed entries
        cached = self._questions.get(key)
        if cached is None:
            body = self.folded[start:end]
            words = [] if has_cjk(body) else _PIECE_RE.findall(body)
            cached = sentence_is_question(body, [w for p in words for _, _, w, _ in _parts(p)])
            self._questions[key] = cached
        return cached

    def negated_at(self, start: int) -> bool:
        """Chinese negation just before character `start`, in the same clause."""
        if ZH_NEGATOR_CHARS.isdisjoint(self.folded[max(0, start - 4) : start]):
            return False  # the usual case, decided without cutting words
        window = self.folded[max(0, start - 6) : start]
        cut = max(window.rfind(c) for c in ",:;!?.\n")
        if cut >= 0:
            window = window[cut + 1 :]
        if ZH_NEGATOR_CHARS.isdisjoint(window[-4:]):
            return False
        found = [w for w in chinese_words(window) if w.strip()]
        return any(w in ZH_NEGATOR_WORDS for w in found[-2:])

    def __len__(self) -> int:
        """Tokens, not counting sentence ends."""
        return len(self.keys) - self.keys.count(SENT)

    @property
    def cjk(self) -> bool:
        return has_cjk(self.folded)

    @property
    def spans(self) -> list[tuple[int, int]]:
        """(start, end) in the text of every token (and sentence end)."""
        if self._spans is None:
            # Pieces came out of findall in order, and the text between two pieces
            # holds none of their characters, so str.find from the last end is exact.
            spans: list[tuple[int, int]] = []
            add = spans.append
            find = self.folded.find
            pos = 0
            for piece in self.pieces:
                at = find(piece, pos)
                parts = _parts_cache[piece]
                if len(parts) == 1:
                    add((at, at + len(piece)))
                else:
                    spans.extend((at + s, at + e) for s, e, _, _ in parts)
                pos = at + len(piece)
            self._spans = spans
        return self._spans

    def tokens(self) -> list[int]:
        """Indices of real tokens (sentence ends left out)."""
        return [i for i, k in enumerate(self.keys) if k != SENT]

    def sentence_range(self, i: int) -> tuple[int, int]:
        """Token indices [lo, hi) of the sentence holding token i; keys[hi] is its end, if any."""
        keys = self.keys
        lo = i
        while lo > 0 and keys[lo - 1] != SENT:
            lo -= 1
        hi = i
        while hi < len(keys) and keys[hi] != SENT:
            hi += 1
        return lo, hi

    def sentences(self) -> list[tuple[int, int]]:
        """Token ranges of all sentences that have words."""
        out = []
        lo = 0
        for i, k in enumerate([*self.keys, SENT]):
            if k == SENT:
                if i > lo:
                    out.append((lo, i))
                lo = i + 1
        return out

    def is_question(self, i: int) -> bool:
        """Whether the sentence holding token i is a question (cached per sentence)."""
        lo, hi = self.sentence_range(i)
        cached = self._questions.get(lo)
        if cached is None:
            spans = self.spans
            start = spans[lo][0]
            end = spans[hi][1] if hi < len(spans) else len(self.folded)
            if hi >= len(spans):  # no end mark: take trailing punctuation too ("...")
                end = len(self.folded)
            cached = sentence_is_question(self.folded[start:end], self.words[lo:hi])
            self._questions[lo] = cached
        return cached

    def clause_break(self, i: int, j: int) -> bool:
        """Whether a comma, colon or sentence end stands between tokens i < j."""
        if SENT in self.keys[i + 1 : j + 1]:
            return True
        spans = self.spans
        return any(c in _CLAUSE_CHARS for c in self.folded[spans[i][1] : spans[j][0]])

    def word_count(self) -> int:
        """Words as a reader counts them: English words, Chinese words (jieba)."""
        latin = sum(1 for w in self.words if w != SENT and not is_cjk_char(w))
        if not self.cjk:
            return latin
        return latin + sum(1 for w in chinese_words(self.folded) if has_cjk(w))


def sentence_is_question(sentence: str, words: list[str]) -> bool:
    body = sentence.rstrip()
    if body.endswith("?"):
        return True
    if has_cjk(body):
        core = body.rstrip(".!;," + ZH_TRAILING)
        if core and core[-1] in ZH_FINAL_PARTICLES:
            return True
        if ZH_A_NOT_A.search(core):
            return True
        return not body.endswith((".", "!")) and any(w in core for w in ZH_QUESTION_WORDS)
    toks = [w for w in words if w and w != SENT]
    while toks and toks[0] in EN_LEADERS:
        toks = toks[1:]
    if len(toks) < 2:
        return False
    if toks[0] in EN_QUESTION_AUX and toks[1] in EN_SUBJECTS:
        return True
    return toks[0] in EN_QUESTION_WH and toks[1] in EN_QUESTION_AUX


def analyse(text: str) -> Analysis:
    """Fold `text`; its keys are cut on first use. English, Chinese or a mix of both."""
    return Analysis(text, fold(text))


@lru_cache(maxsize=65536)
def tokens_of(text: str) -> tuple[tuple[str, str], ...]:
    """(word, key) pairs of `text`, for compiling patterns (cached: patterns repeat)."""
    a = analyse(text)
    return tuple((w, k) for w, k in zip(a.words, a.keys, strict=True) if k != SENT)


# ---------------------------------------------------------------------------
# Chinese words (jieba) and negation.
# ---------------------------------------------------------------------------


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@cache
def chinese_words(text: str) -> tuple[str, ...]:
    return tuple(_jieba().lcut(text, HMM=False))


EN_NEGATORS = frozenset(
    "not no never nobody nothing neither nor hardly without cannot nope".split()
)
ZH_NEGATOR_CHARS = frozenset("不没未别无非莫勿")
ZH_NEGATOR_WORDS = frozenset(
    "不 没 没有 未 别 无 并不 并没有 并非 不是 不会 不太 不再 绝不 从不 从没 从未 毫不 决不 "
    "不必 不用 不要 未必 勿 莫".split()
)
_NEGATION_WINDOW = 3  # words before a match that can negate it


def is_negated(a: Analysis, first_token: int) -> bool:
    """Whether the words just before token `first_token` negate what follows.

    English: a negator among the three words before, in the same clause
    ("I'm not sorry", "never apologise"). Chinese: a negator word (by jieba)
    among the two words before, in the same clause ("不抱歉", "我不是很抱歉"),
    so that "给您带来不便，非常抱歉" is not read as a negation of 抱歉.
    """
    if first_token <= 0:
        return False
    keys, words = a.keys, a.words
    if is_cjk_char(keys[first_token]):
        return a.negated_at(a.spans[first_token][0])
    i = first_token - 1
    seen = 0
    while i >= 0 and seen < _NEGATION_WINDOW and keys[i] != SENT:
        if a.clause_break(i, first_token):
            return False
        if words[i] in EN_NEGATORS:
            return True
        seen += 1
        i -= 1
    return False


def warm_up(locales: tuple[str, ...] = ("en", "zh-CN")) -> None:
    """Load the heavy parts now (stemmer, lexicon, opencc, jieba), e.g. in a background
    thread at start-up, so that no trainee's reply waits for them."""
    from qa_sim.scoring.lexicon import is_known_word

    if "en" in locales:
        stem("warming")
        is_known_word("warming")
    if "zh-CN" in locales:
        fold("繁體")
        chinese_words("预热一下")


def normalize_display(text: str) -> str:
    """NFC-normalise text for display and storage (never used for offsets)."""
    return unicodedata.normalize("NFC", text)
