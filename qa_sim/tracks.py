"""Certification tracks in the content library: finding them, their pools, their lint.

A track (`kind: track` under `rubrics/`) names levels and, per level, the
scenarios practice and exams draw from. Lint codes QS110-QS111
(docs/lint-codes.md).
"""

from __future__ import annotations

from qa_sim.diagnostics import Diagnostic
from qa_sim.library import LINTERS, ContentFile, ContentLibrary
from qa_sim.progress.certification import ScenarioInfo, pool_scenarios
from qa_sim.progress.track import Track
from qa_sim.yamlfile import suggest

DEFAULT_TRACK = "contact-centre"


class TrackError(LookupError):
    pass


def tracks(library: ContentLibrary) -> dict[str, Track]:
    return {f.model.id: f.model for f in library.of_kind("track")}


def find_track(library: ContentLibrary, ref: str | None = None) -> Track:
    """A track by id; without one, the default track, or the only one there is."""
    found = tracks(library)
    if ref is None:
        if DEFAULT_TRACK in found:
            return found[DEFAULT_TRACK]
        if len(found) == 1:
            return next(iter(found.values()))
        if not found:
            raise TrackError("no certification track in the content folders (kind: track)")
        raise TrackError("several tracks: choose one with --track " + ", ".join(sorted(found)))
    if ref not in found:
        hint = suggest(ref, found) or "tracks: " + ", ".join(sorted(found))
        raise TrackError(f"no track '{ref}' — {hint}")
    return found[ref]


def scenario_infos(library: ContentLibrary) -> list[ScenarioInfo]:
    return [
        ScenarioInfo(s.scenario.id, s.scenario.level, tuple(s.scenario.tags), s.scenario.locale)
        for s in library.scenarios()
        if s.scenario is not None and not any(d.severity == "error" for d in s.diagnostics)
    ]


def _lint_track(library: ContentLibrary, f: ContentFile) -> list[Diagnostic]:
    track: Track = f.model
    doc = f.doc
    assert doc is not None
    infos = scenario_infos(library)
    known = {s.id for s in infos}
    out: list[Diagnostic] = []
    for i, rules in enumerate(track.levels):
        for part, need in (("practice", rules.practice.scenarios), ("exam", rules.exam.scenarios)):
            pool = getattr(rules, part).pool
            for j, sid in enumerate(pool.scenarios):
                if sid not in known:
                    out.append(
                        doc.diag(
                            ("levels", i, part, "pool", "scenarios", j),
                            "QS110",
                            f"no scenario with id '{sid}'",
                            suggest(sid, known),
                        )
                    )
            for locale in ("en", "zh-CN"):
                if pool.locale not in (None, locale):
                    continue
                chosen = [
                    s
                    for s in pool_scenarios(pool, rules.level, infos)
                    if any(x.id == s and x.locale == locale for x in infos)
                ]
                if len(chosen) < need:
                    out.append(
                        doc.diag(
                            ("levels", i, part),
                            "QS111",
                            f"{rules.level} {part} needs {need} scenarios but its pool has "
                            f"{len(chosen)} in {locale}",
                            "add scenarios of this level, or lower the number",
                            severity="warning",
                            key=True,
                        )
                    )
    return out


LINTERS["track"] = _lint_track
