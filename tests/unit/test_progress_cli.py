"""The headless progress commands: trainee, play --trainee, exam, progress, report,
certificate, verify, rescore — on a real database in a temp folder."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from routes import GOOD

Cli = Callable[..., tuple[int, str, str]]

TRACK = """
kind: track
id: quick
title: {en: Quick track, zh-CN: 快速认证}
levels:
  - level: junior
    title: {en: Junior agent, zh-CN: 初级客服}
    practice: {scenarios: 1, min_score: 70}
    exam:
      scenarios: 1
      pass_mark: 70
      pool: {scenarios: [delayed-parcel-en]}
    expires_after_days: 365
"""


@pytest.fixture
def content(write: Callable[..., Path]) -> str:
    return str(write("content/rubrics/quick.yaml", TRACK).parent.parent)


@pytest.fixture
def db() -> Path:
    return Path(os.environ["QA_SIM_DB"])


def practise(cli: Cli, write: Callable[..., Path], name: str = "ann") -> dict[str, object]:
    replies = write("good.txt", "\n".join(GOOD))
    code, out, err = cli(
        "play", "delayed-parcel-en", "--trainee", name, "--replies", str(replies), "--json"
    )
    assert code == 0, err
    return json.loads(out)


def test_trainees_are_added_listed_and_shown(cli: Cli) -> None:
    assert cli("trainee", "add", "ann", "--display-name", "Ann Lee", "--cohort", "nov")[0] == 0
    assert cli("trainee", "add", "wang.fang", "--display-name", "王芳", "--locale", "zh-CN")[0] == 0
    code, _, err = cli("trainee", "add", "ann")
    assert code == 1 and "exists already" in err
    code, _, err = cli("trainee", "add", "Bad Name")
    assert code == 1 and "lower-case" in err
    out = cli("trainee", "list")[1]
    assert "Ann Lee" in out and "王芳" in out
    assert cli("trainee", "list", "--cohort", "nov")[1].count("\n") == 1
    shown = json.loads(cli("trainee", "show", "wang.fang", "--json")[1])
    assert shown["locale"] == "zh-CN" and shown["attempts"] == 0
    assert cli("trainee", "show", "nobody")[0] == 1


def test_play_records_the_attempt_and_progress_shows_it(
    cli: Cli, write: Callable[..., Path]
) -> None:
    cli("trainee", "add", "ann")
    result = practise(cli, write)
    assert result["attempt"] == 1 and result["finished"] is True and result["passed"] is True
    code, out, _ = cli("progress", "ann")
    assert code == 0
    assert "not certified yet" in out and "(1 of 3)" in out  # the shipped track: 3 junior passes
    assert "delayed-parcel-en" in out
    data = json.loads(cli("progress", "ann", "--json")[1])
    assert data["next_level"] == "junior" and data["eligibility"]["eligible"] is False
    practice = next(r for r in data["eligibility"]["requirements"] if r["id"] == "practice")
    assert (practice["have"], practice["need"], practice["met"]) == (1, 3, False)


def test_unknown_trainee_and_exam_mode_without_an_exam_are_clear_errors(cli: Cli) -> None:
    code, _, err = cli("play", "delayed-parcel-en", "--trainee", "ghost", "--replies", os.devnull)
    assert code == 1 and "no trainee 'ghost'" in err
    cli("trainee", "add", "ann")
    code, _, err = cli("play", "delayed-parcel-en", "--trainee", "ann", "--mode", "exam")
    assert code == 1 and "no open exam" in err and "qa-sim exam start" in err
    code, _, err = cli("progress", "ghost")
    assert code == 1 and "no trainee" in err


def test_exam_certificate_and_verification(
    cli: Cli, write: Callable[..., Path], content: str, db: Path
) -> None:
    cli("trainee", "add", "ann", "--display-name", "Ann Lee")
    code, _, err = cli(
        "exam",
        "start",
        "--trainee",
        "ann",
        "--level",
        "junior",
        "--content",
        content,
        "--track",
        "quick",
    )
    assert code == 1 and "pass 1 different scenarios" in err
    practise(cli, write)
    write("replies/delayed-parcel-en.txt", "\n".join(GOOD))
    code, out, err = cli(
        "exam", "start", "--trainee", "ann", "--level", "junior", "--content", content,
        "--track", "quick", "--replies-dir", str(Path(content).parent / "replies"),
    )  # fmt: skip
    assert code == 0, err
    assert "Exam passed" in out and "Certified junior" in out
    code_text = out.rsplit("Verification code: ", 1)[1].split()[0]
    html = cli("certificate", "ann", "junior", "--content", content)[1]
    assert "Ann Lee" in html and code_text in html and "Junior agent" in html
    md = cli(
        "certificate", "ann", "junior", "--format", "md", "--lang", "zh-CN", "--content", content
    )[1]
    assert "岗位资格证书" in md and "初级客服" in md
    code, out, _ = cli("verify", "--certificate", code_text.lower())
    assert code == 0 and "valid" in out
    assert cli("verify")[0] == 0

    conn = sqlite3.connect(db)
    conn.execute("UPDATE exams SET score = score - 10")
    conn.commit()
    conn.close()
    code, out, _ = cli("verify", "--certificate", code_text)
    assert code == 1 and "INVALID" in out and "tampered" in out
    code, out, _ = cli("verify")
    assert code == 1 and "exam 1 (ann)" in out
    assert cli("verify", "--certificate", "AAAA-BBBB-CCCC-DDDD")[0] == 1


def test_verify_names_each_tampered_attempt(cli: Cli, write: Callable[..., Path], db: Path) -> None:
    cli("trainee", "add", "ann")
    cli("trainee", "add", "bob")
    practise(cli, write, "ann")
    practise(cli, write, "bob")
    conn = sqlite3.connect(db)
    conn.execute("UPDATE attempts SET score = 99.9 WHERE trainee = 'bob'")
    conn.execute("UPDATE turns SET text = 'I am so sorry.' WHERE attempt_id = 1 AND idx = 3")
    conn.commit()
    conn.close()
    code, out, _ = cli("verify")
    assert code == 1
    assert "attempt 1 (ann): turn 3 was changed" in out
    assert "attempt 2 (bob): its result" in out
    assert "2 problems" in out


def test_report_formats(cli: Cli, write: Callable[..., Path], tmp_path: Path) -> None:
    cli("trainee", "add", "ann", "--cohort", "nov")
    cli("trainee", "add", "wang.fang", "--display-name", "王芳", "--cohort", "dec")
    practise(cli, write)
    practise(cli, write)
    table = cli("report")[1]
    assert "Ann" not in table and "ann" in table and "王芳 (wang.fang)" in table
    rows = list(csv.DictReader(io.StringIO(cli("report", "--format", "csv", "--cohort", "nov")[1])))
    assert [r["trainee"] for r in rows] == ["ann"] and rows[0]["attempts"] == "2"
    lines = cli("report", "--format", "json")[1].splitlines()
    assert [json.loads(x)["trainee"] for x in lines] == ["ann", "wang.fang"]
    target = tmp_path / "cohort.html"
    assert cli("report", "--format", "html", "--output", str(target))[0] == 0
    page = target.read_text(encoding="utf-8")
    assert "<table>" in page and "王芳" in page and "<script" not in page


def test_rescore_shows_changes_and_applies_only_with_apply(
    cli: Cli, write: Callable[..., Path], tmp_path: Path
) -> None:
    cli("trainee", "add", "ann")
    practise(cli, write)
    rubric = (Path(__file__).parents[2] / "rubrics" / "complaint.yaml").read_text(encoding="utf-8")
    # the draft wants a greeting in every reply, and a pass mark of 99
    draft = write(
        "draft.yaml",
        rubric.replace("pass_mark: 70", "pass_mark: 99").replace(
            "scope: first_reply", "scope: every_reply", 1
        ),
    )
    code, out, _ = cli("rescore", "--rubric", str(draft))
    assert code == 0 and "pass→fail" in out and "would change" in out
    assert "greeting met→" in out
    assert json.loads(cli("progress", "ann", "--json")[1])["recent"][0]["passed"] is True
    code, out, _ = cli("rescore", "--rubric", str(draft), "--apply")
    assert code == 0 and "applied" in out
    assert json.loads(cli("progress", "ann", "--json")[1])["recent"][0]["passed"] is False
    assert cli("verify")[0] == 0  # re-graded results are signed again
