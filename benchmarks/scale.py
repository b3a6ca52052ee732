"""Scale: peak memory and cost growth of the streaming build, and Dask against in-process, on Reuters-21578.

    python benchmarks/scale.py memory [--copies 10] [--scheduler local:2]  # --until dedup over stories x copies
    python benchmarks/scale.py growth [--sizes 2000 20000]                 # full build: time per document
    python benchmarks/scale.py dask [--size 2000] [--scheduler local:2]    # one build in-process, then on Dask

`memory` writes every story `copies` times, each copy with a few random word edits (seeded), so dedup
meets clusters of near copies at 10x the corpus (19,043 x 10 = 190,430 documents). Each build runs in a
fresh process; its peak RSS is that process's own (for Dask: the client's, not the workers').
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _reuters import ROOT, expand, stories  # noqa: E402

BUILD = """
import json, sys, time
from pathlib import Path
from corpus.config import BuildConfig
from corpus.executor import build
start = time.perf_counter()
r = build(BuildConfig(sources=Path(sys.argv[1]), out=Path(sys.argv[2]), version="0.0.1", until=sys.argv[3],
                      scheduler=sys.argv[4] or None))
print(json.dumps([time.perf_counter() - start, r.timings, r.peak_rss_mb]))
"""


def edited_copies(folder: Path, rows: list[dict], copies: int, seed: int = 18) -> Path:
    """Each story `copies` times (`<id>-<k>.txt`); copy k > 0 has 1-3 words replaced or dropped."""
    folder.mkdir(parents=True, exist_ok=True)
    if len(list(folder.glob("*.txt"))) == len(rows) * copies:
        return folder
    rng = random.Random(seed)
    for r in rows:
        words = r["body"].split(" ")
        for k in range(copies):
            edited = list(words)
            for _ in range(rng.randint(1, 3) if k else 0):
                i = rng.randrange(len(edited))
                edited[i] = rng.choice(words) if rng.random() < 0.5 else ""
            (folder / f"{r['id']:05d}-{k:02d}.txt").write_text(" ".join(edited), encoding="utf-8")
    return folder


def _peak_mb(pid: int) -> float:
    """The process's peak resident memory so far (Linux: VmHWM), 0 where /proc is missing."""
    try:
        line = next(l for l in Path(f"/proc/{pid}/status").read_text().splitlines() if l.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return 0.0
    return int(line.split()[1]) / 1024


def build_once(folder: Path, until: str = "publish", scheduler: str | None = None,
               timeout: float | None = None) -> tuple[float, dict, dict]:
    """`corpus build` in a fresh process: (seconds, stage timings, peak RSS of that process after each pass).

    A build still running after `timeout` seconds is stopped; its peak RSS so far is reported as 'stopped'."""
    out = ROOT / "build" / "bench" / "scale-out"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", BUILD, str(folder), str(out), until, scheduler or ""],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, _peak_mb(proc.pid))
        if timeout and time.perf_counter() - start > timeout:
            proc.kill()
            proc.wait()
            shutil.rmtree(out, ignore_errors=True)
            return time.perf_counter() - start, {}, {"stopped": round(peak)}
        time.sleep(0.5)
    shutil.rmtree(out, ignore_errors=True)
    if proc.returncode:
        raise SystemExit(f"build failed with exit status {proc.returncode}")
    return tuple(json.loads(proc.stdout.read().strip().splitlines()[-1]))


def _report(label: str, seconds: float, timings: dict, rss: dict, documents: int) -> None:
    if "stopped" in rss:
        print(f"{label}: stopped after {seconds:.0f} s, unfinished; peak RSS until then {rss['stopped']} MB")
        return
    print(f"{label}: {documents} documents in {seconds:.1f} s ({documents / seconds:.0f} docs/s), "
          f"peak RSS {max(rss.values()):.0f} MB")
    print("  stages: " + ", ".join(f"{s} {t:.1f}s" for s, t in timings.items()))
    print("  peak RSS after: " + ", ".join(f"{p} {m:.0f}MB" for p, m in rss.items()))


def memory(args) -> None:
    rows = stories(args.limit)
    folder = edited_copies(ROOT / "build" / "bench" / f"reuters-x{args.copies}-{len(rows)}", rows, args.copies)
    n = len(rows) * args.copies
    seconds, timings, rss = build_once(folder, "dedup", timeout=args.timeout)
    _report(f"in-process, --until dedup, {args.copies} copies", seconds, timings, rss, n)
    if args.scheduler:
        seconds, timings, rss = build_once(folder, "dedup", args.scheduler, timeout=args.timeout)
        _report(f"--scheduler {args.scheduler}, --until dedup (client)", seconds, timings, rss, n)


def growth(args) -> None:
    rows = stories()
    per_doc = {}
    for n in args.sizes:
        folder = expand(ROOT / "build" / "bench" / f"reuters-{n}", rows[:n])
        seconds, timings, rss = build_once(folder, timeout=args.timeout)
        per_doc[n] = seconds / n
        _report(f"full build, {n} stories", seconds, timings, rss, n)
    small, large = min(per_doc), max(per_doc)
    print(f"time per document at {large} / at {small}: {per_doc[large] / per_doc[small]:.2f} (target <= 1.1)")


def dask(args) -> None:
    folder = expand(ROOT / "build" / "bench" / f"reuters-{args.size}", stories()[:args.size])
    local = build_once(folder)
    _report("in-process", *local, args.size)
    remote = build_once(folder, scheduler=args.scheduler)
    _report(f"--scheduler {args.scheduler}", *remote, args.size)
    print(f"speed-up of {args.scheduler} over in-process: {local[0] / remote[0]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("memory")
    m.add_argument("--copies", type=int, default=10)
    m.add_argument("--limit", type=int, default=None, help="stories to copy (default: all 19,043)")
    m.add_argument("--scheduler", default=None)
    m.add_argument("--timeout", type=float, default=None, help="stop a build after this many seconds")
    g = sub.add_parser("growth")
    g.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    g.add_argument("--timeout", type=float, default=None, help="stop a build after this many seconds")
    d = sub.add_parser("dask")
    d.add_argument("--size", type=int, default=2000)
    d.add_argument("--scheduler", default="local:2")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    {"memory": memory, "growth": growth, "dask": dask}[args.command](args)


if __name__ == "__main__":
    main()
