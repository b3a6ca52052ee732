"""Reading a large sources.toml stays linear: N entries, each with one unknown key (one warning each),
for N = 1,000 / 10,000 / 40,000. The time per entry must not grow with N (target: 40,000 entries take at
most 60x what 1,000 take). Before the fix, each warning re-split the whole file: 10,000 entries took
129 s; after, 5.5 s on the same (heavily shared) 2-CPU machine.

    python benchmarks/sources_toml.py
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from corpus.pipeline.ingest import read_manifest


def timed(n: int) -> float:
    folder = Path(tempfile.mkdtemp())
    try:
        entries = []
        for i in range(n):
            (folder / f"{i:06d}.txt").touch()
            entries.append(f'[[document]]\nfile = "{i:06d}.txt"\nsource = "web"\n')
        (folder / "sources.toml").write_text("\n".join(entries), encoding="utf-8")
        start = time.perf_counter()
        meta, warnings = read_manifest(folder)
        seconds = time.perf_counter() - start
        assert len(meta) == n and len(warnings) == n
        return seconds
    finally:
        shutil.rmtree(folder)


def main() -> None:
    times = {n: timed(n) for n in (1_000, 10_000, 40_000)}
    for n, seconds in times.items():
        print(f"{n:>6} entries: {seconds:6.2f} s ({seconds / n * 1e6:.0f} µs per entry)")
    print(f"40,000 / 1,000 time ratio: {times[40_000] / times[1_000]:.1f} (linear: 40)")


if __name__ == "__main__":
    main()
