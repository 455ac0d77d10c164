"""Reading what people write in YAML: safely, with every value's line and column.

Only YAML's safe subset is read (libyaml's composer where available, else the
pure-Python one); Python objects are never constructed. Aliases are expanded
under a budget, so a "billion laughs" file fails fast instead of eating memory.
Validation errors from the strict pydantic models are mapped back to the line
and column of the offending key or value, with a hint where one helps.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from qa_sim.diagnostics import Diagnostic

MAX_BYTES = 1_000_000
MAX_VALUES = 200_000  # scalars and collections after alias expansion
MAX_DEPTH = 64

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlDocument:
    """A parsed file: plain data plus where each value and key stood."""

    path: str
    data: Any
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    source: str = ""

    def where(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Line and column of `loc`, or of its nearest ancestor that exists."""
        loc = tuple(loc)
        while True:
            table = self.keys if key else self.values
            if loc in table:
                return table[loc]
            if loc in self.values:
                return self.values[loc]
            if not loc:
                return (1, 1)
            loc = loc[:-1]
            key = True

    def diag(
        self,
        loc: Loc,
        code: str,
        message: str,
        hint: str = "",
        *,
        severity: str = "error",
        key: bool = False,
    ) -> Diagnostic:
        line, col = self.where(loc, key=key)
        return Diagnostic(self.path, line, col, severity, code, message, hint)  # type: ignore[arg-type]


class _TooBig(Exception):
    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.mark = mark


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, loader: Any, doc: YamlDocument) -> None:
        self.loader = loader
        self.doc = doc
        self.count = 0
        self.problems: list[tuple[Loc, str, str]] = []

    def build(self, node: yaml.Node, loc: Loc, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooBig(
                f"more than {MAX_VALUES:,} values after expanding aliases", node.start_mark
            )
        if depth > MAX_DEPTH:
            raise _TooBig(f"nested more than {MAX_DEPTH} levels deep", node.start_mark)
        self.doc.values.setdefault(loc, _mark(node))
        if isinstance(node, yaml.ScalarNode):
            value = self.loader.construct_object(node)
            return value
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*loc, i), depth + 1) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in self._merged(node):
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append((loc, "a key must be plain text", ""))
                    continue
                key = self.loader.construct_object(key_node)
                if isinstance(key, bool | int | float) or key is None:
                    key = key_node.value  # "yes:", "1:" are names here, not values
                key = str(key)
                if key in result:
                    self.doc.keys[(*loc, key, "#dup")] = _mark(key_node)
                    self.problems.append(
                        (
                            (*loc, key, "#dup"),
                            f"duplicate key '{key}'",
                            "keep one; YAML silently drops the first",
                        )
                    )
                    continue
                self.doc.keys[(*loc, key)] = _mark(key_node)
                result[key] = self.build(value_node, (*loc, key), depth + 1)
            return result
        raise _TooBig("unsupported YAML node", node.start_mark)  # pragma: no cover

    def _merged(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for src in sources:
                    if isinstance(src, yaml.MappingNode):
                        merged.extend(self._merged(src))
            else:
                pairs.append((key_node, value_node))
        own = {k.value for k, _ in pairs if isinstance(k, yaml.ScalarNode)}
        return [*pairs, *[(k, v) for k, v in merged if k.value not in own]]


def _yaml_hint(problem: str, line_text: str) -> str:
    if "{{" in line_text or "{%" in line_text:
        return "a value that starts with '{{' must be quoted: say: \"{{ order_no }} ...\""
    if "\t" in line_text or "'\\t'" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "text containing ': ' must be quoted, or the line is indented wrongly"
    if "expected <block end>" in problem or "did not find expected" in problem:
        return "check the indentation of this line against the lines above"
    if "found undefined alias" in problem:
        return "define the anchor (&name) before using the alias (*name)"
    if "expected a single document" in problem:
        return "a file holds one document; remove the extra '---'"
    return ""


def read_yaml(
    path: str | Path, display: str | None = None
) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Read one YAML file; on failure return None and diagnostics saying why."""
    shown = display or str(path)
    doc = YamlDocument(shown, None)
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            return None, [
                Diagnostic(
                    shown,
                    1,
                    1,
                    "error",
                    "QS001",
                    f"file is {size:,} bytes; the limit is {MAX_BYTES:,}",
                    "split it into several files",
                )
            ]
        raw = Path(path).read_bytes()
    except OSError as exc:
        return None, [
            Diagnostic(shown, 1, 1, "error", "QS001", f"cannot read file: {exc.strerror}")
        ]
    return parse_yaml(raw, shown, doc)


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return line, col


def _file_error(shown: str, line: int, col: int, message: str, hint: str) -> Diagnostic:
    """A file that cannot be read as YAML text at all (QS001)."""
    return Diagnostic(shown, line, col, "error", "QS001", message, hint)


def parse_yaml(
    raw: bytes, shown: str, doc: YamlDocument | None = None
) -> tuple[YamlDocument | None, list[Diagnostic]]:
    doc = doc or YamlDocument(shown, None)
    if b"\x00" in raw:
        line, col = _position(raw, raw.index(b"\x00"))
        return None, [
            _file_error(
                shown,
                line,
                col,
                "this is a binary file, not YAML text",
                "save the file as UTF-8 text",
            )
        ]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _position(raw, exc.start)
        return None, [
            _file_error(
                shown,
                line,
                col,
                "the file is not UTF-8 text",
                "save it as UTF-8 (in most editors: 'Save with encoding')",
            )
        ]
    doc.source = text
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        return None, [
            Diagnostic(
                shown,
                1,
                1,
                "error",
                "QS004",
                "the file is empty",
                "start from `qa-sim new scenario ID` or docs/scenario-format.md",
            )
        ]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Diagnostic(shown, 1, 1, "error", "QS004", "the file is empty")]
        builder = _Builder(loader, doc)
        doc.data = builder.build(node, ())
    except _TooBig as exc:
        line, col = exc.mark.line + 1, exc.mark.column + 1
        return None, [
            Diagnostic(
                shown,
                line,
                col,
                "error",
                "QS003",
                f"YAML too large or too deeply aliased: {exc}",
                "aliases (*name) that repeat other aliases multiply; write the values out",
            )
        ]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or str(exc)
        lines = text.splitlines()
        line_text = lines[line - 1] if 0 < line <= len(lines) else ""
        message = f"invalid YAML: {problem}"
        if exc.context:
            message += f" ({exc.context})"
        return None, [
            Diagnostic(shown, line, col, "error", "QS002", message, _yaml_hint(problem, line_text))
        ]
    except yaml.YAMLError as exc:
        return None, [Diagnostic(shown, 1, 1, "error", "QS002", f"invalid YAML: {exc}")]
    except RecursionError:
        return None, [Diagnostic(shown, 1, 1, "error", "QS003", "YAML nested too deeply")]
    finally:
        loader.dispose()
    diags = [doc.diag(loc, "QS012", msg, hint, key=True) for loc, msg, hint in builder.problems]
    if not isinstance(doc.data, dict):
        kind = type(doc.data).__name__
        return None, [
            *diags,
            Diagnostic(
                shown,
                1,
                1,
                "error",
                "QS004",
                f"the file must be a mapping of keys (found {kind})",
                "start with 'id: ...' on the first line",
            ),
        ]
    return doc, diags


# ---------------------------------------------------------------------------
# Pydantic errors -> diagnostics
# ---------------------------------------------------------------------------

_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
    "tuple_type": "a list",
}


def _unwrap(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return [t for a in typing.get_args(annotation) for t in _unwrap(a)]
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    return [annotation]


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that validates the mapping at `loc` (best effort)."""
    current: Any = model
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            # inside list[...] or dict[str, ...]: step into the item type
            nxt = None
            for t in _unwrap(current):
                args = typing.get_args(t)
                if typing.get_origin(t) in (list, tuple) and args:
                    nxt = args[0]
                elif typing.get_origin(t) is dict and len(args) == 2:
                    nxt = args[1]
            if nxt is None:
                return None
            current = nxt
            for t in _unwrap(current):
                if isinstance(t, type) and issubclass(t, BaseModel):
                    current = t
            continue
        fields = {(f.alias or n): f for n, f in current.model_fields.items()}
        if part not in fields:
            return None
        candidates = _unwrap(fields[str(part)].annotation)
        models = [t for t in candidates if isinstance(t, type) and issubclass(t, BaseModel)]
        current = models[0] if models else fields[str(part)].annotation
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    for t in _unwrap(current):
        if isinstance(t, type) and issubclass(t, BaseModel):
            return t
    return None


def allowed_keys(model: type[BaseModel]) -> list[str]:
    return [(f.alias or n) for n, f in model.model_fields.items()]


def suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _clean_loc(loc: Iterable[str | int]) -> Loc:
    # pydantic inserts union member names ("function-before[...]", "str") into loc
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and ("[" in part or part in {"str", "int", "float", "bool"}):
            continue
        out.append(part)
    return tuple(out)


def _where_words(loc: Loc) -> str:
    return ".".join(str(p) for p in loc) if loc else "top level"


def validation_diagnostics(
    doc: YamlDocument, model: type[BaseModel], exc: ValidationError
) -> list[Diagnostic]:
    diags = []
    for err in exc.errors(include_url=False):
        loc = _clean_loc(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            parent = _model_at(model, loc[:-1])
            options = allowed_keys(parent) if parent else []
            hint = suggest(str(loc[-1]), options)
            if not hint and not str(loc[-1]).replace("_", "").replace("-", "").isalnum():
                hint = "looks like text split at a comma: quote values with commas inside { }"
            if not hint and options:
                hint = "allowed here: " + ", ".join(options)
            diags.append(
                doc.diag(
                    loc,
                    "QS010",
                    f"unknown key '{loc[-1]}' in {_where_words(loc[:-1])}",
                    hint,
                    key=True,
                )
            )
        elif kind == "missing":
            parent_loc = loc[:-1]
            diags.append(
                doc.diag(
                    parent_loc,
                    "QS011",
                    f"missing key '{loc[-1]}' in {_where_words(parent_loc)}",
                    f"add '{loc[-1]}: ...'",
                    key=True,
                )
            )
        elif kind in _TYPE_WORDS:
            got = err.get("input")
            shown = (
                "a mapping"
                if isinstance(got, dict)
                else "a list"
                if isinstance(got, list)
                else repr(got)
            )
            diags.append(
                doc.diag(
                    loc, "QS012", f"{_where_words(loc)} must be {_TYPE_WORDS[kind]}, not {shown}"
                )
            )
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            hint = suggest(
                str(err.get("input")),
                [e.strip(" '") for e in str(expected).replace(" or ", ",").split(",")],
            )
            diags.append(
                doc.diag(
                    loc,
                    "QS012",
                    f"{_where_words(loc)} must be one of {expected}, not {err.get('input')!r}",
                    hint,
                )
            )
        elif kind == "value_error":
            msg = str(err.get("ctx", {}).get("error", err["msg"]))
            message, _, hint = msg.partition(" | hint: ")
            diags.append(doc.diag(loc, "QS012", f"{_where_words(loc)}: {message}", hint))
        else:
            diags.append(doc.diag(loc, "QS012", f"{_where_words(loc)}: {err['msg'].lower()}"))
    return diags


def validate(doc: YamlDocument, model: type[M]) -> tuple[M | None, list[Diagnostic]]:
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        return None, validation_diagnostics(doc, model, exc)
