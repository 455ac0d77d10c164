"""The dialogue graph as Mermaid or Graphviz text, for docs and reviews."""

from __future__ import annotations

from qa_sim.scenarios.model import Branch, Scenario

OUTCOME_STYLE = {
    "resolved": ("#d4edda", "#2e7d32"),
    "escalated": ("#fff3cd", "#b26a00"),
    "customer_left": ("#f8d7da", "#b71c1c"),
    "unresolved": ("#e2e3e5", "#424242"),
}


def branch_label(branch: Branch) -> str:
    parts = [f"said.{n}" for n in branch.said] + [f"met.{n}" for n in branch.met]
    parts += [f"did.{n}" for n in branch.did]
    if branch.if_:
        parts.append(branch.if_)
    return " and ".join(parts) if parts else "otherwise"


def _first_line(lines: list, width: int = 40) -> str:  # type: ignore[type-arg]
    text = lines[0].text.strip().replace("\n", " ") if lines else ""
    return text if len(text) <= width else text[: width - 1] + "…"


def _edges(scenario: Scenario) -> list[tuple[str, str, str, bool]]:
    edges = []
    for nid, node in scenario.nodes.items():
        for b in node.branches:
            edges.append((nid, b.goto, branch_label(b), b.counts_as_unhelpful))
    patience = scenario.patience_ending()
    if patience:
        edges.append(("*", patience, f"patience {scenario.customer.patience} used up", True))
    for b in scenario.every_turn:
        edges.append(("*", b.goto, branch_label(b), False))
    return edges


def _mermaid_text(text: str) -> str:
    return (
        text.replace('"', "#quot;").replace("|", "#124;").replace("<", "#lt;").replace(">", "#gt;")
    )


def to_mermaid(scenario: Scenario) -> str:
    out = ["flowchart TD", f"    %% {scenario.id}: {_mermaid_text(scenario.title)}"]
    out.append(f"    __start([start]) --> {scenario.start}")
    for nid, node in scenario.nodes.items():
        out.append(f'    {nid}["{nid}<br/>{_mermaid_text(_first_line(node.say))}"]')
    for eid, ending in scenario.endings.items():
        out.append(f'    {eid}(["{eid}: {ending.outcome}"]):::{ending.outcome}')
    if any(src == "*" for src, *_ in _edges(scenario)):
        out.append("    __any{{any node}}")
    for src, dst, label, unhelpful in _edges(scenario):
        src = "__any" if src == "*" else src
        arrow = "-.->" if unhelpful else "-->"
        out.append(f'    {src} {arrow}|"{_mermaid_text(label)}"| {dst}')
    for outcome, (fill, stroke) in OUTCOME_STYLE.items():
        out.append(f"    classDef {outcome} fill:{fill},stroke:{stroke}")
    return "\n".join(out) + "\n"


def _dot(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(scenario: Scenario) -> str:
    out = [
        f"digraph {_dot(scenario.id)} {{",
        "    rankdir=TB;",
        '    node [shape=box, style="rounded", fontname="Helvetica"];',
        f"    label={_dot(scenario.title)};",
        '    "__start" [shape=circle, label="start", width=0.3];',
        f'    "__start" -> {_dot(scenario.start)};',
    ]
    for nid, node in scenario.nodes.items():
        out.append(f"    {_dot(nid)} [label={_dot(nid + chr(10) + _first_line(node.say))}];")
    for eid, ending in scenario.endings.items():
        fill, stroke = OUTCOME_STYLE[ending.outcome]
        out.append(
            f'    {_dot(eid)} [shape=doubleoctagon, style=filled, fillcolor="{fill}", color="{stroke}", '
            f"label={_dot(eid + chr(10) + ending.outcome)}];"
        )
    if any(src == "*" for src, *_ in _edges(scenario)):
        out.append('    "__any" [shape=diamond, label="any node"];')
    for src, dst, label, unhelpful in _edges(scenario):
        src = "__any" if src == "*" else src
        style = ", style=dashed" if unhelpful else ""
        out.append(f"    {_dot(src)} -> {_dot(dst)} [label={_dot(label)}{style}];")
    out.append("}")
    return "\n".join(out) + "\n"
