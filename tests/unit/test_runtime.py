"""The dialogue runtime, one small headless test per feature."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from qa_sim.scenarios.loader import LoadedScenario
from qa_sim.scenarios.runtime import ReplyFacts, RuntimeStateError, ScenarioRuntime

Load = Callable[[str], LoadedScenario]

HEAD = """
id: t
title: T
locale: en
level: junior
category: inquiry
"""


def start(load: Load, body: str, seed: int = 1) -> ScenarioRuntime:
    loaded = load(HEAD + body)
    assert loaded.ok, [d.render() for d in loaded.diagnostics]
    return ScenarioRuntime.start(loaded.compiled(), seed=seed, today=date(2026, 11, 23))


def said(*names: str) -> ReplyFacts:
    return ReplyFacts.of(said=names)


TWO_WAYS = """
customer: {name: Ann, mood: 5, patience: 3}
phrases: {refund: [refund], sorry: [sorry]}
start: a
nodes:
  a:
    say: Help me.
    branches:
      - said: refund
        goto: refunded
      - said: [refund, sorry]
        goto: never
      - goto: a
  never:
    say: unreachable
    branches: [{goto: done}]
endings:
  refunded: {outcome: resolved, say: Thanks.}
  done: {outcome: resolved, say: Done.}
  left: {outcome: customer_left, say: Bye.}
"""


def test_first_matching_branch_wins(scenario_file: Load) -> None:
    rt = start(scenario_file, TWO_WAYS)
    result = rt.submit("sorry, a refund", said("refund", "sorry"))
    assert result.target == "refunded" and result.branch_index == 0
    assert rt.finished and rt.state.outcome == "resolved"


def test_fallback_counts_as_unhelpful_and_costs_patience(scenario_file: Load) -> None:
    rt = start(scenario_file, TWO_WAYS)
    result = rt.submit("hmm")
    assert result.target == "a" and result.unhelpful
    assert rt.state.patience_left == 2


def test_patience_runs_out_into_the_customer_left_ending(scenario_file: Load) -> None:
    rt = start(scenario_file, TWO_WAYS)
    for _ in range(3):
        result = rt.submit("hmm")
    assert result.ended and result.ending == "left" and result.end_reason == "patience"
    with pytest.raises(RuntimeStateError):
        rt.submit("too late")


MOOD = """
customer:
  name: Bo
  mood: 3
  patience: 5
  mood_rules:
    met.apology: 2
    violated.forbidden_language: -3
    unhelpful: -1
start: a
nodes:
  a:
    say: I'm upset.
    branches:
      - if: mood >= 5
        goto: calm
      - goto: a
  calm:
    say: OK then.
    branches: [{goto: done, mood: 1, unhelpful: false}]
endings:
  done: {outcome: resolved, say: Bye.}
  angry: {outcome: customer_left, say: Never again.}
"""


def test_mood_reacts_before_branching(scenario_file: Load) -> None:
    rt = start(scenario_file, MOOD)
    result = rt.submit("sorry", ReplyFacts.of(met={"apology"}))
    assert result.mood_before == 3 and result.mood_after == 5
    assert result.target == "calm"  # the branch saw the calmer mood
    assert [c.reason for c in result.mood_changes] == ["met.apology"]


def test_unhelpful_and_forbidden_anger_the_customer(scenario_file: Load) -> None:
    rt = start(scenario_file, MOOD)
    result = rt.submit("whatever", ReplyFacts.of(violated={"forbidden_language"}))
    assert result.mood_after == 0  # 3 - 3 - 1, never below 0
    assert {c.reason for c in result.mood_changes} == {"violated.forbidden_language", "unhelpful"}


def test_branch_mood_effect_and_clamp(scenario_file: Load) -> None:
    rt = start(scenario_file, MOOD)
    rt.submit("sorry", ReplyFacts.of(met={"apology"}))
    rt.submit("glad to help")
    assert rt.state.mood == 6 and rt.state.ending == "done"


ONCE = """
customer: {name: Cy, patience: 9}
start: a
nodes:
  a:
    say:
      - text: First time I ask.
        once: true
      - Again I ask.
    branches: [{goto: a}]
endings:
  left: {outcome: customer_left, say: Bye.}
"""


def test_once_only_lines_come_first_then_never_again(scenario_file: Load) -> None:
    rt = start(scenario_file, ONCE)
    assert rt.last_customer_line == "First time I ask."
    assert rt.submit("x").line == "Again I ask."
    assert rt.submit("x").line == "Again I ask."


SEQUENCE = """
customer: {name: Di, patience: 9}
start: a
nodes:
  a:
    pick: sequence
    say: [One., Two., Three.]
    branches: [{goto: a}]
endings:
  left: {outcome: customer_left, say: Bye.}
"""


def test_sequence_lines_stick_to_the_last(scenario_file: Load) -> None:
    rt = start(scenario_file, SEQUENCE)
    lines = [rt.last_customer_line] + [rt.submit("x").line for _ in range(3)]
    assert lines == ["One.", "Two.", "Three.", "Three."]


def test_a_once_only_first_line_does_not_make_a_sequence_skip(scenario_file: Load) -> None:
    text = SEQUENCE.replace(
        "say: [One., Two., Three.]", "say: [{text: One., once: true}, Two., Three.]"
    )
    rt = start(scenario_file, text)
    lines = [rt.last_customer_line] + [rt.submit("x").line for _ in range(3)]
    assert lines == ["One.", "Two.", "Three.", "Three."]


VARS = """
customer: {name: Ed}
variables:
  order_no: {pattern: "DS-####"}
  carrier: {choice: [SF, ZTO, YTO, EMS]}
  days: {range: [3, 9]}
  ordered: {days_ago: [2, 5], format: "%Y-%m-%d"}
  product: kettle
start: a
nodes:
  a:
    say: "{{ order_no }} via {{ carrier }}, {{ days }} days, ordered {{ ordered }}, a {{ product }}"
    branches: [{goto: done}]
endings:
  done: {outcome: resolved, say: Bye.}
  left: {outcome: customer_left, say: Bye.}
"""


def test_seeded_variables_are_reproducible_and_vary_by_seed(scenario_file: Load) -> None:
    one = start(scenario_file, VARS, seed=1)
    again = start(scenario_file, VARS, seed=1)
    assert one.state.variables == again.state.variables
    assert one.last_customer_line == again.last_customer_line
    others = {str(start(scenario_file, VARS, seed=s).state.variables) for s in range(2, 8)}
    assert len(others) > 1
    v = one.state.variables
    assert v["order_no"].startswith("DS-") and v["order_no"][3:].isdigit()
    assert v["carrier"] in {"SF", "ZTO", "YTO", "EMS"} and 3 <= v["days"] <= 9
    assert "2026-11-18" <= v["ordered"] <= "2026-11-21" and v["product"] == "kettle"
    assert v["order_no"] in one.last_customer_line


def test_endings_record_outcome_path_and_closing_line(scenario_file: Load) -> None:
    rt = start(scenario_file, VARS)
    result = rt.submit("ok")
    assert result.ended and result.line == "Bye." and result.outcome == "resolved"
    assert rt.state.path == ["a", "done"]
    assert [u.role for u in rt.state.transcript] == ["customer", "agent", "customer"]


STATEFUL = """
customer: {name: Fa, mood: 4, patience: 4}
variables: {asked: false}
phrases: {order: [order number]}
steps:
  - {id: verify, title: Verify, patterns: [verify]}
start: a
every_turn:
  - if: "'manager' in reply"
    goto: escalated
nodes:
  a:
    say: Where is it?
    branches:
      - if: done.verify and asked
        goto: b
      - said: order
        set: {asked: true}
        goto: a
      - did: verify
        goto: a
      - goto: a
  b:
    say: Good.
    branches: [{goto: resolved}]
endings:
  resolved: {outcome: resolved, say: Thanks.}
  escalated: {outcome: escalated, say: Fine.}
  left: {outcome: customer_left, say: Bye.}
"""


def test_state_variables_steps_done_and_every_turn(scenario_file: Load) -> None:
    rt = start(scenario_file, STATEFUL)
    rt.submit("your order number?", said("order"))
    assert rt.state.variables["asked"] is True
    result = rt.submit("I verify", ReplyFacts.of(did={"verify"}))
    assert rt.state.done_steps == ["verify"]
    assert result.target == "b"  # done.* includes the reply being answered
    rt2 = start(scenario_file, STATEFUL)
    assert rt2.submit("get me a manager").ending == "escalated"


def test_state_round_trips_through_json_and_resumes(scenario_file: Load) -> None:
    loaded = scenario_file(HEAD + STATEFUL)
    rt = ScenarioRuntime.start(loaded.compiled(), seed=7, today=date(2026, 1, 1))
    rt.submit("your order number?", said("order"))
    saved = rt.state.to_json()
    resumed = ScenarioRuntime.resume(loaded.compiled(), saved)
    assert resumed.state == rt.state
    assert resumed.state.to_json() == saved
    a = rt.submit("I verify", ReplyFacts.of(did={"verify"}))
    b = resumed.submit("I verify", ReplyFacts.of(did={"verify"}))
    assert a == b and rt.state == resumed.state


def test_resume_rejects_another_scenarios_state(scenario_file: Load) -> None:
    loaded = scenario_file(HEAD + STATEFUL)
    other = scenario_file(HEAD.replace("id: t", "id: other") + STATEFUL)
    saved = ScenarioRuntime.start(loaded.compiled()).state.to_json()
    with pytest.raises(RuntimeStateError):
        ScenarioRuntime.resume(other.compiled(), saved)


def test_turn_limit_ends_the_conversation(scenario_file: Load) -> None:
    rt = start(scenario_file, ONCE.replace("patience: 9}", "patience: 9}\nmax_turns: 2"))
    rt.submit("x", ReplyFacts())
    result = rt.submit("x")
    assert result.ended and result.end_reason == "turn_limit" and result.ending == "left"


def test_abandon_marks_the_attempt_unfinished(scenario_file: Load) -> None:
    rt = start(scenario_file, ONCE)
    rt.abandon("timeout")
    assert rt.finished and rt.state.outcome == "unfinished" and rt.state.end_reason == "timeout"


def test_hints_follow_the_current_node(scenario_file: Load) -> None:
    body = TWO_WAYS.replace(
        "    say: Help me.\n",
        "    say: Help me.\n    hint: Offer the refund to {{ customer.name }}.\n",
    )
    rt = start(scenario_file, body)
    assert rt.hints() == ["Offer the refund to Ann."]


def test_na_from_a_branch_is_remembered(scenario_file: Load) -> None:
    body = TWO_WAYS.replace(
        "      - said: refund\n        goto: refunded",
        "      - said: refund\n        na: [apology]\n        goto: refunded",
    )
    rt = start(scenario_file, body)
    rt.submit("refund", said("refund"))
    assert rt.state.na == ["apology"]
