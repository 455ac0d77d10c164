"""Grading speed: agent turns per second for the standard rubric, next to a plain baseline.

In one run, for English and Chinese:

- baseline:  one compiled regular expression per phrase of the same phrase
             packs, searched turn by turn (what a QA lead would write in a
             notebook: no stems, negation, questions, typos or scorecard);
- engine:    `qa-sim grade`'s work on one core: every agent turn analysed and
             matched, every conversation scored into a full scorecard;
- workers:   the same with 2 worker processes (`--workers 2`), warm;
- live:      p50 / p99 latency of one reply in a practice session (scoring the
             reply, the facts for branching, the runtime's step).

Targets: engine >= baseline on one core (Chinese at least half the English
figure), 2 workers >= 1.8x one, live p99 <= 2 ms.
Data: a synthetic corpus (benchmarks/corpus.py) or `--data FILE.jsonl`.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import corpus  # noqa: E402

from qa_sim.cli import grading  # noqa: E402
from qa_sim.library import ContentLibrary  # noqa: E402
from qa_sim.paths import bundled_content_dir  # noqa: E402
from qa_sim.scoring.batch import grade_stream, result_row  # noqa: E402
from qa_sim.scoring.engine import RubricEngine  # noqa: E402
from qa_sim.scoring.patterns import _lex  # noqa: E402
from qa_sim.scoring.text import warm_up  # noqa: E402
from qa_sim.scoring.transcripts import Conversation, parse_jsonl_line  # noqa: E402
from qa_sim.training import TrainingSession  # noqa: E402

# -- the baseline: each pack phrase as one regular expression ---------------------


def to_regex(pattern: str) -> str:
    """Our phrase syntax written as the regular expression a person would write."""
    if pattern.startswith("re:"):
        return pattern[3:].strip()
    cjk = bool(re.search(r"[\u4e00-\u9fff]", pattern))
    sep = "" if cjk else r"\W*+"
    gap = ".{0,6}" if cjk else r"(?:\W++\w++){0,4}+"
    out: list[str] = []
    previous = ""
    for tok in _lex(pattern):
        opens = tok not in ")]|?"
        if (opens and previous not in ("", "(", "[", "|") and tok not in ("(", "[")) or (
            tok in ("(", "[") and previous not in ("", "(", "[", "|")
        ):
            out.append(sep)
        if tok in "()[]|?":
            out.append({"(": "(?:", ")": ")", "[": "(?:", "]": ")?", "|": "|", "?": "?"}[tok])
        elif tok == "...":
            out.append(gap)
        elif tok.endswith("*"):
            out.append(re.escape(tok[:-1]) + r"\w*+")
        else:
            out.append(re.escape(tok))
        previous = tok
    body = "".join(out)
    return body if cjk else rf"\b{body}\b"


def baseline_patterns(locale: str) -> list[re.Pattern[str]]:
    data = yaml.safe_load(
        (ROOT / "rubrics" / "phrases" / f"standard.{locale}.yaml").read_text(encoding="utf-8")
    )
    return [
        re.compile(to_regex(p), re.IGNORECASE) for s in data["sets"].values() for p in s["patterns"]
    ]


def run_baseline(convs: list[Conversation], regexes: list[re.Pattern[str]]) -> tuple[float, int]:
    started = time.perf_counter()
    found = 0
    for conv in convs:
        for turn in conv.turns:
            if turn.role == "agent":
                for rx in regexes:
                    if rx.search(turn.text):
                        found += 1
    return time.perf_counter() - started, found


# -- the engine --------------------------------------------------------------------


def agent_turns(convs: list[Conversation]) -> int:
    return sum(1 for c in convs for t in c.turns if t.role == "agent")


def run_engine(engine: RubricEngine, convs: list[Conversation]) -> float:
    started = time.perf_counter()
    for conv in convs:
        result_row(engine, conv, "en")
    return time.perf_counter() - started


def run_pipeline(engine: RubricEngine, lines: list[tuple[int, bytes]], workers: int) -> float:
    """`qa-sim grade --format json`'s path: raw lines in, JSON lines out, in order."""
    started = time.perf_counter()
    for _ in grade_stream(engine, lines, lang="en", fmt="json", workers=workers, warm=True):
        pass
    return time.perf_counter() - started


def live_latency(library: ContentLibrary, locale: str, replies: list[str]) -> tuple[float, float]:
    scenario = "delayed-parcel-en" if locale == "en" else "delayed-parcel-zh"
    times = []
    warm_up((locale,))
    session = TrainingSession.start(library, scenario, seed=1, timed=False)
    for reply in replies:
        if session.finished:
            session = TrainingSession.start(library, scenario, seed=1, timed=False)
        started = time.perf_counter()
        session.submit(reply)
        times.append(time.perf_counter() - started)
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.99) - 1] * 1000


def cold_first_reply() -> float:
    """A fresh interpreter: start a session and time its first reply (what warm_up saves)."""
    code = (
        f"import time, sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from qa_sim.library import ContentLibrary\nfrom qa_sim.paths import bundled_content_dir\n"
        "from qa_sim.training import TrainingSession\n"
        "lib = ContentLibrary([bundled_content_dir()]).load()\n"
        "s = TrainingSession.start(lib, 'delayed-parcel-en', timed=False)\n"
        "t = time.perf_counter(); s.submit('Hello Dana, I am so sorry, let me check the tracking.')\n"
        "print((time.perf_counter() - t) * 1000)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--conversations", type=int, default=4000, help="per language (synthetic corpus)"
    )
    parser.add_argument("--data", metavar="FILE", help="a transcripts .jsonl file to use instead")
    args = parser.parse_args()

    library = ContentLibrary([bundled_content_dir()]).load()
    engine = grading.load_engine(library, "standard")
    if args.data:
        rows = [ln for ln in Path(args.data).read_text(encoding="utf-8").splitlines() if ln.strip()]
        raw = {"data": rows}
    else:
        raw = {
            loc: [json.dumps(c, ensure_ascii=False) for c in corpus(args.conversations, loc)]
            for loc in ("en", "zh-CN")
        }
    print("agent turns per second, one core unless said (higher is better)")
    print(
        f"{'':8}{'turns':>7}{'baseline':>10}{'engine':>9}{'engine/base':>12}"
        f"{'grade 1w':>10}{'grade 2w':>10}{'2w/1w':>7}"
    )
    for name, rows in raw.items():
        convs = [parse_jsonl_line(r, i) for i, r in enumerate(rows, 1)]
        lines = [(i, r.encode("utf-8")) for i, r in enumerate(rows, 1)]
        locale = convs[0].locale
        run_engine(engine, convs[:300])  # warm caches: stemmer, jieba, lexicon
        n = agent_turns(convs)
        base = n / run_baseline(convs, baseline_patterns(locale))[0]
        eng = n / run_engine(engine, convs)
        one = n / run_pipeline(engine, lines, 1)
        two = n / run_pipeline(engine, lines, 2)
        print(
            f"{name:8}{n:>7}{base:>10,.0f}{eng:>9,.0f}{eng / base:>12.2f}{one:>10,.0f}{two:>10,.0f}{two / one:>6.2f}x"
        )
    for locale in ("en", "zh-CN"):
        source = raw.get(locale) or next(iter(raw.values()))
        replies = [
            t["text"] for r in source[:1000] for t in json.loads(r)["turns"] if t["role"] == "agent"
        ]
        p50, p99 = live_latency(library, locale, replies[:3000])
        print(
            f"live reply {locale:6}  p50 {p50:.3f} ms   p99 {p99:.3f} ms   (target p99 <= 2 ms, after warm_up)"
        )
    print(
        f"first reply of a cold process (loads stemmer, lexicon, jieba): {cold_first_reply():.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
