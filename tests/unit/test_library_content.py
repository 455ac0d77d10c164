"""The shipped scenario library keeps the promises of the product: enough scenarios per
level and language, three endings or more, and golden routes that pass and fail at each."""

from __future__ import annotations

from collections import Counter

from qa_sim.library import ContentLibrary
from qa_sim.training import TrainingSession


def test_the_library_covers_every_level_and_both_languages(library: ContentLibrary) -> None:
    scenarios = [s.scenario for s in library.scenarios() if s.scenario is not None]
    levels = Counter(s.level for s in scenarios)
    locales = Counter(s.locale for s in scenarios)
    assert len(scenarios) >= 24
    assert min(levels[x] for x in ("junior", "intermediate", "senior")) >= 8, levels
    assert locales["en"] >= 10 and locales["zh-CN"] >= 10, locales
    categories = {s.category for s in scenarios}
    assert {"inquiry", "complaint", "after-sales", "billing", "technical"} <= categories
    assert {"retention", "privacy"} <= categories


def test_every_scenario_has_a_persona_an_sop_notes_and_hints(library: ContentLibrary) -> None:
    for loaded in library.scenarios():
        s = loaded.scenario
        assert s is not None
        assert s.customer.name and s.customer.background, s.id
        assert len(s.endings) >= 3, s.id
        assert len(s.steps) >= 3, s.id
        assert s.knowledge, s.id
        assert all(node.hint for node in s.nodes.values()), s.id


def test_every_ending_has_a_passing_and_a_failing_golden_route(library: ContentLibrary) -> None:
    for loaded in library.scenarios():
        s = loaded.scenario
        assert s is not None
        seen: dict[str, set[bool]] = {e: set() for e in s.endings}
        for test in s.tests:
            session = TrainingSession.start(library, loaded, seed=test.seed, timed=False)
            for reply in test.replies:
                if session.finished:
                    break
                session.submit(reply)
            if session.state.ending:
                seen[session.state.ending].add(session.scorecard().passed)
        missing = {e: {True, False} - v for e, v in seen.items() if v != {True, False}}
        assert not missing, f"{s.id}: endings without a passing/failing route: {missing}"
