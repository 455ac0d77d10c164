"""Customer lines and branch conditions through jinja2's sandbox, never `eval`.

Besides compiling and running them, this module reads their syntax trees so
that lint can name undefined variables, unknown phrase sets and attempts to
reach Python internals before a trainee ever meets them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.parser import Parser
from jinja2.sandbox import SandboxedEnvironment

N = TypeVar("N", bound=nodes.Node)

# Names a condition may read besides the scenario's variables.
FACT_NAMESPACES = ("said", "met", "violated", "did", "done")
STATE_NAMES = ("mood", "turn", "visits", "patience", "unhelpful", "reply", "vars", "customer")
RESERVED = frozenset(FACT_NAMESPACES + STATE_NAMES + ("true", "false", "none", "loop", "range"))
TEMPLATE_STATE = ("mood", "turn", "visits", "vars", "customer")


@cache
def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
    )
    return env


class Flags:
    """A set of names read as attributes: `said.refund` is True or False."""

    __slots__ = ("_names",)
    _names: frozenset[str]

    def __init__(self, names: Iterable[str] = ()) -> None:
        object.__setattr__(self, "_names", frozenset(names))

    def __getattr__(self, name: str) -> bool:
        if name.startswith("_"):
            raise AttributeError(name)
        return name in self._names

    def __getitem__(self, name: str) -> bool:
        return name in self._names

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Any:
        return iter(sorted(self._names))

    def __bool__(self) -> bool:
        return bool(self._names)

    def __repr__(self) -> str:
        return f"Flags({sorted(self._names)})"


class Counts:
    """Visit counts read as attributes: `visits.opening` is 0 if never visited."""

    __slots__ = ("_counts",)
    _counts: dict[str, int]

    def __init__(self, counts: Mapping[str, int]) -> None:
        object.__setattr__(self, "_counts", dict(counts))

    def __getattr__(self, name: str) -> int:
        if name.startswith("_"):
            raise AttributeError(name)
        return int(self._counts.get(name, 0))

    def __getitem__(self, name: str) -> int:
        return int(self._counts.get(name, 0))


@dataclass
class ExpressionInfo:
    """What an expression or template refers to, found in its syntax tree."""

    names: set[str] = field(default_factory=set)
    attributes: set[tuple[str, str]] = field(default_factory=set)  # (namespace, attribute)
    unsafe: list[str] = field(default_factory=list)
    calls: int = 0


def _all(tree: nodes.Node, kind: type[N]) -> list[N]:
    """`tree.find_all(kind)`, plus the root itself (find_all skips it)."""
    found = list(tree.find_all(kind))
    return [tree, *found] if isinstance(tree, kind) else found


def _inspect(tree: nodes.Node) -> ExpressionInfo:
    info = ExpressionInfo()
    for name in _all(tree, nodes.Name):
        if name.ctx == "load":
            info.names.add(name.name)
    for attr in _all(tree, nodes.Getattr):
        if attr.attr.startswith("_"):
            info.unsafe.append(attr.attr)
        if isinstance(attr.node, nodes.Name):
            info.attributes.add((attr.node.name, attr.attr))
    for item in _all(tree, nodes.Getitem):
        arg = item.arg
        if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
            if arg.value.startswith("_"):
                info.unsafe.append(arg.value)
            if isinstance(item.node, nodes.Name):
                info.attributes.add((item.node.name, arg.value))
    info.calls = len(_all(tree, nodes.Call))
    # names bound inside the template ({% set %}, loops) are not free variables
    for bound in _all(tree, nodes.Name):
        if bound.ctx in ("store", "param"):
            info.names.discard(bound.name)
    return info


class ExpressionError(ValueError):
    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def parse_condition(source: str) -> tuple[nodes.Expr, ExpressionInfo]:
    """Parse a branch condition; raise ExpressionError with a readable message."""
    env = environment()
    try:
        parser = Parser(env, source, state="variable")
        expr = parser.parse_expression()
        if not parser.stream.eos:
            raise TemplateSyntaxError(
                f"unexpected '{parser.stream.current.value}' after the condition",
                parser.stream.current.lineno,
                None,
                None,
            )
    except TemplateSyntaxError as exc:
        raise ExpressionError(exc.message or "syntax error", exc.lineno or 1) from None
    return expr, _inspect(expr)


def parse_template(source: str) -> ExpressionInfo:
    try:
        tree = environment().parse(source)
    except TemplateSyntaxError as exc:
        raise ExpressionError(exc.message or "syntax error", exc.lineno or 1) from None
    return _inspect(tree)


Condition = Callable[[Mapping[str, Any]], bool]


def compile_condition(source: str) -> Condition:
    compiled = environment().compile_expression(source, undefined_to_none=False)

    def evaluate(context: Mapping[str, Any]) -> bool:
        try:
            return bool(compiled(**context))
        except (TemplateError, TypeError, ValueError, ArithmeticError, AttributeError):
            return False

    return evaluate


Renderer = Callable[[Mapping[str, Any]], str]


def compile_template(source: str) -> Renderer:
    if "{" not in source:
        return lambda _context: source
    template = environment().from_string(source)

    def render(context: Mapping[str, Any]) -> str:
        try:
            return template.render(**context)
        except (TemplateError, TypeError, ValueError, ArithmeticError, AttributeError):
            return source

    return render
