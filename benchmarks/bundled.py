"""Build time of the whole bundled corpus (corpus/sources: the seed articles and the official documents),
per stage, into a temporary folder. The test suite builds only the seed articles; this builds everything.

    python benchmarks/bundled.py [--scheduler local:N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from corpus.config import BUNDLED_SOURCES, BuildConfig
from corpus.executor import build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", default=None, help="e.g. local:2 for Dask; default in-process")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = build(BuildConfig(sources=BUNDLED_SOURCES, out=Path(out), scheduler=args.scheduler))
        wall = time.perf_counter() - start
    print(result.summary())
    print(f"bundled build: {len(result.tables['documents'])} documents in {wall:.1f} s wall")


if __name__ == "__main__":
    main()
