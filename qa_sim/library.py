"""The content library: scenarios, rubrics and phrase packs found in content folders.

A content folder holds `scenarios/` and `rubrics/` (the repository root is
one). Files under `rubrics/` say what they are with `kind:` (rubric, phrases,
track); anything else is a scenario. This module sits above `scenarios` and
`scoring` and is where the two meet for validation: lint receives the pattern
compiler and the rubrics' criteria from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from qa_sim.diagnostics import Diagnostic, sort_diagnostics
from qa_sim.progress.track import Track
from qa_sim.scenarios.lint import LintContext, lint
from qa_sim.scenarios.loader import LoadedScenario, iter_yaml_files
from qa_sim.scenarios.model import Scenario
from qa_sim.scoring.engine import RubricEngine
from qa_sim.scoring.phrases import PatternError, compile_pattern, pattern_problems
from qa_sim.scoring.rubric import LOCALES, PHRASE_KINDS, PackSet, PhrasePack, Rubric
from qa_sim.scoring.text import has_cjk
from qa_sim.yamlfile import YamlDocument, read_yaml, suggest, validate

KINDS: dict[str, type[BaseModel]] = {"rubric": Rubric, "phrases": PhrasePack, "track": Track}


def register_kind(name: str, model: type[BaseModel]) -> None:
    """Let another layer (certification tracks) add a content kind."""
    KINDS[name] = model


def check_pattern(pattern: str, locale: str) -> tuple[tuple[str, str] | None, list[str]]:
    try:
        compile_pattern(pattern)
    except PatternError as exc:
        return (exc.message, exc.hint), []
    problems = pattern_problems(pattern)
    if locale == "en" and has_cjk(pattern):
        problems.append("it has Chinese characters but the content is English")
    return None, problems


@dataclass
class ContentFile:
    path: str
    kind: str  # "scenario", "rubric", "phrases", "track"
    doc: YamlDocument | None
    model: Any
    diagnostics: list[Diagnostic] = field(default_factory=list)


def read_content_file(path: Path, display: str | None = None) -> ContentFile:
    shown = display or str(path)
    doc, diags = read_yaml(path, shown)
    if doc is None:
        return ContentFile(shown, "unknown", None, None, diags)
    kind = doc.data.get("kind", "scenario")
    if kind == "scenario":
        loaded = load_scenario_file_from_doc(doc, diags)
        return ContentFile(shown, "scenario", doc, loaded.scenario, loaded.diagnostics)
    model = KINDS.get(str(kind))
    if model is None:
        known = ["scenario", *KINDS]
        diags.append(
            doc.diag(
                ("kind",),
                "QS012",
                f"unknown kind '{kind}'",
                suggest(str(kind), known) or "kinds: " + ", ".join(known),
            )
        )
        return ContentFile(shown, "unknown", doc, None, diags)
    value, errors = validate(doc, model)
    return ContentFile(shown, str(kind), doc, value, [*diags, *errors])


def load_scenario_file_from_doc(doc: YamlDocument, diags: list[Diagnostic]) -> LoadedScenario:
    data = dict(doc.data)
    data.pop("kind", None)
    doc.data = data
    scenario, errors = validate(doc, Scenario)
    return LoadedScenario(doc.path, doc, scenario, [*diags, *errors])


@dataclass
class RubricBundle:
    """A rubric with its phrase packs merged, per locale."""

    rubric: Rubric
    path: str
    sets: dict[str, dict[str, PackSet]]  # locale -> set name -> patterns


class ContentLibrary:
    def __init__(self, folders: Iterable[Path]) -> None:
        self.folders = [Path(f) for f in folders]
        self.files: list[ContentFile] = []
        self._loaded = False
        self._engines: dict[str, RubricEngine] = {}

    # -- loading -----------------------------------------------------------

    def _content_paths(self) -> list[Path]:
        paths: list[Path] = []
        for folder in self.folders:
            for sub in ("rubrics", "scenarios"):
                if (folder / sub).is_dir():
                    paths.append(folder / sub)
        return paths

    def load(self) -> ContentLibrary:
        if not self._loaded:
            self.files = [
                read_content_file(p, _display(p)) for p in iter_yaml_files(self._content_paths())
            ]
            self._loaded = True
        return self

    def of_kind(self, kind: str) -> list[ContentFile]:
        return [f for f in self.load().files if f.kind == kind and f.model is not None]

    @property
    def rubrics(self) -> dict[str, tuple[Rubric, str]]:
        return {f.model.id: (f.model, f.path) for f in self.of_kind("rubric")}

    @property
    def packs(self) -> dict[tuple[str, str], tuple[PhrasePack, str]]:
        return {(f.model.pack, f.model.locale): (f.model, f.path) for f in self.of_kind("phrases")}

    def scenarios(self) -> list[LoadedScenario]:
        return [
            LoadedScenario(f.path, f.doc, f.model, f.diagnostics) for f in self.of_kind("scenario")
        ]

    def rubric_bundle(self, rubric_id: str) -> RubricBundle:
        rubric, path = self.rubrics[rubric_id]
        return RubricBundle(rubric, path, self.pack_sets(rubric))

    def engine(self, rubric_id: str) -> RubricEngine:
        """The rubric compiled for scoring, made once per library (raises KeyError)."""
        engine = self._engines.get(rubric_id)
        if engine is None:
            rubric = self.rubrics[rubric_id][0]
            engine = self._engines[rubric_id] = RubricEngine(rubric, self.pack_sets(rubric))
        return engine

    def pack_sets(self, rubric: Rubric) -> dict[str, dict[str, PackSet]]:
        """The rubric's phrase packs merged per locale (later packs win)."""
        packs = self.packs
        sets: dict[str, dict[str, PackSet]] = {}
        for locale in LOCALES:
            merged: dict[str, PackSet] = {}
            for name in rubric.packs:
                if (name, locale) in packs:
                    merged.update(packs[(name, locale)][0].sets)
            sets[locale] = merged
        return sets

    def lint_context(self, extra: Iterable[ContentFile] = ()) -> LintContext:
        rubrics = {rid: r.criterion_ids() for rid, (r, _) in self.rubrics.items()}
        for f in extra:
            if f.kind == "rubric" and f.model is not None:
                rubrics[f.model.id] = f.model.criterion_ids()
        return LintContext(rubrics=rubrics, check_pattern=check_pattern)

    # -- finding a scenario --------------------------------------------------

    def find_scenario(self, ref: str) -> LoadedScenario:
        """A scenario by file path or by id; raises LookupError with a hint."""
        path = Path(ref)
        if path.suffix in (".yaml", ".yml") or path.exists():
            if not path.is_file():
                raise LookupError(f"no such file: {ref}")
            f = read_content_file(path, ref)
            if f.kind != "scenario":
                raise LookupError(f"{ref} is a {f.kind} file, not a scenario")
            return LoadedScenario(f.path, f.doc, f.model, f.diagnostics)
        matches = [s for s in self.scenarios() if s.scenario and s.scenario.id == ref]
        if matches:
            return matches[-1]
        ids = [s.scenario.id for s in self.scenarios() if s.scenario]
        hint = suggest(ref, ids)
        raise LookupError(f"no scenario with id '{ref}'" + (f" — {hint}" if hint else ""))

    # -- validation ----------------------------------------------------------

    def validate(self, paths: Iterable[str | Path]) -> tuple[list[Diagnostic], int]:
        """Validate files and folders; returns diagnostics and how many files were read."""
        files = [read_content_file(p) for p in iter_yaml_files(paths)]
        context = self.lint_context(files)
        packs_seen = {**{k: v[1] for k, v in self.packs.items()}}
        diags: list[Diagnostic] = []
        ids: dict[str, str] = {}
        for f in files:
            diags += f.diagnostics
            if f.model is None or f.doc is None:
                continue
            if f.kind == "scenario":
                diags += lint(f.model, f.doc, context)
                sid = f.model.id
                if sid in ids and ids[sid] != f.path:
                    diags.append(
                        f.doc.diag(
                            ("id",),
                            "QS021",
                            f"scenario id '{sid}' is also used by {ids[sid]}",
                            "scenario ids must be unique across the library",
                        )
                    )
                ids.setdefault(sid, f.path)
            elif f.kind == "rubric":
                diags += self._lint_rubric(f, files)
            elif f.kind == "phrases":
                key = (f.model.pack, f.model.locale)
                other = packs_seen.get(key)
                if other and Path(other).resolve() != Path(f.path).resolve():
                    diags.append(
                        f.doc.diag(
                            ("pack",),
                            "QS104",
                            f"pack '{key[0]}' ({key[1]}) is also defined in {other}",
                            "give each pack and locale one file",
                        )
                    )
                packs_seen.setdefault(key, f.path)
                diags += self._lint_patterns(f.doc, f.model.locale, f.model.sets)
            elif f.kind in LINTERS:
                diags += LINTERS[f.kind](self, f)
        return sort_diagnostics(diags), len(files)

    def _lint_patterns(
        self, doc: YamlDocument, locale: str, sets: dict[str, PackSet]
    ) -> list[Diagnostic]:
        out = []
        for name, pack_set in sets.items():
            places = [("patterns", i, p) for i, p in enumerate(pack_set.patterns)]
            places += [("unless", i, p) for i, p in enumerate(pack_set.unless)]
            for field_name, i, pattern in places:
                error, warnings = check_pattern(pattern, locale)
                loc = ("sets", name, field_name, i)
                if error:
                    out.append(doc.diag(loc, "QS044", error[0], error[1]))
                out += [
                    doc.diag(
                        loc,
                        "QS045",
                        f"pattern '{pattern}' can never match: {w}",
                        severity="warning",
                    )
                    for w in warnings
                ]
        return out

    def _lint_rubric(self, f: ContentFile, files: list[ContentFile]) -> list[Diagnostic]:
        rubric: Rubric = f.model
        doc = f.doc
        assert doc is not None
        out: list[Diagnostic] = []
        packs = dict(self.packs)
        for g in files:
            if g.kind == "phrases" and g.model is not None:
                packs[(g.model.pack, g.model.locale)] = (g.model, g.path)
        pack_names = {p for p, _ in packs}
        for i, name in enumerate(rubric.packs):
            if name not in pack_names:
                out.append(
                    doc.diag(
                        ("packs", i),
                        "QS101",
                        f"unknown phrase pack '{name}'",
                        suggest(name, pack_names) or "packs: " + ", ".join(sorted(pack_names)),
                    )
                )
        seen: set[str] = set()
        for i, c in enumerate(rubric.criteria):
            if c.id in seen:
                out.append(
                    doc.diag(("criteria", i, "id"), "QS103", f"duplicate criterion id '{c.id}'")
                )
            seen.add(c.id)
            if c.kind not in PHRASE_KINDS:
                continue
            missing = [
                loc
                for loc in LOCALES
                if not any(
                    c.phrase_set in packs[(p, loc)][0].sets
                    for p in rubric.packs
                    if (p, loc) in packs
                )
            ]
            if len(missing) == len(LOCALES):
                out.append(
                    doc.diag(
                        ("criteria", i),
                        "QS102",
                        f"criterion '{c.id}' needs phrase set '{c.phrase_set}', which no pack defines",
                        "add it to a pack under sets:, or name another with phrases:",
                        key=True,
                    )
                )
            for loc in missing if len(missing) < len(LOCALES) else []:
                out.append(
                    doc.diag(
                        ("criteria", i),
                        "QS102",
                        f"criterion '{c.id}' has no '{c.phrase_set}' phrases in {loc}: "
                        f"{loc} conversations can never meet it",
                        f"add '{c.phrase_set}' to the {loc} pack",
                        severity="warning",
                        key=True,
                    )
                )
        return out


LINTERS: dict[str, Any] = {}


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# certification tracks add their lint (QS110-QS111); imported last, as it builds on this module
