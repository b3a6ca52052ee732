"""The stage graph: which stages run, in which order, over what. Where each partition runs is the
executor's choice (corpus/executor/: in-process streaming, or Dask); this module imports none.

    source files, in partitions of config.partition_size
      ├─ first_pass, per partition:   ingest → clean → block counts and dedup's features (exact key,
      │                               line hashes, MinHash signature); documents and features kept on disk
      ├─ deduplicate, once:           the blocks recurring across the build (a site's chrome), dedup
      │                               clusters from every document's features (texts read back only for
      │                               the pairs verified), and the passages distinct documents share
      │                               (reuse) (the global step)
      └─ second_pass, per partition:  recurring blocks dropped → segment → language → terms → citations
                                      → entities; every table's rows written as pieces for publish
    publish merges the pieces into the release's shards.

A partition's tables depend only on its own documents (and, for citations, on the copies of its
canonical documents), so any partitioning gives the same rows and publish the same bytes.
"""

from __future__ import annotations

import time
from collections import Counter, OrderedDict, defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..config import BuildConfig
from . import clean, dedup, ingest, layers, reuse
from .guard import Failure, failure_rows, guarded, run_layer
from .layers import tool_versions
from .workdir import finish, finished, read_recorded, read_spill, remove_pieces, spill, spill_recorded, write_pieces

# Characters of the partitions' texts the global step keeps read while it verifies candidate pairs (about 64 MB):
# a pair's two documents are often in two partitions, and copies of one story in many; past this, the partition
# read longest ago is let go, so memory does not grow with the corpus.
_TEXT_CHARS = 64_000_000

__all__ = ["tool_versions", "tables_of", "sources", "partitions", "prepare", "annotate", "first_pass", "deduplicate",
           "second_pass", "Prepared", "Verdicts", "Written"]


class Timer:
    """Seconds spent in each stage, summed over the calls (and the partitions) it timed."""

    def __init__(self):
        self.timings: dict[str, float] = defaultdict(float)

    def __call__(self, name, fn, *args):
        start = time.perf_counter()
        result = fn(*args)
        self.timings[name] += time.perf_counter() - start
        return result


def tables_of(config: BuildConfig) -> tuple[str, ...]:
    """The tables a build up to `config.until` publishes."""
    return layers.published_tables(config.until)


def sources(config: BuildConfig) -> tuple[list[str], list[str]]:
    """(every source file, warnings); a missing folder or a bad sources.toml stops the build here, before any task."""
    warnings = ingest.ingest(config.sources, config.ingest, files=[])[1]
    return ingest.list_sources(config.sources), warnings


def partitions(files: list[str], size: int) -> list[list[str]]:
    """The source files in path order, cut every `size` files."""
    return [files[i:i + size] for i in range(0, len(files), max(1, size))]


def count(stats: Counter | None, stage: str, taken: set[str] | None, documents: pd.DataFrame) -> None:
    """Add what `stage` did to `stats` (datatrove's stat_update): the documents it took (`taken`: their doc_ids;
    None: every row), how many leave it built, and why each of the others was set aside."""
    if stats is None:
        return
    took = documents["doc_id"].isin(taken) if taken is not None else pd.Series(True, index=documents.index)
    built = documents["status"] == "built"
    left = documents[took & ~built]
    why = left["reject_reason"].where(left["status"] == "rejected", left["status"]).fillna("unknown")
    stats[f"{stage}.in"] += int(took.sum())
    stats[f"{stage}.out"] += int((took & built).sum())
    for reason, n in sorted(why.value_counts().items()):
        stats[f"{stage}.dropped_{reason}"] += int(n)


def prepare(config: BuildConfig, files: list[str] | None = None, clock: Timer | None = None,
            failures: list[Failure] | None = None, stats: Counter | None = None) -> tuple[pd.DataFrame, list[str]]:
    """ingest and clean (every file, or only `files`): the documents table before dedup. A file whose reader
    raises is rejected, and a document whose cleaning raises is kept as ingested, each with a row in `failures`.
    `stats` receives each stage's counts."""
    clock = clock or Timer()
    failures = [] if failures is None else failures
    documents, warnings = clock("ingest", ingest.ingest, config.sources, config.ingest, files, failures)
    count(stats, "ingest", None, documents)
    if layers.runs("clean", config.until):
        built = set(documents.loc[documents["status"] == "built", "doc_id"])
        documents = clock("clean", _guarded_documents, "clean", clean.clean, documents, config, failures)
        count(stats, "clean", built, documents)
        # a document whose cleaning raised goes on as ingested: no line of it was removed
        documents["boilerplate_lines"] = documents["boilerplate_lines"].where(
            documents["boilerplate_lines"].notna() | (documents["status"] != "built"), 0)
    return documents, warnings


def _guarded_documents(name: str, fn, documents: pd.DataFrame, config: BuildConfig,
                       failures: list[Failure]) -> pd.DataFrame:
    """fn(documents) -> documents, guarded per document like an annotation layer."""
    unit = replace(layers.layer(name), needs=("documents",), context=(),
                   run=lambda tables, _: {"documents": fn(tables["documents"])})
    return run_layer(unit, {"documents": documents}, config, failures)["documents"]


def _features(documents: pd.DataFrame, config: BuildConfig, failures: list[Failure]) -> pd.DataFrame:
    """dedup.document_features, guarded: a document whose features raise is left out of dedup."""
    built = documents[documents["status"] == "built"]

    def attempt(part):
        return dedup.document_features(built if part is None else built[built["doc_id"].isin(part)], config.dedup)

    done = [r for _, r in guarded("dedup", lambda: sorted(built["doc_id"]), attempt, failures)]
    if len(done) == 1:
        return done[0]
    return pd.concat(done, ignore_index=True).sort_values("doc_id", ignore_index=True)


def annotate(documents: pd.DataFrame, duplicates: pd.DataFrame | None, copies: pd.DataFrame | None,
             config: BuildConfig, clock: Timer | None = None,
             failures: list[Failure] | None = None) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The second-pass layers (layers.annotation_layers: segment, language, terms, citations, entities)
    over the built documents of `documents`, each guarded per document (guard.py); what raised is
    appended to `failures`.

    `copies` holds the duplicate copies whose notes may give URLs to their canonical documents here.
    Returns (documents with their language set, {table: rows}).
    """
    clock = clock or Timer()
    failures = [] if failures is None else failures
    tables = {"documents": documents, "copies": copies, "duplicates": duplicates}
    for unit in layers.annotation_layers(config.until):
        tables.update(clock(unit.name, run_layer, unit, tables, config, failures))
    documents = tables.pop("documents")
    return documents, {t: rows for t, rows in tables.items() if t not in ("copies", "duplicates")}


def _prepared_path(work: Path, index: int) -> Path:
    return Path(work) / "prepared" / f"part-{index:05d}.parquet"


def _features_path(work: Path, index: int) -> Path:
    return Path(work) / "features" / f"part-{index:05d}.parquet"


@dataclass
class Prepared:
    """What a first pass returns to the executor: small (no texts)."""
    index: int
    doc_ids: list[str]  # the partition's built documents, in doc_id order
    features: str | None  # SHA-256 of their dedup.document_features, written beside the spill, when dedup runs
    blocks: Counter  # in how many of its built documents each block occurs (clean.block_frequency)
    timings: dict[str, float]
    failures: list[Failure] = field(default_factory=list)  # what raised in clean or signing, per document
    stats: Counter = field(default_factory=Counter)  # documents in, out and set aside per stage (`count`)

    def save(self, marker: Path) -> None:
        record = {"index": self.index, "doc_ids": self.doc_ids, "features": self.features,
                  "blocks": sorted(self.blocks.items()), "timings": self.timings,
                  "failures": [asdict(f) for f in self.failures], "stats": sorted(self.stats.items())}
        finish(marker, record)

    @classmethod
    def load(cls, marker: Path) -> Prepared | None:
        if (done := finished(marker)) is None:
            return None
        record = done[0]
        return cls(record["index"], record["doc_ids"], record["features"],
                   Counter(dict(map(tuple, record["blocks"]))), record["timings"],
                   [Failure(**f) for f in record["failures"]], Counter(dict(map(tuple, record["stats"]))))


def _marker(work: Path, step: str) -> Path:
    """A finished task's completion marker, beside its pieces: what it returned, as data (datatrove's
    skip-completed; workdir.finish)."""
    return Path(work) / "done" / f"{step}.json"


def first_pass(index: int, files: list[str], config: BuildConfig, work: Path) -> Prepared:
    """ingest, clean and sign one partition; its documents wait on disk for the second pass. A partition
    finished by an earlier run of the build (its marker) is not run again."""
    marker = _marker(work, f"first-{index:05d}")
    if (done := Prepared.load(marker)) is not None:
        return done
    timer, failures, stats = Timer(), [], Counter()
    documents, _ = prepare(config, files, timer, failures, stats)
    ids, features = list(documents.loc[documents["status"] == "built", "doc_id"].sort_values()), None
    if layers.runs("dedup", config.until):
        signed = timer("dedup", _features, documents, config, failures)
        ids, features = list(signed["doc_id"]), spill_recorded(_features_path(work, index), signed)
    blocks = timer("clean", clean.block_frequency, documents) if layers.runs("clean", config.until) else Counter()
    spill(_prepared_path(work, index), documents)
    with_source = dict(zip(documents["doc_id"], documents["source_file"]))
    failures = [replace(f, source_file=with_source.get(f.doc_id)) for f in failures]
    prepared = Prepared(index, ids, features, blocks, dict(timer.timings), failures, stats)
    prepared.save(marker)
    return prepared


@dataclass
class Verdicts:
    """What dedup decided, for one partition: small."""
    changed: dict[str, tuple] = field(default_factory=dict)  # doc_id -> (status, duplicate_of)
    duplicates: pd.DataFrame | None = None  # the rows of clusters whose canonical copy is in the partition
    copies: dict[int, list[str]] = field(default_factory=dict)  # partition -> copies of those clusters kept there
    recurring: dict = field(default_factory=dict)  # blocks recurring across the build (clean.recurring_blocks)
    failures: list[Failure] = field(default_factory=list)  # the partition's first-pass failures, written with its rows
    stats: Counter = field(default_factory=Counter)  # dedup's counts for the partition's documents


def _save_verdicts(marker: Path, verdicts: list[Verdicts], pieces: dict[str, str]) -> None:
    """Every partition's verdicts and the global step's pieces; the recurring blocks, the same in all, once."""
    record = {"pieces": pieces, "recurring": sorted(verdicts[0].recurring.items()) if verdicts else [],
              "partitions": [{"changed": v.changed, "copies": sorted(v.copies.items()),
                              "failures": [asdict(f) for f in v.failures], "stats": sorted(v.stats.items())}
                             for v in verdicts]}
    finish(marker, record, frames={f"duplicates{i}": v.duplicates for i, v in enumerate(verdicts)
                                   if v.duplicates is not None})


def _load_verdicts(marker: Path) -> tuple[list[Verdicts], dict[str, str]] | None:
    if (done := finished(marker)) is None:
        return None
    record, _, frames = done
    recurring = dict(map(tuple, record["recurring"]))
    return [Verdicts({d: tuple(v) for d, v in p["changed"].items()}, frames.get(f"duplicates{i}"),
                     {there: copies for there, copies in p["copies"]}, recurring, [Failure(**f) for f in p["failures"]],
                     Counter(dict(map(tuple, p["stats"]))))
            for i, p in enumerate(record["partitions"])], record["pieces"]


@dataclass
class Written:
    """What a second pass returns: small."""
    timings: dict[str, float]
    failures: list[Failure]  # every failure of the partition, first pass included
    stats: Counter = field(default_factory=Counter)  # dedup's counts, then each layer's documents and rows
    pieces: dict[str, str] = field(default_factory=dict)  # the pieces it wrote, with their SHA-256


def deduplicate(prepared: list[Prepared], config: BuildConfig, work: Path, buckets: int,
                clock: Timer | None = None) -> tuple[list[Verdicts], dict[str, str]]:
    """The global step: cluster copies among every partition's built documents; the duplicates and reuse
    tables are written as pieces here, and each partition gets its verdicts. Returns (verdicts, the pieces
    written with their SHA-256). `clock` times reuse."""
    marker = _marker(work, "dedup")
    if (done := _load_verdicts(marker)) is not None:
        return done
    recurring = clean.recurring_blocks(sum((p.blocks for p in prepared), Counter()))
    verdicts = [Verdicts(recurring=recurring, failures=list(p.failures)) for p in prepared]
    if not layers.runs("dedup", config.until):
        return verdicts, {}
    home = {doc_id: p.index for p in prepared for doc_id in p.doc_ids}
    if not home:
        return verdicts, {}
    remove_pieces(work, "global")
    # what dedup needs of every built document, without its text; the texts of the candidate pairs it verifies,
    # and the titles of the duplicates, read from the partitions' spills
    with_features = [p for p in prepared if p.doc_ids]
    features = pd.concat([read_recorded(_features_path(work, p.index), p.features) for p in with_features],
                         ignore_index=True)
    where = np.concatenate([np.full(len(p.doc_ids), p.index) for p in with_features])
    order = np.argsort(features["doc_id"].to_numpy(dtype=object), kind="stable")
    features, where = features.iloc[order].reset_index(drop=True), where[order]
    doc_ids = features["doc_id"].tolist()
    texts = _Texts(work, where, doc_ids)
    scratch = Path(work) / "dedup"
    scratch.mkdir(exist_ok=True)
    found = dedup.clusters(features, texts, config.dedup, scratch)
    duplicates = dedup.duplicate_rows(found, doc_ids, texts.titles)
    del features, texts
    moved = duplicates[duplicates["relation"] != "canonical"]
    reused = (clock or Timer())("reuse", _reuse, prepared, work, set(moved["doc_id"]), recurring, config)
    pieces = write_pieces(work, "global", {"duplicates": duplicates, "reuse": reused}, buckets)
    for doc_id, of in zip(moved["doc_id"], moved["canonical_doc_id"]):
        verdicts[home[doc_id]].changed[doc_id] = ("duplicate", of)
    relation = dict(zip(moved["doc_id"], moved["relation"]))
    for doc_id in doc_ids:
        stats = verdicts[home[doc_id]].stats
        stats["dedup.in"] += 1
        if doc_id in relation:
            stats[f"dedup.dropped_{relation[doc_id]}_copy"] += 1
        else:
            stats["dedup.out"] += 1
    canonical_home = duplicates["canonical_doc_id"].map(home)
    for index, rows in duplicates.groupby(canonical_home, sort=True):
        verdicts[index].duplicates = rows.reset_index(drop=True)
    for copy, there, index in zip(duplicates["doc_id"], duplicates["doc_id"].map(home), canonical_home):
        if there != index:
            verdicts[index].copies.setdefault(there, []).append(copy)
    _save_verdicts(marker, verdicts, pieces)
    return verdicts, pieces


class _Texts:
    """The texts of the built documents `doc_ids` (in order; `where`: each one's partition), read from the
    partitions' spills when dedup asks for one; the partitions read most recently are kept, up to _TEXT_CHARS."""

    def __init__(self, work: Path, where: np.ndarray, doc_ids: list[str]):
        self.work, self.where, self.doc_ids = work, where, doc_ids
        self.read: OrderedDict[int, dict[str, str]] = OrderedDict()
        self.chars: dict[int, int] = {}

    def __call__(self, row: int) -> str:
        index = int(self.where[row])
        texts = self.read.pop(index, None)
        if texts is None:
            spilled = pq.read_table(_prepared_path(self.work, index), columns=["doc_id", "text", "status"])
            built = pc.equal(spilled.column("status"), "built")
            texts = dict(zip(spilled.column("doc_id").filter(built).to_pylist(),
                             spilled.column("text").filter(built).to_pylist()))
            self.chars[index] = sum(map(len, texts.values()))
            while self.read and sum(self.chars[i] for i in self.read) + self.chars[index] > _TEXT_CHARS:
                del self.chars[self.read.popitem(last=False)[0]]
        self.read[index] = texts
        return texts[self.doc_ids[row]]

    def titles(self, rows: list[int]) -> dict[int, str | None]:
        """The titles of the documents at `rows`, one read of each partition holding some."""
        out = {}
        for index in sorted({int(self.where[r]) for r in rows}):
            wanted = [r for r in rows if self.where[r] == index]
            spilled = read_spill(_prepared_path(self.work, index), [self.doc_ids[r] for r in wanted],
                                 ["doc_id", "title"])
            title = dict(zip(spilled["doc_id"], spilled["title"]))
            out.update({r: title[self.doc_ids[r]] for r in wanted})
        return out


def _reuse(prepared: list[Prepared], work: Path, duplicates: set[str], recurring: dict,
           config: BuildConfig) -> pd.DataFrame:
    """The reuse table among the distinct built documents (read back from every partition: not `duplicates`),
    on the texts the second pass publishes (their recurring blocks dropped as it drops them): pairs cross
    partitions, so it is part of the global step."""
    distinct = pd.concat([read_spill(_prepared_path(work, p.index), [d for d in p.doc_ids if d not in duplicates])
                          for p in prepared if p.doc_ids], ignore_index=True)
    if layers.runs("clean", config.until):
        kept = np.array([clean.keeps_text(t, recurring) for t in distinct["text"]], dtype=bool)
        distinct = pd.concat([distinct[kept], clean.drop_recurring(distinct[~kept], recurring)])
    return reuse.reuse(distinct, config.reuse)


def second_pass(index: int, verdicts: Verdicts, config: BuildConfig, work: Path, buckets: int) -> Written:
    """Apply dedup's verdicts to one partition, annotate it and write every table's rows as pieces
    (the failures table's too); returns the stage timings and the failures."""
    label, marker = f"p{index:05d}", _marker(work, f"second-{index:05d}")
    if (done := finished(marker)) is not None:
        return Written(done[0]["timings"], [Failure(**f) for f in done[0]["failures"]],
                       Counter(dict(map(tuple, done[0]["stats"]))), done[0]["pieces"])
    remove_pieces(work, label)
    timer, failures = Timer(), list(verdicts.failures)
    documents = read_spill(_prepared_path(work, index))
    if verdicts.changed:
        changed = documents["doc_id"].map(verdicts.changed)
        hit = changed.notna()
        documents.loc[hit, "status"] = [v[0] for v in changed[hit]]
        documents.loc[hit, "duplicate_of"] = [v[1] for v in changed[hit]]
    if layers.runs("clean", config.until):
        failed = {f.doc_id for f in failures if f.layer == "clean"}  # one failures row per document and layer
        later: list[Failure] = []
        documents = timer("clean", _guarded_documents, "clean",
                          lambda d: clean.drop_recurring(d, verdicts.recurring), documents, config, later)
        failures += [f for f in later if f.doc_id not in failed]
    tables = {}
    if layers.runs("segment", config.until):
        copies = [read_spill(_prepared_path(work, i), ids) for i, ids in sorted(verdicts.copies.items())]
        copies = [c.assign(status="duplicate") for c in copies]
        documents, tables = annotate(documents, verdicts.duplicates, pd.concat(copies, ignore_index=True)
                                     if copies else None, config, timer, failures)
    with_source = dict(zip(documents["doc_id"], documents["source_file"]))
    failures = [replace(f, source_file=with_source.get(f.doc_id)) for f in failures]
    pieces = timer("publish", write_pieces, work, label,
                   {"documents": documents, **tables, layers.FAILURES: failure_rows(failures)}, buckets)
    stats = verdicts.stats + _layer_counts(documents, tables, failures, config)
    written = Written(dict(timer.timings), failures, stats, pieces)
    finish(marker, {"timings": written.timings, "failures": [asdict(f) for f in written.failures],
                    "stats": sorted(stats.items()), "pieces": pieces})
    return written


def _layer_counts(documents: pd.DataFrame, tables: dict, failures: list[Failure], config: BuildConfig) -> Counter:
    """Per annotation layer: the built documents it took, those it failed on, and the rows of each table it made."""
    stats, built = Counter(), int((documents["status"] == "built").sum())
    failed = Counter(f.layer for f in {(f.doc_id, f.layer): f for f in failures}.values())
    for unit in layers.annotation_layers(config.until):
        stats[f"{unit.name}.in"] += built
        stats[f"{unit.name}.out"] += built - failed[unit.name]
        if failed[unit.name]:
            stats[f"{unit.name}.dropped_failed"] += failed[unit.name]
        for table in unit.produces:
            if table in tables:
                stats[f"{unit.name}.rows_{table}"] += len(tables[table])
    return stats
