"""What fault isolation and resumable builds cost, on Reuters-21578 stories (full builds, fresh processes):

- the guard: the same build with the per-document guard and with it bypassed (each layer called once
  per partition, as before 0.3.0), alternated in one run; target: at most 2% slower;
- resume: a build SIGKILLed at ~60% of the full build's time, then `--resume`: identical tables, and the
  resumed run at most 0.6x the full build.

    python benchmarks/isolation.py [--stories 2000] [--resume-stories 3000] [--repeats 2] [--partition-size 100]
    python benchmarks/isolation.py --in-process 200 [--repeats 3]

`--in-process N`: only the guard, in this process: the second-pass layers over N stories, alternately with
and without the guard (models loaded once, so the ratio is the layers' time alone; less noisy on a busy machine).
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _reuters import ROOT, expand, stories  # noqa: E402

# A build in a fresh process; argv: sources, out, partition size, guard (on/off), resume (yes/no).
_BUILD = """
import json, sys, time
from pathlib import Path
from corpus.config import BuildConfig
from corpus.executor import build
if sys.argv[4] == "off":  # every layer once per partition, no try: the build before the guard
    from corpus.pipeline import guard, run
    unguarded = lambda layer, doc_ids, attempt, failures: [(None, attempt(None))]
    guard.guarded = run.guarded = unguarded
start = time.perf_counter()
build(BuildConfig(sources=Path(sys.argv[1]), out=Path(sys.argv[2]), version="0.0.1",
                  partition_size=int(sys.argv[3]), max_failures=0), resume=sys.argv[5] == "yes")
print(json.dumps(time.perf_counter() - start))
"""


def _command(sources: Path, out: Path, size: int, guard: str = "on", resume: bool = False) -> list[str]:
    return [sys.executable, "-c", _BUILD, str(sources), str(out), str(size), guard, "yes" if resume else "no"]


def timed_build(sources: Path, out: Path, size: int, guard: str = "on", resume: bool = False) -> float:
    if not resume:
        shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(_command(sources, out, size, guard, resume), check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def tables(release: Path) -> dict[str, bytes]:
    return {p.relative_to(release).as_posix(): p.read_bytes() for p in sorted(release.rglob("*.parquet"))}


def in_process(count: int, repeats: int) -> None:
    from corpus.config import BuildConfig
    from corpus.pipeline import guard, run

    sources = expand(ROOT / "build" / "bench" / f"isolation-{count}", stories(count))
    config = BuildConfig(sources=sources, version="0.0.1", max_failures=0)
    documents, _ = run.prepare(config)
    run.annotate(documents, None, None, config)  # load every model before timing
    guarded = guard.guarded
    times = {"on": [], "off": []}
    for _ in range(repeats):
        for mode in ("off", "on"):
            guard.guarded = guarded if mode == "on" else (lambda layer, doc_ids, attempt, failures: [(None, attempt(None))])
            start = time.perf_counter()
            run.annotate(documents, None, None, config)
            times[mode].append(time.perf_counter() - start)
    guard.guarded = guarded
    on, off = min(times["on"]), min(times["off"])
    print(f"guard in process, {count} stories, second-pass layers: without {off:.2f}s, with {on:.2f}s "
          f"(best of {repeats}; all: {times}): ratio {on / off:.3f} (target <= 1.02)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--resume-stories", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--partition-size", type=int, default=100)
    parser.add_argument("--in-process", type=int, default=0, metavar="N")
    args = parser.parse_args()
    if args.in_process:
        in_process(args.in_process, args.repeats)
        return
    bench = ROOT / "build" / "bench"

    sources = expand(bench / f"isolation-{args.stories}", stories(args.stories))
    times = {"on": [], "off": []}
    for _ in range(args.repeats):
        for guard in ("off", "on"):
            times[guard].append(timed_build(sources, bench / "isolation-out", args.partition_size, guard))
    on, off = min(times["on"]), min(times["off"])
    print(f"guard, {args.stories} stories: without {off:.1f}s, with {on:.1f}s (best of {args.repeats}): "
          f"ratio {on / off:.3f} (target <= 1.02)")

    sources = expand(bench / f"isolation-{args.resume_stories}", stories(args.resume_stories))
    full_out, killed_out = bench / "isolation-full", bench / "isolation-killed"
    full = timed_build(sources, full_out, args.partition_size)
    shutil.rmtree(killed_out, ignore_errors=True)
    process = subprocess.Popen(_command(sources, killed_out, args.partition_size), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=0.6 * full)
        print("the build finished before it could be killed; use more stories")
        return
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
    finished = len(list((killed_out / ".work-0.0.1" / "done").glob("*.json")))
    resumed = timed_build(sources, killed_out, args.partition_size, resume=True)
    same = tables(full_out / "0.0.1") == tables(killed_out / "0.0.1")
    print(f"resume, {args.resume_stories} stories: full {full:.1f}s; killed at {0.6 * full:.1f}s with {finished} "
          f"finished task(s); resumed {resumed:.1f}s: ratio {resumed / full:.2f} (target <= 0.6); "
          f"tables identical: {same}")
    print(json.dumps({"guard_ratio": on / off, "resume_ratio": resumed / full, "identical": same}))


if __name__ == "__main__":
    main()
