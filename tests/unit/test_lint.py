"""Lint: each code fires on the problem it names, at the right place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from qa_sim.library import ContentLibrary
from qa_sim.paths import bundled_content_dir
from tests.conftest import MINIMAL


def lint_text(write: Callable[..., Path], text: str) -> list[str]:
    path = write("s.yaml", text)
    diags, _ = ContentLibrary([bundled_content_dir()]).validate([path])
    return [f"{d.severity} {d.code} {d.line} {d.message} {d.hint}" for d in diags]


def codes(found: list[str]) -> set[str]:
    return {f.split()[1] for f in found}


def test_minimal_scenario_is_clean(write: Callable[..., Path]) -> None:
    assert lint_text(write, MINIMAL) == []


CASES = [
    ("QS020", MINIMAL.replace("goto: done", "goto: dne")),
    ("QS021", MINIMAL + "  ask: {outcome: resolved, say: x}\n"),
    ("QS022", MINIMAL + "  stray: {outcome: unresolved, say: x}\n"),
    ("QS023", MINIMAL.replace("      - said: balance\n        goto: done\n", "")),
    ("QS024", MINIMAL.replace("      - goto: ask\n", "")),
    (
        "QS025",
        MINIMAL.replace(
            "      - said: balance\n        goto: done\n      - goto: ask\n",
            "      - goto: ask\n      - said: balance\n        goto: done\n",
        ),
    ),
    ("QS026", MINIMAL.replace("start: ask", "start: begin")),
    ("QS027", MINIMAL.replace("  left: {outcome: customer_left, say: Bye.}\n", "")),
    (
        "QS031",
        MINIMAL.replace(
            "      - goto: ask\n", "      - if: mood >=\n        goto: done\n      - goto: ask\n"
        ),
    ),
    (
        "QS032",
        MINIMAL.replace(
            "      - goto: ask\n", "      - if: vip\n        goto: done\n      - goto: ask\n"
        ),
    ),
    (
        "QS033",
        MINIMAL.replace(
            "      - goto: ask\n",
            "      - if: reply.__class__\n        goto: done\n      - goto: ask\n",
        ),
    ),
    ("QS034", MINIMAL + "variables: {mood: 3}\n"),
    (
        "QS035",
        MINIMAL.replace(
            "      - goto: ask\n",
            "      - if: reply.upper()\n        goto: done\n      - goto: ask\n",
        ),
    ),
    ("QS040", MINIMAL.replace("said: balance", "said: balanse")),
    ("QS041", MINIMAL + "rubric: no-such-rubric\n"),
    ("QS042", MINIMAL.replace("said: balance", "met: greeting_x")),
    ("QS043", MINIMAL.replace("said: balance", "did: verify")),
    ("QS044", MINIMAL.replace("balance: [balance is]", "balance: ['(balance']")),
    ("QS045", MINIMAL.replace("balance: [balance is]", "balance: ['balance ...', '余额']")),
    (
        "QS050",
        MINIMAL.replace(
            "say: What is my balance?", "say: [{text: What is my balance?, once: true}]"
        ),
    ),
    ("QS051", MINIMAL.replace("category: inquiry", "category: enquiry")),
    ("QS053", MINIMAL + "tests:\n  - name: t\n    replies: [hi]\n    expect: {ending: gone}\n"),
]


@pytest.mark.parametrize(("code", "text"), CASES, ids=[c for c, _ in CASES])
def test_each_lint_code(write: Callable[..., Path], code: str, text: str) -> None:
    found = lint_text(write, text)
    assert code in codes(found), found


def test_suggestions_for_misspelled_names(write: Callable[..., Path]) -> None:
    found = lint_text(write, MINIMAL.replace("said: balance", "said: balanse"))
    assert any("did you mean 'balance'?" in f for f in found)
    found = lint_text(write, MINIMAL.replace("said: balance", "met: apologie"))
    assert any("did you mean 'apology'?" in f for f in found)


def test_conditions_check_namespaces_inside_expressions(write: Callable[..., Path]) -> None:
    text = MINIMAL.replace(
        "      - goto: ask\n",
        "      - if: said.refnd or visits.nowhere > 1\n        goto: done\n      - goto: ask\n",
    )
    found = lint_text(write, text)
    assert {"QS040", "QS020"} <= codes(found)


def test_duplicate_scenario_ids_across_files(write: Callable[..., Path], tmp_path: Path) -> None:
    write("a/one.yaml", MINIMAL)
    write("a/two.yaml", MINIMAL)
    diags, files = ContentLibrary([bundled_content_dir()]).validate([tmp_path / "a"])
    assert files == 2
    assert any(d.code == "QS021" and "also used by" in d.message for d in diags)
