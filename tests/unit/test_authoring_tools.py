"""Authoring comfort: the path explorer, JSON Schemas, the scenario skeleton."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from qa_sim.explore import Explorer
from qa_sim.library import ContentLibrary
from qa_sim.scoring.phrases import PhraseBook, example, phrase_specs

Cli = Callable[..., tuple[int, str, str]]
ROOT = Path(__file__).resolve().parents[2]
MINIMAL = (ROOT / "tests" / "fixtures" / "minimal.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("pattern", "variant", "text"),
    [
        ("thank you", 0, "thank you"),
        ("check ... tracking", 0, "check tracking"),
        ("(refund|money back)", 1, "money back"),
        ("[very] sorry", 0, "sorry"),
        ("(what|which) (kind|type) of floor", 1, "which type of floor"),
        ("非常(抱歉|对不起)", 1, "非常对不起"),
        ("re:\\border\\b", 0, None),
    ],
)
def test_a_pattern_gives_an_example_it_matches(
    pattern: str, variant: int, text: str | None
) -> None:
    assert example(pattern, variant) == text
    if text is not None:
        book = PhraseBook(phrase_specs({"x": [pattern]}), typos=False)
        assert book.find(text)["x"], f"{pattern!r} does not match its own example {text!r}"


def test_explore_reaches_every_ending_of_the_bundled_library(library: ContentLibrary) -> None:
    for loaded in library.scenarios():
        result = Explorer(library, loaded).run()
        assert result.unreached_endings == [], loaded.path
        for ending in result.endings.values():
            assert ending.best is not None and ending.worst is not None
            assert 0 <= ending.worst <= ending.best <= 100
            assert ending.best_path[0] == loaded.scenario.start  # type: ignore[union-attr]
            assert ending.best_path[-1] == ending.ending


def test_explore_names_an_unreachable_ending_and_branch(
    cli: Cli, write: Callable[..., Path]
) -> None:
    # 'left' is declared but nothing leads there except patience; 'done' needs a phrase
    # that an earlier branch always catches first.
    text = MINIMAL.replace(
        "      - said: balance\n        goto: done\n",
        "      - said: anything\n        goto: ask\n      - said: balance\n        goto: done\n",
    ).replace("  balance: [balance is]", "  balance: [balance is]\n  anything: [is]")
    path = write("content/scenarios/mini.yaml", text)
    code, out, _ = cli("explore", str(path))
    assert code == 1
    assert "done" in out and "NOT REACHED" in out
    assert "branch 2 of node 'ask' was never taken" in out
    data = json.loads(cli("explore", str(path), "--json")[1])
    reached = {e["ending"]: e["reached"] for e in data["endings"]}
    assert reached == {"done": False, "left": True}
    code, out, _ = cli("validate", "--explore", str(path))
    assert "QS060" in out and "QS061" in out


def test_explore_warns_where_no_path_lets_the_trainee_earn_a_criterion(
    cli: Cli, write: Callable[..., Path]
) -> None:
    # the greeting phrase sends the customer away, so no resolved path starts with one
    text = MINIMAL.replace("rubric: standard\n", "").replace(
        "category: inquiry\n", "category: inquiry\nrubric: standard\nna: [apology]\n"
    )
    text = text.replace(
        "      - said: balance\n",
        "      - met: greeting\n        goto: left\n      - said: balance\n",
    )
    path = write("scenarios/greet.yaml", text)
    out = cli("explore", str(path))[1]
    warning = next(ln for ln in out.splitlines() if "no path to 'done' lets the trainee earn" in ln)
    assert "greeting" in warning
    assert "QS062" in cli("validate", "--explore", str(path))[1]


@pytest.mark.parametrize("kind", ["scenario", "rubric", "phrases", "track"])
def test_every_shipped_file_validates_against_its_schema(cli: Cli, kind: str) -> None:
    code, out, _ = cli("schema", kind)
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = [p for p in (ROOT / "scenarios").glob("*.yaml") if kind == "scenario"] + [
        p
        for p in (ROOT / "rubrics").rglob("*.yaml")
        if yaml.safe_load(p.read_text(encoding="utf-8")).get("kind") == kind
    ]
    assert files
    for path in files:
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text("utf-8")))]
        assert errors == [], path


def test_the_schema_catches_what_an_editor_should_flag(cli: Cli) -> None:
    validator = jsonschema.Draft202012Validator(json.loads(cli("schema", "scenario")[1]))
    scenario = yaml.safe_load(MINIMAL)
    assert not list(validator.iter_errors(scenario))
    scenario["nodes"]["ask"]["brnaches"] = scenario["nodes"]["ask"].pop("branches")
    assert list(validator.iter_errors(scenario))
    scenario = yaml.safe_load(MINIMAL)
    scenario["level"] = "expert"
    assert list(validator.iter_errors(scenario))


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_a_new_scenario_validates_and_passes_its_own_tests(
    cli: Cli, tmp_path: Path, locale: str
) -> None:
    target = tmp_path / "mine" / "scenarios" / "first-try.yaml"
    code, out, err = cli(
        "new", "scenario", "first-try", "--locale", locale, "--level", "intermediate",
        "--category", "complaint", "--output", str(target),
    )  # fmt: skip
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    assert "TODO" in text and "rubric: complaint" in text and "level: intermediate" in text
    assert text.startswith("# yaml-language-server: $schema=scenario.schema.json")
    assert (target.parent / "scenario.schema.json").is_file()
    code, out, err = cli("validate", "--strict", "--explore", str(target))
    assert code == 0, out + err
    code, out, _ = cli("test", str(target))
    assert code == 0 and "3 passed" in out
    code, _, err = cli("new", "scenario", "first-try", "--output", str(target))
    assert code == 1 and "exists" in err
    assert cli("new", "scenario", "Bad Id")[0] == 2
