"""Build time and size of the whole bundled corpus (corpus/sources: the official documents, the CRS report
and the Government Work Reports), per stage, into a temporary folder. The test suite builds only its four seed texts (tests/data/seed); this builds everything.

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
        size = sum(f.stat().st_size for f in Path(result.release).rglob("*") if f.is_file())
        docs, summary = result.tables["documents"], result.summary()  # read before the folder goes
    print(summary)
    print(f"bundled build: {len(docs)} documents ({int((docs['status'] == 'built').sum())} built) in {wall:.1f} s wall; "
          f"release {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
