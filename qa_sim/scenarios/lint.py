"""Checks on a validated scenario: the dialogue graph, templates, conditions, names.

Every finding has a stable code (documented in docs/lint-codes.md). Knowledge
this package must not have — how phrase patterns compile, which criteria a
rubric defines — is handed in by the caller as a `LintContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from qa_sim.diagnostics import Diagnostic
from qa_sim.scenarios.model import CATEGORIES, Branch, Scenario
from qa_sim.scenarios.templates import (
    FACT_NAMESPACES,
    RESERVED,
    STATE_NAMES,
    TEMPLATE_STATE,
    ExpressionError,
    ExpressionInfo,
    environment,
    parse_condition,
    parse_template,
)
from qa_sim.yamlfile import Loc, YamlDocument, suggest

# (error message, hint) when a pattern cannot compile, else None; and warnings.
PatternCheck = Callable[[str, str], tuple[tuple[str, str] | None, list[str]]]


@dataclass
class LintContext:
    rubrics: Mapping[str, frozenset[str]] | None = None  # rubric id -> criterion ids
    check_pattern: PatternCheck | None = None


@dataclass
class _Linter:
    scenario: Scenario
    doc: YamlDocument
    context: LintContext
    found: list[Diagnostic] = field(default_factory=list)

    def add(
        self,
        loc: Loc,
        code: str,
        message: str,
        hint: str = "",
        *,
        warning: bool = False,
        key: bool = False,
    ) -> None:
        self.found.append(
            self.doc.diag(
                loc, code, message, hint, severity="warning" if warning else "error", key=key
            )
        )

    # -- names ------------------------------------------------------------

    @property
    def targets(self) -> list[str]:
        return [*self.scenario.nodes, *self.scenario.endings]

    @property
    def criteria(self) -> frozenset[str] | None:
        rubrics = self.context.rubrics
        if rubrics is None or self.scenario.rubric not in rubrics:
            return None
        return rubrics[self.scenario.rubric]

    def check_names(self) -> None:
        sc = self.scenario
        for nid in sc.nodes:
            if nid in sc.endings:
                self.add(
                    ("endings", nid),
                    "QS021",
                    f"'{nid}' is both a node and an ending",
                    "node and ending ids share one namespace; rename one",
                    key=True,
                )
        for what, ids in (
            ("step", [s.id for s in sc.steps]),
            ("note", [n.id for n in sc.knowledge]),
        ):
            seen: set[str] = set()
            for i, item_id in enumerate(ids):
                if item_id in seen:
                    self.add(
                        (("steps" if what == "step" else "knowledge"), i, "id"),
                        "QS021",
                        f"duplicate {what} id '{item_id}'",
                    )
                seen.add(item_id)
        names: set[str] = set()
        for i, test in enumerate(sc.tests):
            if test.name in names:
                self.add(("tests", i, "name"), "QS021", f"duplicate test name '{test.name}'")
            names.add(test.name)
        for var in sc.variables:
            if var in RESERVED:
                self.add(
                    ("variables", var),
                    "QS034",
                    f"variable name '{var}' is reserved",
                    "reserved: " + ", ".join(sorted(set(FACT_NAMESPACES + STATE_NAMES))),
                    key=True,
                )
        if sc.category not in CATEGORIES:
            self.add(
                ("category",),
                "QS051",
                f"unknown category '{sc.category}'",
                suggest(sc.category, CATEGORIES) or "known: " + ", ".join(CATEGORIES),
                warning=True,
            )
        rubrics = self.context.rubrics
        if rubrics is not None and sc.rubric not in rubrics:
            self.add(
                ("rubric",),
                "QS041",
                f"unknown rubric '{sc.rubric}'",
                suggest(sc.rubric, rubrics) or "rubrics: " + ", ".join(sorted(rubrics)),
            )

    # -- graph ------------------------------------------------------------

    def _goto(self, loc: Loc, target: str) -> None:
        if target not in self.targets:
            self.add(
                (*loc, "goto"),
                "QS020",
                f"branch goes to '{target}', which is neither a node nor an ending",
                suggest(target, self.targets) or "define it under nodes: or endings:",
            )

    def check_graph(self) -> None:
        sc = self.scenario
        if sc.start not in sc.nodes:
            hint = suggest(sc.start, sc.nodes) or "start must name one of the nodes"
            if sc.start in sc.endings:
                hint = "start must be a node, not an ending"
            self.add(("start",), "QS026", f"start node '{sc.start}' does not exist", hint)
        patience_end = sc.patience_ending()
        if sc.customer.out_of_patience and sc.customer.out_of_patience not in sc.endings:
            self.add(
                ("customer", "out_of_patience"),
                "QS027",
                f"out_of_patience names '{sc.customer.out_of_patience}', which is not an ending",
                suggest(sc.customer.out_of_patience, sc.endings),
            )
        elif patience_end is None:
            self.add(
                ("endings",),
                "QS027",
                "no ending for a customer who runs out of patience",
                "add an ending with outcome: customer_left, or set customer.out_of_patience",
                key=True,
            )
        for i, branch in enumerate(sc.every_turn):
            self._goto(("every_turn", i), branch.goto)
            if branch.is_fallback:
                self.add(
                    ("every_turn", i),
                    "QS025",
                    "an every_turn branch without a condition takes every reply",
                    "give it said:, met:, did: or if:",
                )
        edges: dict[str, set[str]] = {}
        for nid, node in sc.nodes.items():
            edges[nid] = {b.goto for b in node.branches} | {b.goto for b in sc.every_turn}
            fallback_at = next((i for i, b in enumerate(node.branches) if b.is_fallback), None)
            for i, branch in enumerate(node.branches):
                self._goto(("nodes", nid, "branches", i), branch.goto)
                if fallback_at is not None and i > fallback_at:
                    self.add(
                        ("nodes", nid, "branches", i),
                        "QS025",
                        f"branch {i + 1} of node '{nid}' comes after the fallback and is never taken",
                        "move the fallback (the branch without conditions) last",
                        warning=True,
                    )
            if fallback_at is None:
                self.add(
                    ("nodes", nid, "branches"),
                    "QS024",
                    f"node '{nid}' has no fallback branch",
                    "add a last branch with only goto: for replies that match nothing "
                    "(without it the customer repeats this node)",
                    warning=True,
                    key=True,
                )
        edges = {n: {t for t in ts if t in self.targets} for n, ts in edges.items()}
        reachable = _reach(sc.start, edges) if sc.start in sc.nodes else set()
        if patience_end and reachable:
            reachable.add(patience_end)
        for target in self.targets:
            if target not in reachable and sc.start in sc.nodes:
                where = "nodes" if target in sc.nodes else "endings"
                self.add(
                    (where, target),
                    "QS022",
                    f"'{target}' can never be reached from start '{sc.start}'",
                    "add a branch that goes to it, or remove it",
                    warning=True,
                    key=True,
                )
        can_finish = {e for e in sc.endings}
        changed = True
        while changed:
            changed = False
            for nid, ts in edges.items():
                if nid not in can_finish and ts & can_finish:
                    can_finish.add(nid)
                    changed = True
        for nid in sc.nodes:
            if nid in reachable and nid not in can_finish:
                self.add(
                    ("nodes", nid),
                    "QS023",
                    f"no ending can be reached from node '{nid}'",
                    "every path must lead to an ending; add a branch to one",
                    key=True,
                )
        for nid, node in sc.nodes.items():
            revisited = nid in edges.get(nid, set()) or any(
                nid in edges.get(o, set()) for o in reachable if o != nid
            )
            if revisited and node.say and all(line.once for line in node.say):
                self.add(
                    ("nodes", nid, "say"),
                    "QS050",
                    f"every line of node '{nid}' is once-only, but the node can be visited again",
                    "add a line without once: true for later visits",
                    warning=True,
                )

    # -- expressions ------------------------------------------------------

    def _names_ok(self, loc: Loc, info: ExpressionInfo, allowed: set[str], what: str) -> None:
        env = environment()
        for bad in info.unsafe:
            self.add(
                loc,
                "QS033",
                f"{what} reaches for '{bad}', which the sandbox forbids",
                "names starting with '_' are never readable",
            )
        for name in sorted(info.names - allowed - set(env.globals)):
            self.add(
                loc,
                "QS032",
                f"{what} uses '{name}', which is not defined",
                suggest(name, allowed) or "declare it under variables:",
            )

    def _facts_ok(self, loc: Loc, namespace: str, name: str) -> None:
        sc = self.scenario
        if namespace == "said" and name not in sc.phrases:
            self.add(
                loc,
                "QS040",
                f"unknown phrase set '{name}'",
                suggest(name, sc.phrases) or "define it under phrases:",
            )
        elif namespace in ("did", "done") and name not in sc.step_ids():
            self.add(
                loc,
                "QS043",
                f"unknown step '{name}'",
                suggest(name, sc.step_ids()) or "define it under steps:",
            )
        elif namespace in ("met", "violated"):
            criteria = self.criteria
            if criteria is not None and name not in criteria:
                self.add(
                    loc,
                    "QS042",
                    f"rubric '{sc.rubric}' has no criterion '{name}'",
                    suggest(name, criteria) or "criteria: " + ", ".join(sorted(criteria)),
                )
        elif namespace == "visits" and name not in self.targets:
            self.add(
                loc,
                "QS020",
                f"visits.{name}: there is no node or ending '{name}'",
                suggest(name, self.targets),
            )

    def check_condition(self, loc: Loc, source: str) -> None:
        try:
            _, info = parse_condition(source)
        except ExpressionError as exc:
            self.add(
                loc,
                "QS031",
                f"condition '{_short(source)}' does not parse: {exc.message}",
                "conditions are jinja expressions, e.g. said.refund and mood >= 4",
            )
            return
        allowed = set(self.scenario.variables) | set(FACT_NAMESPACES) | set(STATE_NAMES)
        self._names_ok(loc, info, allowed, f"condition '{_short(source)}'")
        if info.calls:
            self.add(
                loc,
                "QS035",
                f"condition '{_short(source)}' calls a function",
                "conditions compare facts and values; they cannot call anything",
            )
        for namespace, name in info.attributes:
            if not name.startswith("_"):
                self._facts_ok(loc, namespace, name)

    def check_template(self, loc: Loc, source: str) -> None:
        if "{" not in source:
            return
        try:
            info = parse_template(source)
        except ExpressionError as exc:
            self.add(
                loc,
                "QS030",
                f"template does not parse: {exc.message}",
                "write variables as {{ name }}; close every {{ and {%",
            )
            return
        allowed = set(self.scenario.variables) | set(TEMPLATE_STATE)
        self._names_ok(loc, info, allowed, "template")

    def check_branch(self, loc: Loc, branch: Branch) -> None:
        if branch.if_ is not None:
            self.check_condition((*loc, "if"), branch.if_)
        for namespace in ("said", "met", "did"):
            for i, name in enumerate(getattr(branch, namespace)):
                self._facts_ok((*loc, namespace, i), namespace, name)
        for var in branch.set:
            if var not in self.scenario.variables:
                self.add(
                    (*loc, "set", var),
                    "QS032",
                    f"set: '{var}' is not a declared variable",
                    suggest(var, self.scenario.variables)
                    or f"declare it: variables: {{{var}: ...}}",
                    key=True,
                )
        self.check_template((*loc, "feedback"), branch.feedback)

    def check_expressions(self) -> None:
        sc = self.scenario
        self.check_template(("situation",), sc.situation)
        self.check_template(("customer", "background"), sc.customer.background)
        for rule in sc.mood_rules:
            self.check_condition(("customer", "mood_rules", rule), rule)
        for i, branch in enumerate(sc.every_turn):
            self.check_branch(("every_turn", i), branch)
        for nid, node in sc.nodes.items():
            for i, line in enumerate(node.say):
                self.check_template(("nodes", nid, "say", i), line.text)
                if line.if_:
                    self.check_condition(("nodes", nid, "say", i, "if"), line.if_)
            for i, hint in enumerate(node.hint):
                self.check_template(("nodes", nid, "hint", i), hint)
            for i, branch in enumerate(node.branches):
                self.check_branch(("nodes", nid, "branches", i), branch)
        for eid, ending in sc.endings.items():
            for i, line in enumerate(ending.say):
                self.check_template(("endings", eid, "say", i), line.text)
            if ending.summary:
                self.check_template(("endings", eid, "summary"), ending.summary)
        for i, note in enumerate(sc.knowledge):
            self.check_template(("knowledge", i, "text"), note.text)

    # -- patterns ---------------------------------------------------------

    def check_patterns(self) -> None:
        check = self.context.check_pattern
        if check is None:
            return
        sc = self.scenario
        places: list[tuple[Loc, str]] = []
        for name, phrase_set in sc.phrases.items():
            places += [
                (("phrases", name, "patterns", i), p) for i, p in enumerate(phrase_set.patterns)
            ]
            places += [(("phrases", name, "unless", i), p) for i, p in enumerate(phrase_set.unless)]
        for si, step in enumerate(sc.steps):
            places += [(("steps", si, "patterns", i), p) for i, p in enumerate(step.patterns)]
        for loc, pattern in places:
            error, warnings = check(pattern, sc.locale)
            if error:
                self.add(loc, "QS044", error[0], error[1])
            for warning in warnings:
                self.add(
                    loc, "QS045", f"pattern '{pattern}' can never match: {warning}", warning=True
                )

    def check_tests(self) -> None:
        sc = self.scenario
        for i, test in enumerate(sc.tests):
            exp = test.expect
            if exp.ending and exp.ending not in sc.endings:
                self.add(
                    ("tests", i, "expect", "ending"),
                    "QS053",
                    f"test '{test.name}' expects unknown ending '{exp.ending}'",
                    suggest(exp.ending, sc.endings),
                )
            for nid in [*(exp.path or []), *exp.visits]:
                if nid not in self.targets:
                    self.add(
                        ("tests", i, "expect"),
                        "QS053",
                        f"test '{test.name}' names unknown node '{nid}'",
                        suggest(nid, self.targets),
                    )
            criteria = self.criteria
            if criteria is not None:
                for name in [*exp.met, *exp.missed]:
                    if name not in criteria:
                        self.add(
                            ("tests", i, "expect"),
                            "QS053",
                            f"test '{test.name}' names unknown criterion '{name}'",
                            suggest(name, criteria),
                        )


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _reach(start: str, edges: Mapping[str, Iterable[str]]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def lint(
    scenario: Scenario, doc: YamlDocument, context: LintContext | None = None
) -> list[Diagnostic]:
    """All findings for one scenario (errors and warnings)."""
    linter = _Linter(scenario, doc, context or LintContext())
    linter.check_names()
    linter.check_graph()
    linter.check_expressions()
    linter.check_patterns()
    linter.check_tests()
    return linter.found
