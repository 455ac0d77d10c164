"""The standard rubric's phrase packs on real contact-centre phrasings (written for these tests)."""

from __future__ import annotations

import pytest

from qa_sim.library import ContentLibrary
from qa_sim.scoring.engine import RubricEngine


@pytest.fixture(scope="module")
def engine(library: ContentLibrary) -> RubricEngine:
    return library.engine("standard")


def shown(engine: RubricEngine, text: str, locale: str) -> set[str]:
    verdict = engine.live(engine.reply(text, locale))
    return set(verdict.met) | {f"!{v}" for v in verdict.violated}


EN = [
    ("Hi Sam, thanks for reaching out!", {"greeting", "thanks"}),
    ("Good afternoon, you're speaking with Lee.", {"greeting"}),
    ("This is it.", set()),  # 'hi' inside 'this' is not a greeting
    ("My apologies for the mix-up.", {"apology"}),
    ("I apologise for the wait.", {"apology"}),
    ("I appologize for that.", {"apology"}),  # typo
    ("I'm not sorry, that's the rule.", set()),  # negated
    ("I completely understand how frustrating that must be.", {"empathy"}),
    ("That sounds really stressful.", {"empathy"}),
    ("Is there anything else I can help you with today?", {"needs_question"}),
    ("How would you like us to resolve this?", {"needs_question"}),
    ("Would you prefer a refund or a replacement?", {"needs_question"}),
    ("Let me know if there is anything else.", {"closing"}),  # an offer, not a question
    ("What kind of event: music, sports, or anything else?", set()),  # an option list
    ("Have a great day!", {"closing"}),
    ("Enjoy the rest of your weekend.", {"closing"}),
    ("You're very welcome.", {"thanks"}),
    ("Calm down, please.", {"!forbidden_language"}),
    ("That's not my department.", {"!forbidden_language"}),
    ("It's not your fault at all.", set()),  # negated blame is reassurance
    ("I think the parcel left the depot.", set()),  # 'think' is not 'thank'
]

ZH = [
    ("您好，很高兴为您服务。", {"greeting"}),
    ("早上好！", {"greeting"}),
    ("非常抱歉让您久等了。", {"apology"}),
    ("給您帶來不便，深表歉意！", {"apology"}),  # traditional characters, full-width punctuation
    ("我不是很抱歉", set()),  # negated
    ("给您带来不便非常抱歉", {"apology"}),  # 不便 is not a negation
    ("真不好意思。", {"apology"}),
    ("非常理解您着急的心情。", {"empathy"}),
    ("您希望如何解决这个问题？", {"needs_question"}),
    ("还有什么可以帮您的吗？", {"needs_question"}),
    ("您是想退款还是换新呢？", {"needs_question"}),
    ("请问还有其他想了解的吗？", {"needs_question"}),
    ("请问您需要我帮您办理吗？", {"needs_question"}),
    ("还有其他想了解的。", set()),  # a statement, not a question
    ("给您添麻烦了。", {"apology"}),
    ("不客气，祝您生活愉快，再见！", {"thanks", "closing"}),
    ("不用跟我客气。", {"thanks"}),
    ("没办法，这是公司规定。", {"!forbidden_language"}),
    ("这不归我管。", {"!forbidden_language"}),
    ("这不是您的问题。", set()),  # negated blame
    ("您先冷静一下。", {"!forbidden_language"}),
    ("好的，我查一下。", set()),
]


@pytest.mark.parametrize(("text", "expected"), EN, ids=[t for t, _ in EN])
def test_english_pack(engine: RubricEngine, text: str, expected: set[str]) -> None:
    assert shown(engine, text, "en") == expected


@pytest.mark.parametrize(("text", "expected"), ZH, ids=[t for t, _ in ZH])
def test_chinese_pack(engine: RubricEngine, text: str, expected: set[str]) -> None:
    assert shown(engine, text, "zh-CN") == expected


@pytest.mark.parametrize(
    ("text", "locale", "stuffed"),
    [
        ("hello sorry thanks anything else bye", "en", True),
        ("Hi! Sorry! Thanks! Bye!", "en", True),
        ("Hello, I'm sorry for the wait, thanks for your patience.", "en", False),
        ("您好，抱歉，谢谢，再见", "zh-CN", True),
        ("您好，很高兴为您服务，给您带来不便非常抱歉。", "zh-CN", False),
    ],
)
def test_stuffing_guard(engine: RubricEngine, text: str, locale: str, stuffed: bool) -> None:
    findings = engine.reply(text, locale)
    assert findings.stuffed is stuffed
    if stuffed:
        assert not engine.live(findings).met & {"greeting", "apology", "thanks", "closing"}
