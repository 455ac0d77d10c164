"""JSON Schemas of the content files, for editors (yaml-language-server) and checks.

Generated from the same pydantic models the loader validates with, then widened
where the YAML takes a shorthand the models accept (a string for a one-item
list, a plain string for text in both languages, a list for a phrase set).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from qa_sim.progress.track import Track
from qa_sim.scenarios.model import Scenario
from qa_sim.scoring.rubric import PhrasePack, Rubric

MODELS: dict[str, type[BaseModel]] = {
    "scenario": Scenario,
    "rubric": Rubric,
    "phrases": PhrasePack,
    "track": Track,
}
STRINGS = {"type": "array", "items": {"type": "string"}}
SHORTHANDS: dict[str, list[dict[str, Any]]] = {
    "Line": [{"type": "string"}],
    "Localized": [{"type": "string"}],
    "Text": [{"type": "string"}],
    "Variable": [{"type": ["string", "number", "boolean"]}],
    "PhraseSet": [STRINGS, {"type": "string"}],
    "PackSet": [STRINGS, {"type": "string"}],
}


def schema(kind: str) -> dict[str, Any]:
    model = MODELS[kind]
    doc = model.model_json_schema(by_alias=True, mode="validation")
    for name, definition in doc.get("$defs", {}).items():
        _widen_lists(definition)
        if name in SHORTHANDS:
            doc["$defs"][name] = {"anyOf": [dict(definition), *SHORTHANDS[name]]}
    _widen_lists(doc)
    if kind == "scenario":
        doc.setdefault("properties", {})["kind"] = {"const": "scenario"}
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = f"qa-sim {kind} file"
    return doc


def _widen_lists(definition: dict[str, Any]) -> None:
    """`said: greeting` is `said: [greeting]`: a one-item list may be written bare."""
    for prop in definition.get("properties", {}).values():
        if prop.get("type") == "array" and "items" in prop and "prefixItems" not in prop:
            prop_copy = dict(prop)
            prop.clear()
            prop["anyOf"] = [prop_copy, prop_copy["items"]]
            if "default" in prop_copy:
                prop["default"] = prop_copy["default"]
