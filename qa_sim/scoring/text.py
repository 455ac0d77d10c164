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
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")
# A latin word (with inner apostrophes), a number, or one CJK character.
_TOKEN_RE = re.compile(rf"[a-z0-9]+(?:'[a-z]+)*|[{CJK}]")
_SENTENCE_END = frozenset(".!?;\n")
_CLAUSE_END = frozenset(",:")

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


@dataclass
class Analysis:
    """One text, folded and tokenised. Parallel lists keep it fast."""

    text: str
    folded: str
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    sentence_of: list[int] = field(default_factory=list)
    clause_of: list[int] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    _questions: dict[int, bool] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def cjk(self) -> bool:
        return has_cjk(self.folded)

    def span_text(self, start: int, end: int) -> str:
        return self.text[start:end]

    def sentence_index_at(self, offset: int) -> int:
        for i, (s, e) in enumerate(self.sentences):
            if s <= offset < e:
                return i
        return max(len(self.sentences) - 1, 0)

    def is_question(self, sentence: int) -> bool:
        """Whether sentence number `sentence` is a question (cached)."""
        cached = self._questions.get(sentence)
        if cached is None:
            s, e = self.sentences[sentence]
            toks = [self.words[i] for i, n in enumerate(self.sentence_of) if n == sentence]
            cached = sentence_is_question(self.folded[s:e], toks)
            self._questions[sentence] = cached
        return cached

    def word_count(self) -> int:
        """Words as a reader counts them: English words, Chinese words (jieba)."""
        latin = sum(1 for w in self.words if not is_cjk_char(w))
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
    toks = [w for w in words if w]
    while toks and toks[0] in EN_LEADERS:
        toks = toks[1:]
    if len(toks) < 2:
        return False
    if toks[0] in EN_QUESTION_AUX and toks[1] in EN_SUBJECTS:
        return True
    return toks[0] in EN_QUESTION_WH and toks[1] in EN_QUESTION_AUX


def analyse(text: str) -> Analysis:
    """Fold and tokenise `text`; works for English, Chinese and a mix of both."""
    folded = fold(text)
    a = Analysis(text=text, folded=folded)
    # Sentence and clause boundaries, by offset.
    sentence = clause = 0
    sent_start = 0
    bounds: list[tuple[int, int, int]] = []  # (offset, sentence, clause) after each boundary
    for i, ch in enumerate(folded):
        if ch in _SENTENCE_END:
            if folded[sent_start:i].strip():
                a.sentences.append((sent_start, i + 1))
                sentence += 1
            sent_start = i + 1
            clause += 1
            bounds.append((i, sentence, clause))
        elif ch in _CLAUSE_END:
            clause += 1
            bounds.append((i, sentence, clause))
    if folded[sent_start:].strip():
        a.sentences.append((sent_start, len(folded)))
    if not a.sentences:
        a.sentences.append((0, len(folded)))
    b = 0
    cur_sent = cur_clause = 0
    for m in _TOKEN_RE.finditer(folded):
        start = m.start()
        while b < len(bounds) and bounds[b][0] < start:
            _, cur_sent, cur_clause = bounds[b]
            b += 1
        word = m.group()
        if len(word) == 1 and _CJK_RE.match(word):
            parts = [(start, start + 1, word)]
        else:
            parts = _split_word(word, start)
        for s, e, w in parts:
            a.starts.append(s)
            a.ends.append(e)
            a.words.append(w)
            a.keys.append(w if _CJK_RE.match(w) else stem(w))
            a.sentence_of.append(min(cur_sent, len(a.sentences) - 1))
            a.clause_of.append(cur_clause)
    return a


@lru_cache(maxsize=65536)
def tokens_of(text: str) -> tuple[tuple[str, str], ...]:
    """(word, key) pairs of `text`, for compiling patterns (cached: patterns repeat)."""
    a = analyse(text)
    return tuple(zip(a.words, a.keys, strict=True))


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
    clause = a.clause_of[first_token]
    key = a.keys[first_token]
    if is_cjk_char(key):
        start = a.starts[first_token]
        lo = first_token
        while lo > 0 and a.clause_of[lo - 1] == clause and start - a.starts[lo - 1] <= 6:
            lo -= 1
        window = a.folded[a.starts[lo] : start] if lo < first_token else ""
        if not any(c in ZH_NEGATOR_CHARS for c in window[-4:]):
            return False
        words = [w for w in chinese_words(window) if w.strip()]
        return any(w in ZH_NEGATOR_WORDS for w in words[-2:])
    seen = 0
    i = first_token - 1
    while i >= 0 and seen < _NEGATION_WINDOW and a.clause_of[i] == clause:
        if a.words[i] in EN_NEGATORS:
            return True
        seen += 1
        i -= 1
    return False


def normalize_display(text: str) -> str:
    """NFC-normalise text for display and storage (never used for offsets)."""
    return unicodedata.normalize("NFC", text)
