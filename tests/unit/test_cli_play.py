"""qa-sim play / graph / demo on the bundled scenarios."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

Cli = Callable[..., tuple[int, str, str]]

REPLIES = """\
Hello Dana, I'm so sorry. Let me check the tracking with the carrier.
The parcel is held at the sorting centre because of the holiday backlog.
I'll add a coupon to your account and follow up with the carrier tomorrow.
You're welcome, have a great day!
"""


def test_play_json_is_reproducible(cli: Cli, write: Callable[..., Path]) -> None:
    replies = write("r.txt", REPLIES)
    runs = [
        cli("play", "delayed-parcel-en", "--replies", str(replies), "--seed", "3", "--json")
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    code, out, _ = runs[0]
    data = json.loads(out)
    assert code == 0
    assert {"scenario", "seed", "ending", "outcome", "path", "transcript", "mood"} <= set(data)
    assert data["scenario"] == "delayed-parcel-en" and data["seed"] == 3
    assert data["ending"] == "resolved" and data["outcome"] == "resolved"
    assert data["path"][0] == "opening" and data["path"][-1] == "resolved"
    assert [t["role"] for t in data["transcript"]][:2] == ["customer", "agent"]
    assert len(data["mood"]) == len(data["path"])


def test_seed_changes_variables(cli: Cli, write: Callable[..., Path]) -> None:
    replies = write("r.txt", "hi\n")
    first = {
        json.loads(
            cli("play", "delayed-parcel-en", "--replies", str(replies), "--seed", str(s), "--json")[
                1
            ]
        )["transcript"][0]["text"]
        for s in range(1, 6)
    }
    assert len(first) > 1


def test_play_prints_transcript_ending_and_scorecard(cli: Cli, write: Callable[..., Path]) -> None:
    code, out, _ = cli("play", "delayed-parcel-en", "--replies", str(write("r.txt", REPLIES)))
    assert code == 0
    assert "Customer Dana Whitfield · mood 4/10" in out
    assert "Ending: resolved (resolved)" in out
    assert "Resolution steps in order" in out and "Score " in out


def test_replies_running_out_leave_the_attempt_unfinished(
    cli: Cli, write: Callable[..., Path]
) -> None:
    code, out, _ = cli(
        "play", "delayed-parcel-en", "--replies", str(write("r.txt", "Hello\n")), "--json"
    )
    assert code == 0 and json.loads(out)["outcome"] == "unfinished"


def test_play_by_path_and_in_chinese(cli: Cli, write: Callable[..., Path]) -> None:
    replies = write("r.txt", "您好，抱歉让您久等了，我马上帮您核实一下物流。\n")
    code, out, _ = cli(
        "--lang", "zh-CN", "play", "scenarios/delayed-parcel-zh.yaml", "--replies", str(replies)
    )
    assert code == 0
    assert "客户 王丽 · 情绪" in out and "回复已用完" in out and "得分" in out


def test_unknown_scenario_suggests_an_id(cli: Cli) -> None:
    code, _, err = cli("play", "delayed-parcel-eng", "--replies", "/dev/null")
    assert code == 2 and "did you mean 'delayed-parcel-en'?" in err


def test_missing_replies_file(cli: Cli) -> None:
    code, _, err = cli("play", "delayed-parcel-en", "--replies", "nope.txt")
    assert code == 2 and "no such replies file: nope.txt" in err


def test_broken_scenario_is_not_played(cli: Cli, write: Callable[..., Path]) -> None:
    path = write("broken.yaml", "id: x\n")
    code, _, err = cli("play", str(path), "--replies", "/dev/null")
    assert code == 1 and "QS011" in err and "Traceback" not in err


def test_graph_mermaid_and_dot(cli: Cli) -> None:
    code, out, _ = cli("graph", "delayed-parcel-en")
    assert code == 0 and out.startswith("flowchart TD")
    assert "opening -->" in out and 'resolved(["resolved: resolved"])' in out
    assert "-.->" in out  # fallbacks are drawn dashed
    code, out, _ = cli("graph", "delayed-parcel-en", "--format", "dot")
    assert (
        code == 0 and out.startswith('digraph "delayed-parcel-en"') and out.rstrip().endswith("}")
    )
    assert '"opening" -> "checked"' in out


def test_demo_plays_the_first_golden_route(cli: Cli) -> None:
    code, out, _ = cli("demo")
    assert code == 0 and "Ending: resolved" in out and "Score 100/100" in out


def test_golden_transcripts_of_the_library_pass(cli: Cli) -> None:
    code, out, _ = cli("test", "scenarios")
    assert code == 0, out
    assert " 0 failed" in out


def test_global_options_work_after_the_command(cli: Cli) -> None:
    code, out, _ = cli(
        "play", "kettle-refund-zh", "--lang", "zh-CN", "--replies", "/dev/null", "--no-score"
    )
    assert code == 0 and "客户 陈建国" in out
