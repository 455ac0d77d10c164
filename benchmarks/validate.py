"""How long validating 1,000 generated scenarios takes, next to raw yaml.safe_load.

Generates scenarios by varying the bundled ones (ids, customer names, extra
nodes), writes them to a temporary folder, then times in the same process:

- raw:       yaml.safe_load of every file (what a script would do)
- validate:  `qa-sim validate`'s work: safe composing with line marks, the strict
             model, graph lint, template and condition checks, pattern compiling

Prints both and their ratio (target: validate / raw <= 2).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa_sim.library import ContentLibrary  # noqa: E402
from qa_sim.paths import bundled_content_dir  # noqa: E402

EXTRA_NODE = """
  extra_{n}:
    say:
      - "I'm still waiting on {{{{ customer.name }}}} ({n})."
      - text: Once-only line {n}.
        once: true
    hint: [Check the order again.]
    branches:
      - if: mood >= {mood} and turn > 1
        goto: {back}
      - goto: {back}
"""


def generate(folder: Path, count: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    sources = sorted((ROOT / "scenarios").glob("*.yaml"))
    texts = [p.read_text(encoding="utf-8") for p in sources]
    paths = []
    for i in range(count):
        base = texts[i % len(texts)]
        data = yaml.safe_load(base)
        text = base.replace(f"id: {data['id']}", f"id: {data['id']}-gen{i:04d}", 1)
        start = data["start"]
        extra = "".join(
            EXTRA_NODE.format(n=k, mood=rng.randint(2, 8), back=start)
            for k in range(rng.randint(2, 6))
        )
        text = text.replace("\nendings:", extra + "\nendings:", 1)
        path = folder / f"gen-{i:04d}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = generate(folder, args.count)
        size = sum(p.stat().st_size for p in paths)
        library = ContentLibrary([bundled_content_dir()]).load()
        library.validate(paths[:5])  # warm caches both ways: stemmer, jieba, lexicon
        for p in paths[:5]:
            yaml.safe_load(p.read_text(encoding="utf-8"))

        started = time.perf_counter()
        for p in paths:
            yaml.safe_load(p.read_text(encoding="utf-8"))
        raw = time.perf_counter() - started

        started = time.perf_counter()
        diags, files = library.validate([folder])
        validate = time.perf_counter() - started

    errors = sum(d.severity == "error" for d in diags)
    print(f"scenarios:            {files} files, {size / 1e6:.1f} MB")
    print(f"yaml.safe_load:       {raw:6.2f} s  ({raw / files * 1000:.2f} ms/file)")
    print(f"qa-sim validate:      {validate:6.2f} s  ({validate / files * 1000:.2f} ms/file)")
    print(f"ratio validate/raw:   {validate / raw:6.2f}  (target <= 2)")
    print(f"findings:             {len(diags)} ({errors} errors)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
