"""Cost of `corpus site` against the build's own time, and its growth with the corpus.

Builds the bundled corpus into a temporary folder (timed), writes its site (timed), then writes the site
of that release copied 2 and 4 times over (every ID prefixed per copy) to show the time grows linearly.
Times are wall-clock and CPU seconds of this process (the in-process build runs here too), so the ratio
holds on a shared machine.

    python benchmarks/site.py [--release DIR]   # --release: skip the build, time only the site
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from corpus.config import BUNDLED_SOURCES, BuildConfig
from corpus.load import table_paths
from corpus.site import write_site
from corpus.tables import TABLES

# Columns holding IDs (each begins with, or is, a doc_id): prefixed per copy so the copies stay distinct.
ID_COLUMNS = {"doc_id", "duplicate_of", "canonical_doc_id", "cluster_id", "section_id", "paragraph_id",
              "sentence_id", "span_id", "entity_id", "citation_id", "reference_id", "refers_to", "url_from",
              "term_id"}


def timed(fn, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def replicate(release: Path, copies: int, out: Path) -> Path:
    """`release` with every table repeated `copies` times, IDs prefixed 'k<n>-'."""
    folder = out / release.name
    folder.mkdir(parents=True)
    for table in TABLES:
        paths = table_paths(release, table)
        if not paths:
            continue
        original = pa.concat_tables(pq.read_table(p) for p in paths)
        parts = []
        for k in range(copies):
            columns = {}
            for name in original.column_names:
                column = original[name].to_pylist()
                if name in ID_COLUMNS:
                    column = [None if v is None else f"k{k}-{v}" for v in column]
                columns[name] = pa.array(column, type=original.schema.field(name).type)
            parts.append(pa.table(columns))
        pq.write_table(pa.concat_tables(parts), folder / f"{table}.parquet")
    shutil.copy(release / "README.md", folder / "README.md")
    if (release / "figures").is_dir():
        shutil.copytree(release / "figures", folder / "figures")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, default=None, help="an existing release folder (skips the build)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.release:
            release, build_wall, build_cpu = args.release, None, None
        else:
            from corpus.executor import build

            result, build_wall, build_cpu = timed(build, BuildConfig(sources=BUNDLED_SOURCES, out=tmp / "releases"))
            release = result.release
            print(f"build: {build_wall:.1f} s wall, {build_cpu:.1f} s CPU")
        chars = sum(len(t or "") for t in pq.read_table(release / "documents.parquet", columns=["text"])["text"].to_pylist())
        for copies in (1, 2, 4):
            source = release if copies == 1 else replicate(release, copies, tmp / f"x{copies}")
            site, wall, cpu = timed(write_site, source, tmp / f"site{copies}")
            line = (f"site x{copies}: {site.documents} documents, {copies * chars / 1e6:.2f} M characters: {wall:.2f} s wall, "
                    f"{cpu:.2f} s CPU ({cpu / copies:.2f} s CPU per copy)")
            if copies == 1 and build_cpu:
                line += f"; {wall / build_wall:.3f}x the build's wall time, {cpu / build_cpu:.3f}x its CPU time"
            print(line)


if __name__ == "__main__":
    main()
