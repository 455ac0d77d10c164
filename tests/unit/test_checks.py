"""Each criterion checker: points, status, reason and evidence, as a trainee or QA lead sees them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qa_sim.library import ContentLibrary
from qa_sim.scoring.engine import RubricEngine, ScoringContext, StepSpec, Turn

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine(library: ContentLibrary) -> RubricEngine:
    return library.engine("standard")


def convo(*lines: str, gap: float | None = None) -> list[Turn]:
    """Alternate customer/agent lines; with `gap`, the agent answers `gap` seconds later."""
    turns, at = [], T0
    for i, text in enumerate(lines):
        role = "customer" if i % 2 == 0 else "agent"
        if gap is not None:
            at = at + timedelta(seconds=gap if role == "agent" else 5)
        turns.append(Turn(role, text, at if gap is not None else None))
    return turns


STEPS = (
    StepSpec("verify", "Verify the order", ("(check|verify) ... order",)),
    StepSpec("explain", "Explain the cause", ("because",)),
    StepSpec("offer", "Offer a coupon", ("coupon",)),
)


def test_greeting_only_counts_in_the_first_reply(engine: RubricEngine) -> None:
    card = engine.score(convo("Hi", "Let me look.", "OK", "Hello again!"), "en")
    greeting = card.criterion("greeting")
    assert greeting.status == "missed" and greeting.points == 0
    assert greeting.reason == "not in the first reply"
    assert "Hello" in greeting.suggestion


def test_met_criterion_names_reply_and_words_with_offsets(engine: RubricEngine) -> None:
    turns = convo("My order is late", "Hello! I'm so sorry about that.")
    card = engine.score(turns, "en")
    apology = card.criterion("apology")
    assert apology.status == "met" and apology.points == apology.max_points
    (ev,) = apology.evidence
    assert ev.turn == 1 and turns[1].text[ev.start : ev.end] == ev.text == "sorry"
    assert apology.reason == "reply 1: “sorry”"


def test_evidence_lists_every_place_in_scope(engine: RubricEngine) -> None:
    card = engine.score(convo("x", "Sorry!", "y", "Again, my apologies."), "en")
    assert [e.turn for e in card.criterion("apology").evidence] == [1, 3]


def test_negated_phrase_is_shown_as_disregarded(engine: RubricEngine) -> None:
    card = engine.score(convo("x", "I'm not sorry."), "en")
    apology = card.criterion("apology")
    assert apology.status == "missed"
    assert [d.note for d in apology.disregarded] == ["negated"]
    assert "is negated" in apology.reason


def test_needs_question_must_be_asked(engine: RubricEngine) -> None:
    statement = engine.score(convo("x", "Let me know if you need anything else."), "en").criterion(
        "needs_question"
    )
    assert statement.status == "missed" and "not asked as a question" in statement.reason
    question = engine.score(convo("x", "Anything else I can help with?"), "en").criterion(
        "needs_question"
    )
    assert question.status == "met"


def test_closing_is_judged_on_the_last_reply(engine: RubricEngine) -> None:
    card = engine.score(
        convo("x", "Have a great day!", "wait, one more thing", "Sure, done."), "en"
    )
    assert card.criterion("closing").status == "missed"


def test_forbidden_language_is_critical_and_fails_the_attempt(engine: RubricEngine) -> None:
    turns = convo(
        "x",
        "Hello, I'm sorry, I understand. How would you like us to fix this? Have a nice day",
        "?",
        "Calm down, it's not my problem.",
    )
    card = engine.score(turns, "en")
    forbidden = card.criterion("forbidden_language")
    assert forbidden.status == "failed" and forbidden.points == 0
    assert card.critical_failed == "forbidden_language" and not card.passed
    assert [e.text for e in forbidden.evidence] == ["Calm down", "it's not my problem"]
    assert forbidden.reason == "reply 2: “Calm down” and 1 more"


def test_steps_in_order_get_full_credit(engine: RubricEngine) -> None:
    context = ScoringContext(steps=STEPS)
    turns = convo(
        "x", "Let me check your order.", "ok", "It's late because of snow. Here's a coupon."
    )
    steps = engine.score(turns, "en", context).criterion("resolution_steps")
    assert steps.status == "met" and steps.points == 20
    assert [e.label for e in steps.evidence] == ["verify", "explain", "offer"]


def test_steps_out_of_order_and_missing_earn_partial_credit(engine: RubricEngine) -> None:
    context = ScoringContext(steps=STEPS)
    turns = convo("x", "Here's a coupon.", "ok", "Let me check your order.")
    steps = engine.score(turns, "en", context).criterion("resolution_steps")
    # verify in order (20/3), offer out of order (half of 20/3), explain missing
    assert steps.status == "partial"
    assert steps.points == pytest.approx(20 / 3 * 1.5)
    assert (
        "missing: Explain the cause" in steps.reason
        and "out of order: Offer a coupon" in steps.reason
    )
    assert [e.note for e in steps.evidence] == ["out_of_order", ""]


def test_steps_are_na_without_an_sop(engine: RubricEngine) -> None:
    assert engine.score(convo("x", "hello"), "en").criterion("resolution_steps").status == "n/a"


def test_personalization_uses_names_and_order_numbers(engine: RubricEngine) -> None:
    en = engine.score(
        convo("Hi, my name is Dana Lee, order DS-482133.", "Thanks Dana, I see DS-482133."), "en"
    )
    assert [e.text for e in en.criterion("personalization").evidence] == ["Dana", "DS-482133"]
    zh = engine.score(convo("你好，我姓王，订单号 JD12345678", "王女士您好"), "zh-CN")
    assert zh.criterion("personalization").status == "met"
    none = engine.score(convo("hello", "hello"), "en").criterion("personalization")
    assert none.status == "n/a"


def test_first_response_time(engine: RubricEngine) -> None:
    fast = engine.score(convo("hi", "Hello!", gap=12), "en").criterion("first_response_time")
    assert fast.status == "met" and fast.reason == "first response after 12 s (limit 30 s)"
    slow = engine.score(convo("hi", "Hello!", gap=45), "en").criterion("first_response_time")
    assert slow.status == "partial" and slow.points == pytest.approx(5 * 0.5)  # graded: 45 s of 30
    never = engine.score(convo("hi", "Hello!", gap=90), "en").criterion("first_response_time")
    assert never.status == "missed"
    untimed = engine.score(convo("hi", "Hello!"), "en").criterion("first_response_time")
    assert untimed.status == "n/a"


def test_na_criteria_leave_the_total(engine: RubricEngine) -> None:
    turns = convo("x", "Hello! Is there anything else I can help with? Have a great day.")
    plain = engine.score(turns, "en")
    without_apology = engine.score(turns, "en", ScoringContext(na=frozenset({"apology"})))
    assert without_apology.criterion("apology").status == "n/a"
    assert without_apology.max_points == plain.max_points - 10
    assert without_apology.total > plain.total


def test_forbidden_language_cannot_be_marked_na(engine: RubricEngine) -> None:
    card = engine.score(
        convo("x", "Calm down."), "en", ScoringContext(na=frozenset({"forbidden_language"}))
    )
    assert card.criterion("forbidden_language").status == "failed"


def test_stuffed_reply_earns_no_courtesy_and_is_flagged(engine: RubricEngine) -> None:
    card = engine.score(convo("x", "hello sorry thanks anything else bye"), "en")
    assert card.criterion("greeting").status == "missed"
    assert any(d.note == "stuffing" for d in card.criterion("greeting").disregarded)
    assert [(f.turn, f.kind) for f in card.flags] == [(1, "stuffing")]


def test_total_and_pass_mark(engine: RubricEngine) -> None:
    turns = convo(
        "My order DS-482133 is late.",
        "Hello, I'm so sorry, I understand how frustrating that is. How would you like us to resolve it?",
        "Just send it.",
        "Thank you, I'll send it today. Have a great day!",
    )
    card = engine.score(turns, "en")
    assert card.passed and card.total == pytest.approx(
        100 * card.points / card.max_points, abs=0.05
    )
    assert card.total >= card.pass_mark
    as_json = card.as_dict()
    assert as_json["score"] == card.total and len(as_json["criteria"]) == 10


def test_chinese_scorecard_reasons(engine: RubricEngine) -> None:
    card = engine.score(convo("我的快递三天没更新了", "您好，非常抱歉！"), "zh-CN", lang="zh-CN")
    assert card.criterion("apology").reason == "第 1 条回复：“抱歉”"
    assert card.criterion("apology").title == "致歉"


def test_no_agent_replies(engine: RubricEngine) -> None:
    card = engine.score([Turn("customer", "hello?")], "en")
    assert card.total == 0 and not card.passed
    assert card.criterion("greeting").reason == "no agent replies to judge"
