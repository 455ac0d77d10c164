"""YAML file -> validated Scenario, every problem located to path:line:col."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from qa_sim.diagnostics import Diagnostic
from qa_sim.scenarios.model import Scenario
from qa_sim.scenarios.runtime import CompiledScenario
from qa_sim.yamlfile import YamlDocument, read_yaml, validate

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class LoadedScenario:
    path: str
    doc: YamlDocument | None
    scenario: Scenario | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _compiled: CompiledScenario | None = None

    @property
    def ok(self) -> bool:
        return self.scenario is not None

    def compiled(self) -> CompiledScenario:
        if self.scenario is None:
            raise ValueError(f"{self.path} did not load")
        if self._compiled is None:
            self._compiled = CompiledScenario(self.scenario, self.path)
        return self._compiled


def load_scenario_file(path: str | Path, display: str | None = None) -> LoadedScenario:
    shown = display or str(path)
    doc, diags = read_yaml(path, shown)
    if doc is None:
        return LoadedScenario(shown, None, None, diags)
    scenario, errors = validate(doc, Scenario)
    return LoadedScenario(shown, doc, scenario, [*diags, *errors])


def iter_yaml_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named directly, and YAML files found under folders (sorted, recursive)."""
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(
                f
                for f in p.rglob("*")
                if f.suffix in YAML_SUFFIXES
                and f.is_file()
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        else:
            yield p
