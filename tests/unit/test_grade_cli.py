"""qa-sim grade and calibrate end to end on fixture files, bad lines included."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

Cli = Callable[..., tuple[int, str, str]]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
JSONL = str(FIXTURES / "transcripts.jsonl")


def test_grade_json_lines_and_bad_lines(cli: Cli) -> None:
    code, out, err = cli("grade", JSONL, "--format", "json")
    assert code == 1  # some lines were rejected
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["en-good", "zh-rude", "en-plain"]
    good = rows[0]
    assert set(good) >= {"id", "score", "passed", "critical_failed", "criteria"}
    assert good["passed"] and good["score"] >= 90
    greeting = next(c for c in good["criteria"] if c["id"] == "greeting")
    assert greeting["status"] == "met" and greeting["evidence"] == [
        {"turn": 1, "start": 0, "end": 5, "text": "Hello"}
    ]
    timing = next(c for c in good["criteria"] if c["id"] == "first_response_time")
    assert timing["status"] == "met"
    rude = rows[1]
    assert rude["critical_failed"] == "forbidden_language" and not rude["passed"]
    assert rows[2]["locale"] == "en"  # told from the text
    lines = err.splitlines()
    assert f"{JSONL}:2: not JSON: Expecting value (column 1)" in lines
    assert f"{JSONL}:3: 'turns' is missing or empty (a list of {{role, text}})" in lines
    assert f"{JSONL}:4: turns[0]: unknown role 'bot' (use agent or customer)" in lines
    assert any(
        line.startswith(f"{JSONL}:8: turns[0]: 'at' is not an ISO-8601 time") for line in lines
    )
    assert f"{JSONL}:9: unknown locale 'fr' (use en or zh-CN)" in lines
    assert "Traceback" not in err


def test_workers_give_the_same_output_in_the_same_order(cli: Cli, tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    lines = FIXTURES.joinpath("transcripts.jsonl").read_text(encoding="utf-8").splitlines()
    big.write_text("\n".join(lines * 40) + "\n", encoding="utf-8")
    one = cli("grade", str(big), "--format", "json", "--quiet")
    two = cli("grade", str(big), "--format", "json", "--quiet", "--workers", "2")
    assert one[1] == two[1] and one[0] == two[0] == 1
    assert len(one[1].splitlines()) == 120
    assert one[2] == two[2]  # the same bad lines, in file order


def test_grade_csv_input_and_csv_output(cli: Cli, tmp_path: Path) -> None:
    out_file = tmp_path / "results.csv"
    code, out, err = cli(
        "grade", str(FIXTURES / "transcripts.csv"), "--format", "csv", "--output", str(out_file)
    )
    assert code == 1 and out == ""
    assert "transcripts.csv:6: row of 'c3': unknown role 'robot'" in err
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == ["c1", "c2"]
    assert rows[0]["closing_status"] == "met"  # c1's last agent row comes later in the file
    assert rows[1]["locale"] == "zh-CN" and rows[1]["needs_question_status"] == "met"
    assert not list(tmp_path.glob(".results.csv.*"))  # no temporary file left behind


def test_grade_table_with_summary(cli: Cli) -> None:
    code, out, _ = cli("grade", JSONL, "--quiet")
    assert code == 1
    assert "en-good" in out and "FAIL*" in out
    assert "3 conversations graded, 1 passed" in out
    assert "No forbidden language" in out and "met in 2 of 3" in out


def test_grade_in_chinese_interface(cli: Cli) -> None:
    code, out, _ = cli("--lang", "zh-CN", "grade", JSONL, "--quiet")
    assert code == 1 and "共评 3 个会话" in out and "否决*" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("grade", "nope.jsonl"), "no such file: nope.jsonl"),
        (("grade", JSONL, "--rubric", "standrad"), "did you mean 'standard'?"),
        (("grade", JSONL, "--workers", "0"), "--workers must be 1 or more"),
    ],
)
def test_grade_errors(cli: Cli, args: tuple[str, ...], message: str) -> None:
    code, _, err = cli(*args)
    assert code in (1, 2) and message in err and "Traceback" not in err


def test_grade_binary_file(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"\x00\x01\x02")
    code, _, err = cli("grade", str(path))
    assert code == 1 and "is a binary file" in err


def test_interrupted_output_keeps_the_old_file(cli: Cli, tmp_path: Path) -> None:
    out_file = tmp_path / "results.json"
    out_file.write_text("previous results\n", encoding="utf-8")
    code, _, _ = cli("grade", str(tmp_path / "missing.jsonl"), "--output", str(out_file))
    assert code == 1 and out_file.read_text(encoding="utf-8") == "previous results\n"


def test_calibrate_turn_labels_with_a_label_map(cli: Cli) -> None:
    code, out, err = cli(
        "calibrate",
        "--labels",
        str(FIXTURES / "labels_turns.jsonl"),
        "--format",
        "json",
        "--map",
        "closing=closing",
        "--map",
        "anything_else=needs_question",
        "--locale",
        "en",
    )
    assert code == 1  # one label line was bad
    assert "labels_turns.jsonl:8: 'gold' must be a list of label names" in err
    result = {c["criterion"]: c for c in json.loads(out)["criteria"]}
    needs = result["needs_question"]
    # positives: lines 1, 4, 7 (zh row has its own locale); "Do you need any help from me?" found too
    assert (needs["tp"], needs["fp"], needs["fn"], needs["tn"]) == (3, 0, 0, 4)
    assert needs["precision"] == needs["recall"] == needs["kappa"] == 1.0
    closing = result["closing"]
    assert (closing["tp"], closing["fn"]) == (1, 1)
    (missed,) = closing["disagreements"]
    assert missed["human"] and not missed["engine"] and missed["text"] == "Sure thing, later!"
    # kappa for closing: observed 6/7; expected ((1*2)+(6*5))/49
    expected = (2 + 30) / 49
    assert closing["kappa"] == pytest.approx(round((6 / 7 - expected) / (1 - expected), 4))


def test_calibrate_conversation_labels(cli: Cli) -> None:
    code, out, err = cli(
        "calibrate",
        "--labels",
        str(FIXTURES / "labels_conversations.jsonl"),
        "--transcripts",
        JSONL,
    )
    assert code == 1
    assert (
        "labels_conversations.jsonl:5: conversation 'missing-conversation' is not in the transcripts file"
        in err
    )
    assert "labels_conversations.jsonl:6: label 'maybe' is not true/false" in err
    assert "criterion" in out and "kappa" in out
    assert "needs_question: the human saw it, the engine did not" in out  # en-plain


def test_calibrate_needs_labels_that_match_the_rubric(cli: Cli, tmp_path: Path) -> None:
    labels = tmp_path / "l.jsonl"
    labels.write_text('{"text": "hi", "labels": {"smile": true}}\n', encoding="utf-8")
    code, _, err = cli("calibrate", "--labels", str(labels))
    assert code == 1 and "has no criterion 'smile'" in err
    code, _, err = cli("calibrate", "--labels", str(labels), "--map", "smile=grin")
    assert code == 2 and "has no criterion 'grin'" in err
