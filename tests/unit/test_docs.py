"""The documentation's examples work: a QA lead may copy them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

Cli = Callable[..., tuple[int, str, str]]


def example(doc: str, heading: str) -> str:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    section = text.split(f"## {heading}", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert match
    return match.group(1)


def test_complete_scenario_example_validates_and_its_tests_pass(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "example.yaml"
    path.write_text(example("scenario-format.md", "A complete example"), encoding="utf-8")
    code, out, _ = cli("validate", "--strict", str(path))
    assert code == 0, out
    code, out, _ = cli("test", str(path))
    assert code == 0, out


def test_every_lint_code_used_in_code_is_documented() -> None:
    documented = set(
        re.findall(
            r"\| (QS\d{3}) \|", (ROOT / "docs" / "lint-codes.md").read_text(encoding="utf-8")
        )
    )
    used: set[str] = set()
    for path in (ROOT / "qa_sim").rglob("*.py"):
        used |= set(re.findall(r'"(QS\d{3})"', path.read_text(encoding="utf-8")))
    assert used <= documented, used - documented
