"""The core stays free of the UI and of storage, as ARCHITECTURE.md says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "module",
    [
        "qa_sim",
        "qa_sim.scenarios",
        "qa_sim.cli",
        "qa_sim.training",
        "qa_sim.scoring.engine",
        "qa_sim.scenarios.runtime",
    ],
)
def test_importing_the_core_does_not_import_textual(module: str) -> None:
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(proc.stdout)
    assert not [m for m in loaded if m == "textual" or m.startswith("textual.")]
    assert not [m for m in loaded if m == "sqlite_utils" or m.startswith("sqlite_utils.")]


def test_scenarios_and_scoring_never_import_each_other() -> None:
    for package, forbidden in (("scenarios", "qa_sim.scoring"), ("scoring", "qa_sim.scenarios")):
        for path in (ROOT / "qa_sim" / package).glob("*.py"):
            assert forbidden not in path.read_text(encoding="utf-8"), path
