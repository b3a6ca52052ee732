"""Throughput of the full build on Reuters-21578 subsets (1,000, 4,000 and all 19,043 stories), per stage:
documents/s, MB/s and peak RSS; plus what spaCy's en_core_web_sm alone costs over the same texts (a
user's plain `nlp.pipe` script), and the ratio. Optionally the same on Dask (`--scheduler local:N`).

    python benchmarks/throughput.py [--sizes 1000 4000 19043] [--scheduler local:N]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _reuters import ROOT, expand, stories  # noqa: E402

SPACY_ALONE = """
import sys, time, spacy
from pathlib import Path
from corpus.nlp import MODEL_NAMES
name = next(n for n in MODEL_NAMES if spacy.util.is_package(n))
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
start = time.perf_counter()
nlp = spacy.load(name)
for doc in nlp.pipe(texts, batch_size=64):
    pass
print(time.perf_counter() - start)
"""


def spacy_alone(folder: Path) -> float:
    out = subprocess.run([sys.executable, "-c", SPACY_ALONE, str(folder)], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def build_once(folder: Path, scheduler: str | None) -> tuple[float, dict, dict]:
    """Run `corpus build` in a fresh process (model loads counted); returns (seconds, timings, rss)."""
    out = ROOT / "build" / "bench" / "throughput-out"
    shutil.rmtree(out, ignore_errors=True)
    code = ("import json, sys, time; from pathlib import Path; from corpus.config import BuildConfig; "
            "from corpus.executor import build; t = time.perf_counter(); "
            "r = build(BuildConfig(sources=Path(sys.argv[1]), out=Path(sys.argv[2]), version='0.0.1', "
            "scheduler=sys.argv[3] or None)); "
            "print(json.dumps([time.perf_counter() - t, r.timings, r.peak_rss_mb]))")
    start = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", code, str(folder), str(out), scheduler or ""],
                         check=True, capture_output=True, text=True)
    import json

    inner, timings, rss = json.loads(res.stdout.strip().splitlines()[-1])
    return time.perf_counter() - start, timings, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 19043])
    parser.add_argument("--scheduler", default=None, help="also build with this Dask scheduler, e.g. local:16")
    args = parser.parse_args()
    rows = stories()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    results = {}
    for n in args.sizes:
        subset = rows[:n]
        folder = expand(ROOT / "build" / "bench" / f"reuters-{n}", subset)
        mb = sum(len(r["body"].encode("utf-8")) for r in subset) / 1e6
        seconds, timings, rss = build_once(folder, None)
        alone = spacy_alone(folder)
        results[n] = seconds
        print(f"\n{n} stories, {mb:.1f} MB: full build {seconds:.1f} s ({n / seconds:.0f} docs/s, {mb / seconds:.2f} MB/s); "
              f"spaCy en_core_web_sm alone {alone:.1f} s; ratio build/spaCy {seconds / alone:.2f} (target <= 1.0); "
              f"peak RSS {max(rss.values()):.0f} MB")
        for stage, t in timings.items():
            print(f"  {stage:<10} {t:8.2f} s  {n / max(t, 1e-9):9.0f} docs/s  {mb / max(t, 1e-9):7.2f} MB/s")
        if args.scheduler:
            dask_seconds, _, _ = build_once(folder, args.scheduler)
            print(f"  --scheduler {args.scheduler}: {dask_seconds:.1f} s; speed-up {seconds / dask_seconds:.2f}x over in-process")
    if len(results) > 1:
        small, large = min(results), max(results)
        print(f"\nscaling: {large} stories cost {results[large] / results[small]:.1f}x {small} stories "
              f"({large / small:.1f}x the documents; target <= {21 * large / 19043:.0f}x for the full set)")


if __name__ == "__main__":
    main()
