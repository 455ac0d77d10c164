"""Phrase patterns: syntax, boundaries, stems, typos, negation, Chinese."""

import pytest

from qa_sim.scoring.phrases import (
    PatternError,
    PhraseBook,
    PhraseSpec,
    compile_pattern,
    pattern_problems,
)


def hits(patterns: tuple[str, ...], text: str, **opts: bool) -> list[str]:
    book = PhraseBook([PhraseSpec("x", patterns, **opts)])
    return [h.text for h in book.find(text).get("x", []) if h.counts]


@pytest.mark.parametrize(
    ("patterns", "text", "found"),
    [
        (("hi",), "This is it", []),  # word boundaries: 'hi' is not in 'this'
        (("hi",), "Hi there!", ["Hi"]),
        (("sorry",), "SORRY about that", ["SORRY"]),
        (("apolog*",), "Our apologies.", ["apologies"]),
        (("i apologize",), "I apologise for the wait", ["I apologise"]),  # British spelling
        (("tracking number",), "your tracking numbers", ["tracking numbers"]),  # stems
        (
            ("check ... tracking",),
            "let me check your parcel's tracking",
            ["check your parcel's tracking"],
        ),
        (("check ... tracking",), "check it. The tracking", []),  # never across a sentence
        (("(refund|money back)",), "I want my money back", ["money back"]),
        (("[very] sorry",), "I'm very sorry", ["very sorry"]),
        (("(so|very)? sorry",), "so sorry", ["so sorry"]),  # regex-style optional group
        (("thank you",), "Thank-you!", ["Thank-you"]),
        (("抱歉",), "給您帶來不便，非常抱歉！", ["抱歉"]),  # traditional + full-width
        (("物流...查询",), "物流信息我帮您查询一下", ["物流信息我帮您查询"]),
        (("re:\\bds-\\d{6}\\b",), "order DS-123456 is late", ["DS-123456"]),
    ],
)
def test_pattern_matching_table(patterns: tuple[str, ...], text: str, found: list[str]) -> None:
    assert hits(patterns, text) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I appologize", True),
        ("sory about that", True),
        ("I thinks so", False),  # a real word is never a typo of 'thanks'
        ("thnaks a lot", True),  # transposition
        ("I sorted it", False),
    ],
)
def test_typos_in_unknown_words_only(text: str, found: bool) -> None:
    assert bool(hits(("sorry", "thanks", "i apologize"), text)) is found


def test_negated_hits_are_reported_but_do_not_count() -> None:
    book = PhraseBook([PhraseSpec("apology", ("sorry", "抱歉"))])
    (hit,) = book.find("I'm not sorry.")["apology"]
    assert hit.negated and not hit.counts and hit.why_not == "negated"
    (zh,) = book.find("我不是很抱歉")["apology"]
    assert zh.negated


def test_question_only_sets_need_a_question() -> None:
    book = PhraseBook([PhraseSpec("needs", ("anything else",), question=True)])
    (statement,) = book.find("Let me know if you need anything else.")["needs"]
    assert not statement.counts and statement.why_not == "not_a_question"
    (question,) = book.find("Anything else?")["needs"]
    assert question.counts


def test_not_negatable_sets_ignore_negation() -> None:
    assert hits(("sorry",), "not sorry", negatable=False) == ["sorry"]


@pytest.mark.parametrize(
    "pattern",
    ["", "   ", "(refund", "refund)", "re:(unclosed", "...", "[optional]", "(a|b)?", "抱*"],
)
def test_bad_patterns_raise_with_a_hint(pattern: str) -> None:
    with pytest.raises(PatternError) as err:
        compile_pattern(pattern)
    assert err.value.message


def test_pattern_problems_name_patterns_that_never_match() -> None:
    assert pattern_problems("... sorry")
    assert pattern_problems("sorry !!!")
    assert not pattern_problems("so sorry")
