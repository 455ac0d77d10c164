"""App start-up: time from launch to the first screen ready for input, and peak memory.

Each run starts a fresh Python process, as a trainee typing `qa-sim` would, and
notes the moment the first screen has been laid out and drawn and takes keys
(headless, so no terminal is needed); work the app does in the background
after that (reading content, loading the scorer) does not count, but its
memory does. The bare app is a Textual app with a header, a label and
a footer: the floor any Textual program pays. Medians of 15 interleaved runs;
the ratio is the median of the ratios of each pair, which a busy moment skews least.
Memory is also measured where it peaks in use: a practice conversation, its
scorer loaded for the trainee's language (English: stemmer and lexicon;
Chinese: word segmentation and traditional folding).
Targets: qa-sim <= 1.3x the bare app, peak memory <= 150 MB.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 15

READY = """
import json, resource, sys, time
from textual.app import App
_run = App.run
READY_AT = []
def run(self, *args, **kwargs):
    def done():
        READY_AT.append(time.time())  # laid out, drawn, taking keys
        self.exit()
    def ready():
        self.call_after_refresh(lambda: self.call_after_refresh(done))
    self.call_later(ready)
    kwargs["headless"] = True
    return _run(self, *args, **kwargs)
App.run = run
"""

BARE = (
    READY
    + """
from textual.widgets import Footer, Header, Static
class Bare(App):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()
Bare().run()
"""
)

QA_SIM = (
    READY
    + """
from qa_sim.cli import main
main([])
"""
)

REPORT = """
print(json.dumps({"ready": READY_AT[0],
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}),
      file=sys.stderr)
"""


SESSION = """
import json, resource, sys
import qa_sim.tui.app  # the app's own weight
from qa_sim.academy import Academy
from qa_sim.library import ContentLibrary
from qa_sim.paths import bundled_content_dir
from qa_sim.training import TrainingSession
locale, scenario, reply = sys.argv[1:4]
academy = Academy(lambda: ContentLibrary([bundled_content_dir()]))
academy.warm_up(locale)
session = TrainingSession.start(academy.library, scenario, seed=1)
session.submit(reply)
session.scorecard()
print(json.dumps({"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def session_memory(env: dict[str, str], locale: str, scenario: str, reply: str) -> float:
    """Peak memory of the app's process once a practice conversation is under way."""
    proc = subprocess.run(
        [sys.executable, "-c", SESSION, locale, scenario, reply],
        env=env, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"the session did not run:\n{proc.stderr[-2000:]}")
    return float(json.loads(proc.stdout.strip().splitlines()[-1])["rss_mb"])


def once(code: str, env: dict[str, str]) -> tuple[float, float]:
    began = time.time()
    proc = subprocess.run(
        [sys.executable, "-c", code + REPORT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        raise SystemExit(f"the app did not start:\n{proc.stderr[-2000:]}")
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    return report["ready"] - began, report["rss_mb"]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.update(
            QA_SIM_DB=str(Path(tmp) / "bench.db"),
            XDG_CONFIG_HOME=str(Path(tmp) / "config"),
            XDG_DATA_HOME=str(Path(tmp) / "data"),
        )
        once(QA_SIM, env)  # the database is created once, as on a first launch
        bare, ours = [], []
        for _ in range(RUNS):  # interleaved, so a busy moment hits both alike
            bare.append(once(BARE, env))
            ours.append(once(QA_SIM, env))
        in_en = session_memory(env, "en", "delayed-parcel-en", "Hello, I'm sorry about the delay.")
        in_zh = session_memory(env, "zh-CN", "delayed-parcel-zh", "您好，非常抱歉给您带来不便。")
    bare_t = statistics.median(t for t, _ in bare)
    ours_t = statistics.median(t for t, _ in ours)
    peak = max(m for _, m in ours)
    ratio = statistics.median(o[0] / b[0] for o, b in zip(ours, bare, strict=True))
    print(f"bare Textual app:   {bare_t * 1000:6.0f} ms to the first screen")
    print(
        f"qa-sim:             {ours_t * 1000:6.0f} ms to the first screen  ({ratio:.2f}x, target <= 1.3x)"
    )
    print(f"qa-sim peak memory: {peak:6.1f} MB at the first screen  (target <= 150 MB)")
    print(f"                    {in_en:6.1f} MB in an English practice conversation")
    print(f"                    {in_zh:6.1f} MB in a Chinese practice conversation")
    ok = ratio <= 1.3 and max(peak, in_en, in_zh) <= 150
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
