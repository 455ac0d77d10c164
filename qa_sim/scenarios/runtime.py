"""The dialogue state machine: the host submits a reply with facts, gets the customer's turn.

The runtime never judges the reply itself: whoever drives it (the training
session) turns the scorer's findings into `ReplyFacts` — phrase sets said,
rubric criteria met or violated, SOP steps done — and branch conditions read
those. One turn:

1. mood rules react to the reply (rules that mention `unhelpful` wait for step 3);
2. the first branch whose conditions hold is chosen (`every_turn` first);
3. a fallback branch counts as unhelpful: patience drops, the remaining mood rules run;
4. the branch's effects apply (`set`, `mood`);
5. the target node speaks, or an ending closes the conversation; when patience
   or the turn limit runs out, the customer leaves instead.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from qa_sim.scenarios.model import MOOD_MAX, MOOD_MIN, Branch, Line, Scenario
from qa_sim.scenarios.state import ConversationState, Utterance
from qa_sim.scenarios.templates import (
    Condition,
    Counts,
    Flags,
    Renderer,
    compile_condition,
    compile_template,
    parse_condition,
)


class RuntimeStateError(RuntimeError):
    """The host asked for something the conversation's state does not allow."""


@dataclass(frozen=True)
class ReplyFacts:
    """What the host found in one reply."""

    said: frozenset[str] = frozenset()
    met: frozenset[str] = frozenset()
    violated: frozenset[str] = frozenset()
    did: frozenset[str] = frozenset()

    @classmethod
    def of(cls, **names: Any) -> ReplyFacts:
        return cls(**{k: frozenset(v) for k, v in names.items()})


@dataclass(frozen=True)
class MoodChange:
    reason: str  # the rule or "branch"
    delta: int


@dataclass(frozen=True)
class TurnResult:
    reply: str
    target: str
    line: str
    mood_before: int
    mood_after: int
    mood_changes: tuple[MoodChange, ...]
    unhelpful: bool
    branch_index: int | None  # index into the node's (or every_turn's) branches
    from_every_turn: bool
    feedback: str
    ended: bool
    ending: str | None
    outcome: str | None
    end_reason: str | None


class CompiledScenario:
    """A validated scenario with its conditions and templates compiled once."""

    def __init__(self, scenario: Scenario, path: str | None = None) -> None:
        self.scenario = scenario
        self.path = path
        self._conditions: dict[str, Condition] = {}
        self._templates: dict[str, Renderer] = {}
        self._late_rules: dict[str, bool] = {}
        self._prepared = False

    @property
    def id(self) -> str:
        return self.scenario.id

    def condition(self, source: str) -> Condition:
        fn = self._conditions.get(source)
        if fn is None:
            fn = self._conditions[source] = compile_condition(source)
        return fn

    def template(self, source: str) -> Renderer:
        fn = self._templates.get(source)
        if fn is None:
            fn = self._templates[source] = compile_template(source)
        return fn

    def prepare(self) -> CompiledScenario:
        """Compile every template and condition now (once), so no reply waits for jinja."""
        if self._prepared:
            return self
        sc = self.scenario
        lines = [
            *(ln for n in sc.nodes.values() for ln in n.say),
            *(ln for e in sc.endings.values() for ln in e.say),
        ]
        for line in lines:
            self.template(line.text)
            if line.if_:
                self.condition(line.if_)
        branches = [*sc.every_turn, *(b for n in sc.nodes.values() for b in n.branches)]
        for branch in branches:
            if branch.if_:
                self.condition(branch.if_)
            self.template(branch.feedback)
        for hint in (h for n in sc.nodes.values() for h in n.hint):
            self.template(hint)
        for rule in sc.mood_rules:
            self.condition(rule)
            self.rule_waits_for_branch(rule)
        self._prepared = True
        return self

    def rule_waits_for_branch(self, rule: str) -> bool:
        late = self._late_rules.get(rule)
        if late is None:
            try:
                late = "unhelpful" in parse_condition(rule)[1].names
            except ValueError:
                late = False
            self._late_rules[rule] = late
        return late


def _rng(seed: int, *purpose: object) -> random.Random:
    return random.Random("|".join([str(seed), *map(str, purpose)]))


def resolve_variables(scenario: Scenario, seed: int, today: date) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, var in scenario.variables.items():
        rng = _rng(seed, "var", name)
        if var.value is not None:
            values[name] = var.value
        elif var.choice is not None:
            values[name] = rng.choice(var.choice)
        elif var.range is not None:
            values[name] = rng.randint(*var.range)
        elif var.pattern is not None:
            values[name] = "".join(
                rng.choice(string.digits)
                if c == "#"
                else rng.choice(string.ascii_uppercase)
                if c == "@"
                else c
                for c in var.pattern
            )
        elif var.days_ago is not None:
            lo, hi = (
                var.days_ago if isinstance(var.days_ago, tuple) else (var.days_ago, var.days_ago)
            )
            values[name] = (today - timedelta(days=rng.randint(lo, hi))).strftime(var.format)
    return values


_CJK_GAP = re.compile(
    r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])[ \t\n]+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])"
)


def tidy(text: str) -> str:
    """Trim, and drop the spaces YAML's folded style leaves between Chinese lines."""
    return _CJK_GAP.sub("", text.strip())


def _clamp(mood: int) -> int:
    return max(MOOD_MIN, min(MOOD_MAX, mood))


class ScenarioRuntime:
    """Steps one conversation through a compiled scenario."""

    def __init__(self, compiled: CompiledScenario, state: ConversationState) -> None:
        if state.scenario_id != compiled.id:
            raise RuntimeStateError(
                f"state belongs to scenario '{state.scenario_id}', not '{compiled.id}'"
            )
        self.compiled = compiled
        self.scenario = compiled.scenario
        self.state = state

    # -- starting and resuming -------------------------------------------

    @classmethod
    def start(
        cls, compiled: CompiledScenario, seed: int = 1, today: date | None = None
    ) -> ScenarioRuntime:
        scenario = compiled.scenario
        day = today or date.today()
        state = ConversationState(
            scenario_id=scenario.id,
            seed=seed,
            today=day.isoformat(),
            mood=scenario.customer.mood,
            patience_left=scenario.customer.patience,
            variables=resolve_variables(scenario, seed, day),
        )
        runtime = cls(compiled, state)
        runtime._enter(scenario.start)
        return runtime

    @classmethod
    def resume(cls, compiled: CompiledScenario, state_json: str) -> ScenarioRuntime:
        return cls(compiled, ConversationState.from_json(state_json))

    # -- what the host reads ---------------------------------------------

    @property
    def finished(self) -> bool:
        return self.state.finished

    @property
    def last_customer_line(self) -> str:
        for u in reversed(self.state.transcript):
            if u.role == "customer":
                return u.text
        return ""

    def hints(self) -> list[str]:
        node = self.scenario.nodes.get(self.state.node or "")
        if node is None:
            return []
        return [self._render(h) for h in node.hint]

    def ending_summary(self) -> str:
        """The ending's `summary:` for the trainee (rendered), or "" before the end."""
        ending = self.scenario.endings.get(self.state.ending or "")
        return self._render(ending.summary) if ending and ending.summary else ""

    def template_context(self) -> dict[str, Any]:
        s = self.state
        ctx = dict(s.variables)
        ctx.update(
            mood=s.mood,
            turn=s.turn,
            visits=Counts(s.visits),
            vars=dict(s.variables),
            customer={"name": self.scenario.customer.name, "mood": s.mood},
        )
        return ctx

    # -- a turn ----------------------------------------------------------

    def submit(self, reply: str, facts: ReplyFacts | None = None) -> TurnResult:
        if self.finished:
            raise RuntimeStateError("the conversation has ended; no more replies are taken")
        facts = facts or ReplyFacts()
        s = self.state
        s.turn += 1
        s.transcript.append(Utterance("agent", reply, s.node))
        for step in sorted(facts.did):
            if step not in s.done_steps:
                s.done_steps.append(step)
        mood_before = s.mood
        changes: list[MoodChange] = []
        context = self._condition_context(facts, reply, unhelpful=False)
        late_rules = []
        for rule, delta in self.scenario.mood_rules.items():
            if self.compiled.rule_waits_for_branch(rule):
                late_rules.append((rule, delta))
            elif self.compiled.condition(rule)(context):
                changes.append(MoodChange(rule, delta))
                s.mood = _clamp(s.mood + delta)
        context["mood"] = s.mood

        branch, index, from_every = self._choose(context)
        unhelpful = branch.counts_as_unhelpful if branch else True
        context["unhelpful"] = unhelpful
        for rule, delta in late_rules:
            if self.compiled.condition(rule)(context):
                changes.append(MoodChange(rule, delta))
                s.mood = _clamp(s.mood + delta)
        if branch is not None:
            s.variables.update(branch.set)
            s.na.extend(n for n in branch.na if n not in s.na)
            if branch.mood:
                changes.append(MoodChange("branch", branch.mood))
                s.mood = _clamp(s.mood + branch.mood)
        if unhelpful:
            s.patience_left -= 1

        target = branch.goto if branch else (s.node or self.scenario.start)
        reason = "ending"
        if target not in self.scenario.endings:
            limit = self._limit_reached()
            if limit:
                reason = limit
                target = self.scenario.patience_ending() or target
        line = self._enter(target, reason)
        return TurnResult(
            reply=reply,
            target=target,
            line=line,
            mood_before=mood_before,
            mood_after=s.mood,
            mood_changes=tuple(changes),
            unhelpful=unhelpful,
            branch_index=index,
            from_every_turn=from_every,
            feedback=self._render(branch.feedback) if branch else "",
            ended=self.finished,
            ending=s.ending,
            outcome=s.outcome,
            end_reason=s.end_reason,
        )

    def abandon(self, reason: str = "abandoned") -> None:
        """Close an unfinished conversation (the trainee quit or time ran out)."""
        if not self.finished:
            self.state.outcome = "unfinished"
            self.state.end_reason = reason
            self.state.node = None

    # -- internals -------------------------------------------------------

    def _limit_reached(self) -> str | None:
        s = self.state
        if s.patience_left <= 0:
            return "patience"
        if s.turn >= self.scenario.max_turns:
            return "turn_limit"
        return None

    def _condition_context(
        self, facts: ReplyFacts, reply: str, *, unhelpful: bool
    ) -> dict[str, Any]:
        ctx = self.template_context()
        ctx.update(
            said=Flags(facts.said),
            met=Flags(facts.met),
            violated=Flags(facts.violated),
            did=Flags(facts.did),
            done=Flags(self.state.done_steps),
            patience=self.state.patience_left,
            unhelpful=unhelpful,
            reply=reply,
        )
        return ctx

    def _holds(self, branch: Branch, context: dict[str, Any]) -> bool:
        said, met, did = context["said"], context["met"], context["did"]
        if any(n not in said for n in branch.said):
            return False
        if any(n not in met for n in branch.met):
            return False
        if any(n not in did for n in branch.did):
            return False
        return branch.if_ is None or self.compiled.condition(branch.if_)(context)

    def _choose(self, context: dict[str, Any]) -> tuple[Branch | None, int | None, bool]:
        for i, branch in enumerate(self.scenario.every_turn):
            if self._holds(branch, context):
                return branch, i, True
        node = self.scenario.nodes.get(self.state.node or "")
        if node is not None:
            for i, branch in enumerate(node.branches):
                if self._holds(branch, context):
                    return branch, i, False
        return None, None, False

    def _render(self, source: str) -> str:
        return tidy(self.compiled.template(source)(self.template_context()))

    def _enter(self, target: str, reason: str = "ending") -> str:
        s = self.state
        s.path.append(target)
        s.visits[target] = s.visits.get(target, 0) + 1
        ending = self.scenario.endings.get(target)
        if ending is not None:
            s.node = None
            s.ending = target
            s.outcome = ending.outcome
            s.end_reason = reason
            line = self._pick(target, ending.say, "random")
        else:
            s.node = target
            node = self.scenario.nodes[target]
            line = self._pick(target, node.say, node.pick)
        s.transcript.append(Utterance("customer", line, target))
        s.mood_history.append(s.mood)
        return line

    def _pick(self, where: str, lines: list[Line], pick: str) -> str:
        s = self.state
        context = self.template_context()
        eligible = [
            (i, line)
            for i, line in enumerate(lines)
            if f"{where}/{i}" not in s.used_once
            and (line.if_ is None or self.compiled.condition(line.if_)(context))
        ]
        if not eligible:
            return ""
        first_time = [(i, line) for i, line in eligible if line.once]
        if pick == "sequence":  # the n-th visit says the n-th line (or the next one it may)
            visit = s.visits.get(where, 1)
            later = [(i, line) for i, line in eligible if i >= visit - 1]
            i, line = later[0] if later else eligible[-1]
        elif first_time:
            i, line = first_time[0]
        else:
            i, line = _rng(s.seed, "say", where, s.visits.get(where, 1)).choice(eligible)
        if line.once:
            s.used_once.append(f"{where}/{i}")
        return tidy(self.compiled.template(line.text)(context))
