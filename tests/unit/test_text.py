"""Text analysis: folding keeps offsets, stems, negation scope, questions."""

import pytest

from qa_sim.scoring.text import analyse, fold, is_negated, stem


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Ｈｅｌｌｏ！", "hello!"),  # full-width letters and punctuation
        ("請問您的訂單號碼是多少？", "请问您的订单号码是多少?"),  # traditional -> simplified
        ("I’m sorry", "i'm sorry"),  # curly apostrophe
        ("您好，再见。", "您好,再见."),
    ],
)
def test_fold_normalises_without_moving_offsets(raw: str, folded: str) -> None:
    assert fold(raw) == folded
    assert len(fold(raw)) == len(raw)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("apologise", "apologize"),
        ("apologies", "apologize"),
        ("tracking", "tracked"),
        ("refunds", "refunded"),
        ("cancelled", "canceled"),
        ("colour", "color"),
    ],
)
def test_british_and_inflected_forms_share_a_stem(a: str, b: str) -> None:
    assert stem(a) == stem(b)


def test_contractions_expand_into_words_with_their_own_spans() -> None:
    a = analyse("I can't help")
    assert a.words == ["i", "can", "not", "help"]
    assert [a.text[s:e] for s, e in a.spans] == [
        "I",
        "ca",
        "n't",
        "help",
    ]


@pytest.mark.parametrize(
    ("text", "word", "negated"),
    [
        ("I'm not sorry.", "sorry", True),
        ("I am never sorry", "sorry", True),  # 'never' right before
        ("No problem, sorry for the wait", "sorry", False),  # comma ends the negation's clause
        ("I am sorry it did not arrive", "sorry", False),  # negation after the word
        ("我不是很抱歉", "歉", True),
        ("给您带来不便，非常抱歉", "歉", False),
        ("给您带来不便非常抱歉", "歉", False),  # 不便 is one word, not a negation
        ("真不好意思", "好", False),  # 不 inside 不好意思 is checked from the start of the match
    ],
)
def test_negation_scope(text: str, word: str, negated: bool) -> None:
    a = analyse(text)
    # the match starts at the first character/word of the phrase
    first = {"sorry": "sorry", "歉": "抱", "好": "不"}[word]
    index = a.words.index(first) if first in a.words else a.keys.index(first)
    assert is_negated(a, index) is negated


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("How would you like us to resolve this?", True),
        ("Is there anything else I can help you with", True),  # inversion, no '?'
        ("What is your order number.", True),
        ("What I can do is send a new one.", False),
        ("Let me know if there is anything else.", False),
        ("您希望如何解决这个问题？", True),
        ("您希望如何解决这个问题", True),  # interrogative word, no full stop
        ("还有什么可以帮您的吗", True),  # final particle
        ("需不需要我帮您登记", True),  # A-not-A
        ("我们会尽快处理，如何处理请看说明。", False),
    ],
)
def test_question_detection(text: str, question: bool) -> None:
    a = analyse(text)
    assert any(a.is_question(lo) for lo, _ in a.sentences()) is question


def test_words_count_chinese_by_jieba_words() -> None:
    assert analyse("您好，请问有什么可以帮您？").word_count() < len("您好请问有什么可以帮您")
    assert analyse("hello there, friend").word_count() == 3


def test_both_interface_catalogs_have_the_same_keys_and_placeholders() -> None:
    import string

    from qa_sim.i18n import en, zh_CN

    assert set(en.MESSAGES) == set(zh_CN.MESSAGES)
    for key, text in en.MESSAGES.items():
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        zh_fields = {f for _, f, _, _ in string.Formatter().parse(zh_CN.MESSAGES[key]) if f}
        assert fields == zh_fields, key
