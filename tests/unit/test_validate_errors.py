"""Broken content gets a located error and exit 1, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import MINIMAL

Cli = Callable[..., tuple[int, str, str]]


def finding(out: str, code: str) -> str:
    lines = [ln for ln in out.splitlines() if f" {code} " in ln]
    assert lines, f"no {code} in:\n{out}"
    return lines[0]


def test_bundled_content_is_clean(cli: Cli) -> None:
    code, out, err = cli("validate", "scenarios", "rubrics")
    assert code == 0, out
    assert out == ""
    assert "errors: 0" in err


def test_invalid_yaml_points_at_the_line(cli: Cli, write: Callable[..., Path]) -> None:
    path = write("bad.yaml", "id: x\ntitle: [unclosed\nlocale: en\n")
    code, out, _ = cli("validate", str(path))
    assert code == 1
    line = finding(out, "QS002")
    assert line.startswith(f"{path}:3:")


def test_unquoted_template_gets_a_quoting_hint(cli: Cli, write: Callable[..., Path]) -> None:
    text = MINIMAL.replace("say: What is my balance?", "say: {{ order_no }} is late")
    path = write("tpl.yaml", text)
    code, out, _ = cli("validate", str(path))
    assert code == 1
    assert "must be quoted" in finding(out, "QS002") or "quoted" in out


def test_tabs_get_an_indentation_hint(cli: Cli, write: Callable[..., Path]) -> None:
    path = write("tabs.yaml", "id: x\nnodes:\n\tstart: 1\n")
    code, out, _ = cli("validate", str(path))
    assert code == 1 and "spaces, not tabs" in finding(out, "QS002")


def test_unknown_key_suggests_the_right_one(cli: Cli, write: Callable[..., Path]) -> None:
    path = write("typo.yaml", MINIMAL.replace("    branches:", "    branchs:"))
    code, out, _ = cli("validate", str(path))
    assert code == 1
    line = finding(out, "QS010")
    assert f"{path}:11:5:" in line
    assert "did you mean 'branches'?" in line


def test_all_errors_of_a_file_are_reported_together(cli: Cli, write: Callable[..., Path]) -> None:
    text = MINIMAL.replace("level: junior", "level: expert").replace("mood: 5", "mood: eleven")
    text = text.replace("    branchs:", "    branches:").replace("title: Minimal", "titel: Minimal")
    code, out, _ = cli("validate", str(write("many.yaml", text)))
    assert code == 1
    assert len(out.splitlines()) >= 3
    assert "level must be one of" in out
    assert "customer.mood must be a whole number" in out
    assert "did you mean 'title'?" in out


def test_wrong_type_names_field_and_value(cli: Cli, write: Callable[..., Path]) -> None:
    path = write("types.yaml", MINIMAL.replace("patience: 2", "patience: [1, 2]"))
    code, out, _ = cli("validate", str(path))
    assert code == 1
    assert "customer.patience must be a whole number, not a list" in finding(out, "QS012")


def test_missing_target_is_located_at_the_goto(cli: Cli, write: Callable[..., Path]) -> None:
    path = write("target.yaml", MINIMAL.replace("goto: done", "goto: dnoe"))
    code, out, _ = cli("validate", str(path))
    assert code == 1
    line = finding(out, "QS020")
    assert f"{path}:13:" in line and "did you mean 'done'?" in line


def test_unreachable_node_is_a_warning_with_its_line(cli: Cli, write: Callable[..., Path]) -> None:
    text = MINIMAL + "  orphan: {outcome: unresolved, say: Hmm.}\n"
    text = text.replace("endings:\n", "endings:\n", 1)
    path = write("orphan.yaml", text)
    code, out, _ = cli("validate", str(path))
    assert code == 0  # warnings alone do not fail
    assert "warning QS022" in finding(out, "QS022") and "'orphan'" in out
    code, _, _ = cli("validate", "--strict", str(path))
    assert code == 1


def test_yaml_bomb_is_rejected_quickly(cli: Cli, write: Callable[..., Path]) -> None:
    bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        bomb.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    path = write("bomb.yaml", "\n".join(bomb) + "\n")
    started = time.perf_counter()
    code, out, _ = cli("validate", str(path))
    assert time.perf_counter() - started < 5
    assert code == 1
    assert "QS003" in out and "aliases" in out


def test_binary_file(cli: Cli, write: Callable[..., Path]) -> None:
    path = write("image.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    code, out, _ = cli("validate", str(path))
    assert code == 1
    assert f"{path}:3:1: error QS001 this is a binary file" in out  # the first NUL byte


def test_not_utf8(cli: Cli, write: Callable[..., Path]) -> None:
    path = write("gbk.yaml", "id: x\ntitle: 投诉\n".encode("gbk"))
    code, out, _ = cli("validate", str(path))
    assert code == 1 and f"{path}:2:" in out and "UTF-8" in out


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n"])
def test_empty_file(cli: Cli, write: Callable[..., Path], content: str) -> None:
    path = write("empty.yaml", content)
    code, out, _ = cli("validate", str(path))
    assert code == 1 and f"{path}:1:1: error QS004 the file is empty" in out


def test_top_level_must_be_a_mapping(cli: Cli, write: Callable[..., Path]) -> None:
    code, out, _ = cli("validate", str(write("list.yaml", "- a\n- b\n")))
    assert code == 1 and "QS004" in out


def test_sandbox_escape_is_an_error_and_never_runs(
    cli: Cli, write: Callable[..., Path], tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    evil = (
        "().__class__.__bases__[0].__subclasses__()"
        f" and cycler.__init__.__globals__.os.system('touch {marker}')"
    )
    text = MINIMAL.replace(
        "      - goto: ask\n", f'      - if: "{evil}"\n        goto: done\n      - goto: ask\n'
    )
    path = write("evil.yaml", text)
    code, out, _ = cli("validate", str(path))
    assert code == 1
    line = finding(out, "QS033")
    assert "which the sandbox forbids" in line and f"{path}:14:13:" in line
    # playing it anyway: the condition is evaluated in the sandbox, which refuses
    cli("play", str(path), "--replies", str(write("r.txt", "hello\n")), "--json")
    assert not marker.exists()


def test_template_syntax_and_undefined_variable(cli: Cli, write: Callable[..., Path]) -> None:
    text = MINIMAL.replace("say: What is my balance?", 'say: "Order {{ order_no }} and {{ broken"')
    code, out, _ = cli("validate", str(write("t1.yaml", text)))
    assert code == 1 and "QS030" in out
    text = MINIMAL.replace("say: What is my balance?", 'say: "Order {{ ordr_no }}"')
    text += "variables:\n  order_no: {pattern: 'A-###'}\n"
    code, out, _ = cli("validate", str(write("t2.yaml", text)))
    assert (
        code == 1 and "'ordr_no', which is not defined" in out and "did you mean 'order_no'?" in out
    )


def test_missing_path(cli: Cli) -> None:
    code, out, _ = cli("validate", "no/such/dir")
    assert code == 1 and "no/such/dir:1:1: error QS001 no such file or folder" in out


def test_no_traceback_from_the_real_command(write: Callable[..., Path]) -> None:
    """The installed entry point, in a subprocess, on every kind of broken file at once."""
    paths = [
        write("a.yaml", "id: [\n"),
        write("b.yaml", b"\x00\x01\x02"),
        write("c.yaml", ""),
        write("d.yaml", MINIMAL.replace("goto: done", "goto: nowhere")),
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "qa_sim", "validate", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert len([ln for ln in proc.stdout.splitlines() if " error QS" in ln]) >= 4
