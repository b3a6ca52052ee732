"""Where the stage graph (corpus/pipeline/run.py) runs: `build` walks it with an executor, the streaming
in-process one (local.py) or Dask (dask.py, when `config.scheduler` is set). Both call the same
per-partition functions and publish the same bytes.
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..config import BuildConfig
from ..corpus_toml import resolve
from ..errors import FailuresError, SourcesError
from ..load import read_table, table_paths
from ..pipeline import layers, publish, run, workdir
from .dask import DaskExecutor
from .local import LocalExecutor

__all__ = ["build", "BuildResult", "peak_rss_mb", "failure_line", "stage_stats", "stage_line"]


class _ReleaseTables(Mapping):
    """The tables of a published release, each read when first asked for."""

    def __init__(self, release: Path):
        self.release, self._read = release, {}

    def __getitem__(self, table: str) -> pd.DataFrame:
        if table not in self._read:
            paths = table_paths(self.release, table)
            if not paths:
                raise KeyError(table)
            self._read[table] = read_table(paths, table)
        return self._read[table]

    def __iter__(self):
        return (t for t in layers.published_tables() if table_paths(self.release, t))

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass
class BuildResult:
    release: Path | None
    written: bool
    tables: Mapping
    warnings: list[str]
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, summed over partitions
    peak_rss_mb: dict[str, float] = field(default_factory=dict)  # this process's peak after each pass
    failures: list = field(default_factory=list)  # guard.Failure of each document and layer that raised
    stats: dict[str, dict] = field(default_factory=dict)  # per stage: documents in, out, set aside by reason, rows

    def summary(self) -> str:
        docs = read_table(table_paths(self.release, "documents"), "documents", columns=["status", "reject_reason"])
        status = docs["status"].value_counts()
        rejected = docs.loc[docs["status"] == "rejected", "reject_reason"].value_counts()
        parts = [f"{status.get('built', 0)} built", f"{status.get('duplicate', 0)} duplicate",
                 f"{status.get('rejected', 0)} rejected" + (
                     " (" + ", ".join(f"{r}: {n}" for r, n in sorted(rejected.items())) + ")" if len(rejected) else "")]
        line = "documents: " + ", ".join(parts)
        if "duplicates" in self.tables and len(self.tables["duplicates"]):
            dup = self.tables["duplicates"]
            rel = dup[dup["relation"] != "canonical"]["relation"].value_counts()
            line += f"; {dup['cluster_id'].nunique()} duplicate cluster(s) (" + ", ".join(
                f"{r}: {n}" for r, n in sorted(rel.items())) + ")"
        stages = ", ".join(f"{s} {t:.1f}s" for s, t in self.timings.items())
        passes = ", ".join(f"{p} {m:.0f}MB" for p, m in self.peak_rss_mb.items())
        counts = "".join(f"\n  {stage_line(stage, counts)}" for stage, counts in self.stats.items())
        return (line + f"\n{failure_line(self.failures)}\nstages (documents in -> out):{counts}"
                f"\nstages (time): {stages}\npeak RSS of this process after: {passes}")


def stage_stats(counters) -> dict[str, dict]:
    """The summed per-partition counters (`run.count`: `stage.in`, `stage.out`, `stage.dropped_REASON`,
    `stage.rows_TABLE`) as {stage: {"in", "out", "dropped": {reason: n}, "rows": {table: n}}}, stages in build order."""
    total = sum(counters, Counter())
    out: dict[str, dict] = {}
    for stage in layers.stage_names():
        keys = {k.split(".", 1)[1]: v for k, v in total.items() if k.split(".", 1)[0] == stage}
        if keys:
            out[stage] = {"in": keys.get("in", 0), "out": keys.get("out", 0),
                          "dropped": {k[8:]: v for k, v in sorted(keys.items()) if k.startswith("dropped_")},
                          "rows": {k[5:]: v for k, v in sorted(keys.items()) if k.startswith("rows_")}}
    return out


def stage_line(stage: str, counts: dict) -> str:
    """`dedup: 120 -> 117 (near_copy 2, exact_copy 1)`, then the rows it wrote."""
    dropped = ", ".join(f"{reason} {n}" for reason, n in counts["dropped"].items())
    rows = ", ".join(f"{n} {table} rows" for table, n in counts["rows"].items())
    return (f"{stage}: {counts['in']} -> {counts['out']}" + (f" ({dropped})" if dropped else "")
            + (f"; {rows}" if rows else ""))


def failure_line(failures: list) -> str:
    """How many documents failed in which layer (the failures table has each one)."""
    if not failures:
        return "failures: none"
    per_layer = Counter(f.layer for f in failures)
    documents = len({f.doc_id for f in failures})
    counts = ", ".join(f"{name}: {per_layer[name]}" for name in layers.stage_names() if name in per_layer)
    return (f"failures: {documents} document(s) ({counts}"
            + "); their rows of those layers are left out, see the failures table")


def _check_failures(failures: list, config: BuildConfig, sources: int) -> None:
    allowed = config.failures_allowed(sources)
    if len({f.doc_id for f in failures}) > allowed:
        raise FailuresError(failures, allowed)


def peak_rss_mb() -> float:
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB on Linux
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20, 1)


def _executor(config: BuildConfig, progress: bool):
    if config.scheduler:
        return DaskExecutor(config.scheduler, progress)
    return LocalExecutor(progress)


def build(config: BuildConfig, progress: bool = False, resume: bool = False) -> BuildResult:
    """Run the stages up to `config.until` and publish; returns the release folder and its tables.

    `progress` shows a bar per pass on a terminal. The partitions finished by a failed or killed build of
    the same version under the same `--out` stay in its work folder; `resume` skips them (ResumeError when
    there is none, or it was started from other sources or settings) and publishes the same bytes.
    """
    layers.check_until(config.until)
    config = resolve(config, os.environ)
    publish.check_target(config.target.parent, config.target.name, replace=config.partial)  # before any work
    files, warnings = run.sources(config)
    buckets = workdir.buckets_for(len(files), config.bucket_documents)
    timings: dict[str, float] = {}
    rss: dict[str, float] = {}

    def add(stage_timings: list[dict]) -> None:
        for t in stage_timings:
            for stage, seconds in t.items():
                timings[stage] = round(timings.get(stage, 0.0) + seconds, 3)

    executor = _executor(config, progress)
    size = config.partition_size
    if executor.workers > 1:  # several tasks per worker, so none waits on the last; the bytes are the same
        size = min(size, max(1, -(-len(files) // (4 * executor.workers))))
    try:
        work = workdir.work_folder(config.target.parent, config.target.name,
                                   workdir.fingerprint(config, files, size, layers.stage_names()), resume)
    except BaseException:
        executor.close()
        raise
    try:
        try:
            parts = run.partitions(files, size)
            sizes = [len(p) for p in parts]
            prepared = executor.map(run.first_pass, [(i, p, config, work) for i, p in enumerate(parts)],
                                    "ingest, clean, sign", sizes)
            add([p.timings for p in prepared])
            _check_failures([f for p in prepared for f in p.failures], config, len(files))  # before more work
            rss["first pass"] = peak_rss_mb()
            start = time.perf_counter()
            clock = run.Timer()
            verdicts, pieces = run.deduplicate(prepared, config, work, buckets, clock)
            if layers.runs("dedup", config.until):  # signing was timed in the first pass, clustering here; reuse apart
                add([{"dedup": time.perf_counter() - start - clock.timings.get("reuse", 0.0), **clock.timings}])
            rss["dedup"] = peak_rss_mb()
            first = [p.stats for p in prepared]
            del prepared
            passes = executor.map(run.second_pass, [(i, v, config, work, buckets) for i, v in enumerate(verdicts)],
                                   "annotate" if layers.runs("segment", config.until) else "write", sizes)
            add([w.timings for w in passes])
            stats = stage_stats(first + [w.stats for w in passes])
            failures = [f for w in passes for f in w.failures]
            _check_failures(failures, config, len(files))
            rss["second pass"] = peak_rss_mb()
        finally:
            executor.close()
        stages = [s for s in layers.stage_names() if layers.runs(s, config.until) and s != "publish"]
        manifest = {"config": config.recorded(), "tools": run.tool_versions(stages), "stats": stats}
        start = time.perf_counter()
        staged = workdir.Staged(work, run.tables_of(config), buckets,
                                {**pieces, **{p: digest for w in passes for p, digest in w.pieces.items()}},
                                config.shard_bytes)
        release, written = publish.publish(staged, config.target.parent, config.version, manifest, layers.LAYERS,
                                            config.target.name)
        add([{"publish": time.perf_counter() - start}])  # after the pieces written in the second pass
        rss["publish"] = peak_rss_mb()
    except SourcesError:  # nothing could be built: nothing to resume either
        shutil.rmtree(work, ignore_errors=True)
        raise
    except BaseException as e:
        # the finished partitions stay in the work folder, each with its completion marker
        workdir.release_work_folder(work)
        e.resume_hint = f"the finished partitions are kept in {work}; rerun the same command with --resume to go on"
        raise
    shutil.rmtree(work, ignore_errors=True)  # only once the release is published
    return BuildResult(release, written, _ReleaseTables(release), warnings, timings, rss, failures, stats)
