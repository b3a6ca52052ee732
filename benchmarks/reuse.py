"""Reuse at corpus scale: what the reuse table costs next to the dedup stage it rides on (target: at most
0.5x), from the stage timings of one `corpus build --until dedup` (a fresh process) on all 19,043
Reuters-21578 stories and on the bundled corpus. dedup's time is its signing in the first pass plus its
global step; reuse's is its own part of the global step (passages, signatures, LSH, verification).

    python benchmarks/reuse.py [--limit N]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _reuters import ROOT, expand, stories  # noqa: E402

from corpus.load import read_table, table_paths  # noqa: E402

_STAGE = re.compile(r"(\w+) ([\d.]+)s")


def measure(name: str, sources: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    run = subprocess.run([sys.executable, "-m", "corpus.cli", "build", "--sources", str(sources), "--out", str(out),
                          "--until", "dedup"], capture_output=True, text=True, check=True)
    line = next(l for l in run.stdout.splitlines() + run.stderr.splitlines() if l.startswith("stages (time):"))
    stages = {k: float(v) for k, v in _STAGE.findall(line)}
    release = next(out.rglob("manifest.json")).parent
    rows = len(read_table(table_paths(release, "reuse"), "reuse")) if table_paths(release, "reuse") else 0
    ratio = stages.get("reuse", 0.0) / max(stages["dedup"], 1e-9)
    print(f"{name}: dedup {stages['dedup']:.2f} s, reuse {stages.get('reuse', 0.0):.2f} s, "
          f"ratio {ratio:.2f} (target <= 0.5); {rows} reuse rows")
    return {"dedup": stages["dedup"], "reuse": stages.get("reuse", 0.0), "ratio": ratio, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N Reuters stories only")
    args = parser.parse_args()
    build = ROOT / "build" / "bench-reuse"
    reuters = expand(build / "reuters" / "sources", stories(args.limit))
    measure(f"Reuters ({len(list(reuters.glob('*.txt')))} stories)", reuters, build / "reuters" / "out")
    measure("bundled corpus", ROOT / "corpus" / "sources", build / "bundled" / "out")


if __name__ == "__main__":
    main()
