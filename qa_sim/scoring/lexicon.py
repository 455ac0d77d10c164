"""The English lexicon that tells a typo from a real word, held compactly."""

from __future__ import annotations

import re
from array import array
from functools import cache, lru_cache


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
