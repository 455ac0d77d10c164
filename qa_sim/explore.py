"""The path explorer: walk a scenario's branch graph with constructed replies.

For every branch of every reachable node the explorer builds replies meant to
take it — from the scenario's own phrase sets and steps (`said`, `did`), from
the rubric's phrase packs (`met`), and from the rubric's own example
phrasings for a courteous reply — plays them through the real session
(scorer, facts, runtime), and records which branch was actually taken. It
reports the branches and endings no constructed reply reached, every ending
with the best and worst score found on the way there, and endings where no
path let the trainee earn a criterion (e.g. nowhere to ask the needs question).
"""

from __future__ import annotations

import heapq
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from qa_sim.diagnostics import Diagnostic
from qa_sim.library import ContentLibrary
from qa_sim.scenarios.loader import LoadedScenario
from qa_sim.scenarios.runtime import ScenarioRuntime
from qa_sim.scoring.phrases import example
from qa_sim.scoring.rubric import PHRASE_KINDS
from qa_sim.training import TrainingSession

FACT_RE = re.compile(r"\b(said|met|did|done|violated)\.([A-Za-z_]\w*)")
QUOTED_RE = re.compile(r"“([^”]+)”")
EARNABLE = ("greeting", "thanks", "apology", "closing", "needs_question", "empathy")
NEUTRAL = {"en": "OK.", "zh-CN": "好的。"}


@dataclass
class EndingReport:
    ending: str
    outcome: str
    paths: int = 0
    best: float | None = None
    worst: float | None = None
    best_path: list[str] = field(default_factory=list)
    earned: set[str] = field(default_factory=set)  # criteria met on some path to it

    def add(self, score: float, path: list[str], met: list[str]) -> None:
        self.paths += 1
        if self.best is None or score > self.best:
            self.best, self.best_path = score, path
        if self.worst is None or score < self.worst:
            self.worst = score
        self.earned |= set(met)


@dataclass
class Exploration:
    scenario: str
    endings: dict[str, EndingReport]
    unreached_branches: list[tuple[str, int]]  # (node, branch index)
    unreached_endings: list[str]
    unearnable: dict[str, list[str]]  # ending -> criteria no path to it could earn
    expanded: int
    truncated: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "endings": [
                {
                    "ending": e.ending,
                    "outcome": e.outcome,
                    "reached": e.paths > 0,
                    "paths": e.paths,
                    "best": e.best,
                    "worst": e.worst,
                    "best_path": e.best_path,
                    "unearnable": self.unearnable.get(e.ending, []),
                }
                for e in self.endings.values()
            ],
            "unreached_branches": [{"node": n, "branch": i} for n, i in self.unreached_branches],
            "expanded": self.expanded,
            "truncated": self.truncated,
        }


class Explorer:
    def __init__(self, library: ContentLibrary, loaded: LoadedScenario) -> None:
        assert loaded.scenario is not None
        self.library = library
        self.loaded = loaded
        self.scenario = loaded.scenario
        self.locale = loaded.scenario.locale
        self.compiled = loaded.compiled()
        bundle = library.rubric_bundle(self.scenario.rubric)
        self.rubric = bundle.rubric
        self.packs = bundle.sets.get(self.locale, {})
        self._examples = self._courtesy_examples()

    # -- constructed replies ---------------------------------------------------

    def _courtesy_examples(self) -> dict[str, str]:
        found = {}
        for c in self.rubric.criteria:
            quoted = QUOTED_RE.findall(c.suggestion.get(self.locale))
            if quoted:
                found[c.id] = quoted[0]
        return found

    def _samples(self, kind: str, name: str, variant: int) -> list[str]:
        patterns: list[str] = []
        question = False
        if kind == "said" and name in self.scenario.phrases:
            ps = self.scenario.phrases[name]
            patterns, question = ps.patterns, ps.question
        elif kind in ("did", "done"):
            patterns = next((s.patterns for s in self.scenario.steps if s.id == name), [])
        elif kind == "violated":
            criterion = next((c for c in self.rubric.criteria if c.id == name), None)
            if criterion is not None and criterion.phrase_set in self.packs:
                patterns = self.packs[criterion.phrase_set].patterns
        elif kind == "met":
            criterion = next((c for c in self.rubric.criteria if c.id == name), None)
            if criterion is None:
                return []
            if criterion.id in self._examples and criterion.kind != "steps":
                return [self._examples[criterion.id]]
            if criterion.kind == "personalization":
                return [self.scenario.customer.name]
            if criterion.kind == "steps":
                return [x for s in self.scenario.steps[:1] for x in self._step(s.patterns, variant)]
            if criterion.kind in PHRASE_KINDS and criterion.phrase_set in self.packs:
                patterns = self.packs[criterion.phrase_set].patterns
        texts = [x for x in (example(p, variant) for p in patterns) if x]
        if not texts:
            return []
        text = texts[variant % len(texts)]
        return [text + ("?" if question or (kind == "met" and "question" in name) else "")]

    def _step(self, patterns: list[str], variant: int) -> list[str]:
        texts = [x for x in (example(p, variant) for p in patterns) if x]
        return [texts[variant % len(texts)]] if texts else []

    def candidates(self, branch: Any, first: bool) -> list[str]:
        needs: list[tuple[str, str]] = [("said", n) for n in branch.said]
        needs += [("met", n) for n in branch.met] + [("did", n) for n in branch.did]
        if branch.if_:
            needs += FACT_RE.findall(branch.if_)
        sep = "，" if self.locale == "zh-CN" else ". "
        replies = []
        for variant in (0, 1):  # two wordings of what the branch needs
            parts = [s for kind, name in needs for s in self._samples(kind, name, variant)]
            bare = sep.join(parts) if parts else NEUTRAL[self.locale]
            replies.append(bare)
            rich = [self._examples.get(c, "") for c in ("greeting",) if first]
            rich += [self._examples.get("apology", ""), self._examples.get("empathy", "")]
            rich += [*parts, self._examples.get("needs_question", "")]
            rich += [self._examples.get("closing", "") or self._examples.get("thanks", "")]
            replies.append(" ".join(r for r in rich if r))
        return list(dict.fromkeys(replies))

    # -- the walk ----------------------------------------------------------------------

    def _session(
        self, state_json: str | None, history: TrainingSession | None, seed: int = 1
    ) -> TrainingSession:
        engine = self.library.engine(self.scenario.rubric)
        if state_json is None:
            return TrainingSession.start(self.library, self.loaded, seed=seed, timed=False)
        runtime = ScenarioRuntime.resume(self.compiled, state_json)
        session = TrainingSession(self.compiled, engine, runtime, timed=False)
        assert history is not None
        session.verdicts = list(history.verdicts)
        session.saids = list(history.saids)
        session.times = [None] * len(runtime.state.transcript)
        return session

    def seeds(self) -> list[int]:
        """Seed 1 and the seeds the golden tests use: variables may change the story."""
        return list(dict.fromkeys([1, *(t.seed for t in self.scenario.tests)]))[:4]

    def run(self, max_paths: int = 1000) -> Exploration:
        endings = {k: EndingReport(k, e.outcome) for k, e in self.scenario.endings.items()}
        taken: set[tuple[str, int]] = set()
        branches = sum(len(n.branches) for n in self.scenario.nodes.values())
        expanded, truncated = 0, False
        for seed in self.seeds():
            spent, cut = self._walk(seed, max_paths, endings, taken)
            expanded += spent
            truncated = truncated or cut
            if len(taken) == branches and all(e.paths for e in endings.values()):
                break
        return self._report(endings, taken, expanded, truncated)

    def _walk(
        self,
        seed: int,
        max_paths: int,
        endings: dict[str, EndingReport],
        taken: set[tuple[str, int]],
    ) -> tuple[int, bool]:
        seen: set[str] = set()
        start = self._session(None, None, seed)
        # states whose node was expanded least come first, so effort spreads over the graph
        queue: list[tuple[int, int, TrainingSession, list[str]]] = [
            (0, 0, start, [start.state.node or ""])
        ]
        done: Counter[str] = Counter()
        expanded = order = 0
        while queue and expanded < max_paths:
            _, _, parent, path = heapq.heappop(queue)
            node_id = parent.state.node or ""
            done[node_id] += 1
            node = self.scenario.nodes[node_id]
            state_json = parent.runtime.state.to_json()
            for branch in [*node.branches, *self.scenario.every_turn]:
                for reply in self.candidates(branch, first=parent.state.turn == 0):
                    child = self._session(state_json, parent)
                    result = child.submit(reply).result
                    expanded += 1
                    if result.branch_index is not None and not result.from_every_turn:
                        taken.add((node_id, result.branch_index))
                    step = [*path, result.target]
                    if child.finished:
                        card = child.scorecard("en")
                        shown = card.met_ids() + [c.id for c in card.criteria if c.status == "n/a"]
                        endings[child.state.ending or ""].add(card.total, step, shown)
                        continue
                    key = _state_key(child)
                    if key not in seen:
                        seen.add(key)
                        order += 1
                        rank = done[child.state.node or ""] + len(step)
                        heapq.heappush(queue, (rank, order, child, step))
        return expanded, bool(queue)

    def _report(
        self,
        endings: dict[str, EndingReport],
        taken: set[tuple[str, int]],
        expanded: int,
        truncated: bool,
    ) -> Exploration:
        unreached = [
            (n, i)
            for n, node in self.scenario.nodes.items()
            for i in range(len(node.branches))
            if (n, i) not in taken
        ]
        na = set(self.scenario.na)
        criteria = {c.id for c in self.rubric.criteria}
        unearnable = {
            e.ending: sorted(
                c for c in EARNABLE if c in criteria and c not in na and c not in e.earned
            )
            for e in endings.values()
            if e.paths and e.outcome == "resolved"
        }
        return Exploration(
            self.scenario.id,
            endings,
            unreached,
            [k for k, e in endings.items() if not e.paths],
            {k: v for k, v in unearnable.items() if v},
            expanded,
            truncated,
        )


def _state_key(session: TrainingSession) -> str:
    s = session.runtime.state
    # what the first reply showed matters (first-reply scope); later courtesy can still come
    first = sorted(c for c in session.verdicts[0].met if c in EARNABLE) if session.verdicts else []
    return json.dumps(
        [s.node, s.patience_left, s.variables, sorted(s.done_steps), sorted(s.na), first],
        sort_keys=True,
        ensure_ascii=False,
    )


def explore_diagnostics(
    library: ContentLibrary, loaded: LoadedScenario, max_paths: int = 1000
) -> list[Diagnostic]:
    """What `qa-sim validate --explore` adds: endings and branches no constructed reply
    reached (QS060, QS061), and endings where a criterion can never be earned (QS062)."""
    doc = loaded.doc
    if loaded.scenario is None or doc is None or loaded.scenario.rubric not in library.rubrics:
        return []
    found = Explorer(library, loaded).run(max_paths)
    limit = " within the search limit" if found.truncated else ""
    out = [
        doc.diag(
            ("endings", e),
            "QS060",
            f"ending '{e}' was not reached by any constructed reply{limit}",
            "check the conditions of the branches leading to it (qa-sim explore shows them)",
            severity="warning",
            key=True,
        )
        for e in found.unreached_endings
    ]
    out += [
        doc.diag(
            ("nodes", node, "branches", index),
            "QS061",
            f"branch {index + 1} of node '{node}' was never taken{limit}",
            "an earlier branch may catch every reply meant for it (first match wins)",
            severity="warning",
        )
        for node, index in found.unreached_branches
    ]
    out += [
        doc.diag(
            ("endings", ending),
            "QS062",
            f"no path to ending '{ending}' lets the trainee earn: {', '.join(criteria)}",
            "give the trainee a turn where it fits, or mark the criterion n/a (na:)",
            severity="warning",
            key=True,
        )
        for ending, criteria in found.unearnable.items()
    ]
    return out
