"""The stage graph: which stages run, in which order, over what. Where each partition runs is the
executor's choice (corpus/executor/: in-process streaming, or Dask); this module imports none.

    source files, in partitions of config.partition_size
      ├─ first_pass, per partition:   ingest → clean → block counts and MinHash signatures; the
      │                               documents kept on disk
      ├─ deduplicate, once:           the blocks recurring across the build (a site's chrome), dedup
      │                               clusters from every signature, and the passages distinct documents
      │                               share (reuse) (the global step)
      └─ second_pass, per partition:  recurring blocks dropped → segment → language → terms → citations
                                      → entities; every table's rows written as pieces for publish
    publish merges the pieces into the release's shards.

A partition's tables depend only on its own documents (and, for citations, on the copies of its
canonical documents), so any partitioning gives the same rows and publish the same bytes.
"""

from __future__ import annotations

import platform
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import BuildConfig

__all__ = ["tool_versions", "tables_of", "sources", "partitions", "prepare", "annotate", "first_pass", "deduplicate",
           "second_pass", "Prepared", "Verdicts"]

_TABLES_OF = {"ingest": ("documents",), "dedup": ("duplicates", "reuse"), "segment": ("sections", "paragraphs", "sentences"),
              "language": ("spans",), "terms": ("terms",), "citations": ("citations", "references"),
              "entities": ("entities",)}


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def tool_versions(stages_run: list[str]) -> dict:
    tools = {"python": platform.python_version(), "corpus": _version("china-digital-governance-corpus"),
             "pandas": _version("pandas"), "pyarrow": _version("pyarrow")}
    if "ingest" in stages_run:
        tools["charset-normalizer"] = _version("charset-normalizer")
        tools.update({name: _version(name) for name in ("trafilatura", "markdown-it-py", "pypdf")})
    if "dedup" in stages_run:
        tools["rensa"] = _version("rensa")
    if "language" in stages_run:
        tools.update(langdetect=_version("langdetect"), hanzidentifier=_version("hanzidentifier"),
                     **{"lingua-language-detector": _version("lingua-language-detector"), "regex": _version("regex")})
    if "terms" in stages_run:
        tools.update(pypinyin=_version("pypinyin"), jieba=_version("jieba"))
    if "segment" in stages_run or "entities" in stages_run:
        from ..nlp import model_info

        tools.update(model_info())
    if "entities" in stages_run:
        from ..nlp import zh_model_info

        tools.update({"jieba": _version("jieba"), "python-crfsuite": _version("python-crfsuite"), **zh_model_info()})
    if "citations" in stages_run:
        from .refparse import model_info as refparse_model

        tools.update({"python-crfsuite": _version("python-crfsuite"), "dateparser": _version("dateparser"),
                      **refparse_model()})
    return tools


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
    return tuple(t for stage, tables in _TABLES_OF.items() if config.stage_enabled(stage) for t in tables)


def sources(config: BuildConfig) -> tuple[list[str], list[str]]:
    """(every source file, warnings); a missing folder or a bad sources.toml stops the build here, before any task."""
    from . import ingest

    warnings = ingest.ingest(config.sources, config.ingest, files=[])[1]
    return ingest.list_sources(config.sources), warnings


def partitions(files: list[str], size: int) -> list[list[str]]:
    """The source files in path order, cut every `size` files."""
    return [files[i:i + size] for i in range(0, len(files), max(1, size))]


def prepare(config: BuildConfig, files: list[str] | None = None,
            clock: Timer | None = None) -> tuple[pd.DataFrame, list[str]]:
    """ingest and clean (every file, or only `files`): the documents table before dedup."""
    from . import clean, ingest

    clock = clock or Timer()
    documents, warnings = clock("ingest", ingest.ingest, config.sources, config.ingest, files)
    if config.stage_enabled("clean"):
        documents = clock("clean", clean.clean, documents)
    return documents, warnings


def annotate(documents: pd.DataFrame, duplicates: pd.DataFrame | None, copies: pd.DataFrame | None,
             config: BuildConfig, clock: Timer | None = None) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """segment, language, terms, citations and entities over the built documents of `documents`.

    `copies` holds the duplicate copies whose notes may give URLs to their canonical documents here.
    Returns (documents with their language set, {table: rows}).
    """
    from . import citations, entities, language, segment, terms

    clock, tables = clock or Timer(), {}
    if config.stage_enabled("segment"):
        tables["sections"], tables["paragraphs"], tables["sentences"] = clock("segment", segment.segment, documents)
    if config.stage_enabled("language"):
        documents, tables["paragraphs"], tables["sentences"], tables["spans"] = clock(
            "language", language.language, documents, tables["paragraphs"], tables["sentences"], config.language)
    if config.stage_enabled("terms"):
        tables["terms"] = clock("terms", terms.terms, tables["paragraphs"])
    if config.stage_enabled("citations"):
        with_copies = documents if copies is None else pd.concat([documents, copies], ignore_index=True)
        tables["citations"], tables["references"] = clock(
            "citations", citations.citations, with_copies, tables["paragraphs"], duplicates)
    if config.stage_enabled("entities"):
        tables["entities"] = clock("entities", entities.entities, tables["paragraphs"], tables["sentences"],
                                   tables["terms"])
    return documents, tables


def _prepared_path(work: Path, index: int) -> Path:
    return Path(work) / "prepared" / f"part-{index:05d}.parquet"


@dataclass
class Prepared:
    """What a first pass returns to the executor: small (no texts)."""
    index: int
    doc_ids: list[str]  # the partition's built documents, in doc_id order
    signatures: np.ndarray | None  # their MinHash signatures, when dedup runs
    blocks: Counter  # in how many of its built documents each block occurs (clean.block_frequency)
    timings: dict[str, float]


def first_pass(index: int, files: list[str], config: BuildConfig, work: Path) -> Prepared:
    """ingest, clean and sign one partition; its documents wait on disk for the second pass."""
    from . import clean, dedup
    from .publish import spill

    timer = Timer()
    documents, _ = prepare(config, files, timer)
    ids, signatures = list(documents.loc[documents["status"] == "built", "doc_id"].sort_values()), None
    if config.stage_enabled("dedup"):
        ids, signatures = timer("dedup", dedup.document_signatures, documents, config.dedup)
    blocks = timer("clean", clean.block_frequency, documents) if config.stage_enabled("clean") else Counter()
    spill(_prepared_path(work, index), documents)
    return Prepared(index, list(ids), signatures, blocks, dict(timer.timings))


@dataclass
class Verdicts:
    """What dedup decided, for one partition: small."""
    changed: dict[str, tuple] = field(default_factory=dict)  # doc_id -> (status, duplicate_of)
    duplicates: pd.DataFrame | None = None  # the rows of clusters whose canonical copy is in the partition
    copies: dict[int, list[str]] = field(default_factory=dict)  # partition -> copies of those clusters kept there
    recurring: dict = field(default_factory=dict)  # blocks recurring across the build (clean.recurring_blocks)


def deduplicate(prepared: list[Prepared], config: BuildConfig, work: Path, buckets: int,
                clock: Timer | None = None) -> list[Verdicts]:
    """The global step: cluster copies among every partition's built documents; the duplicates and reuse
    tables are written as pieces here, and each partition gets its verdicts. `clock` times reuse."""
    from . import dedup
    from .publish import read_spill, write_pieces

    from . import clean

    recurring = clean.recurring_blocks(sum((p.blocks for p in prepared), Counter()))
    verdicts = [Verdicts(recurring=recurring) for _ in prepared]
    if not config.stage_enabled("dedup"):
        return verdicts
    home = {doc_id: p.index for p in prepared for doc_id in p.doc_ids}
    if not home:
        return verdicts
    # the built documents only (dedup looks at no other), read back from every partition
    documents = pd.concat([read_spill(_prepared_path(work, p.index), p.doc_ids) for p in prepared if p.doc_ids],
                          ignore_index=True)
    ids = np.array([i for p in prepared for i in p.doc_ids], dtype=object)
    signatures = np.concatenate([p.signatures for p in prepared if p.doc_ids])[np.argsort(ids, kind="stable")]
    documents, duplicates = dedup.dedup(documents, config.dedup, signatures)
    reused = (clock or Timer())("reuse", _reuse, documents, recurring, config)
    write_pieces(work, "global", {"duplicates": duplicates, "reuse": reused}, buckets)
    moved = documents[(documents["status"] != "built") | documents["duplicate_of"].notna()]
    for doc_id, status, of in zip(moved["doc_id"], moved["status"], moved["duplicate_of"]):
        verdicts[home[doc_id]].changed[doc_id] = (status, of)
    canonical_home = duplicates["canonical_doc_id"].map(home)
    for index, rows in duplicates.groupby(canonical_home, sort=True):
        verdicts[index].duplicates = rows.reset_index(drop=True)
    for copy, there, index in zip(duplicates["doc_id"], duplicates["doc_id"].map(home), canonical_home):
        if there != index:
            verdicts[index].copies.setdefault(there, []).append(copy)
    return verdicts


def _reuse(documents: pd.DataFrame, recurring: dict, config: BuildConfig) -> pd.DataFrame:
    """The reuse table among the distinct built documents, on the texts the second pass publishes (their
    recurring blocks dropped as it drops them): pairs cross partitions, so it is part of the global step."""
    from . import reuse

    distinct = documents[documents["status"] == "built"]
    if config.stage_enabled("clean"):
        from . import clean

        kept = np.array([clean.keeps_text(t, recurring) for t in distinct["text"]], dtype=bool)
        distinct = pd.concat([distinct[kept], clean.drop_recurring(distinct[~kept], recurring)])
    return reuse.reuse(distinct, config.reuse)


def second_pass(index: int, verdicts: Verdicts, config: BuildConfig, work: Path, buckets: int) -> dict[str, float]:
    """Apply dedup's verdicts to one partition, annotate it and write every table's rows as pieces;
    returns the stage timings."""
    from .publish import read_spill, write_pieces

    timer = Timer()
    documents = read_spill(_prepared_path(work, index))
    if verdicts.changed:
        changed = documents["doc_id"].map(verdicts.changed)
        hit = changed.notna()
        documents.loc[hit, "status"] = [v[0] for v in changed[hit]]
        documents.loc[hit, "duplicate_of"] = [v[1] for v in changed[hit]]
    if config.stage_enabled("clean"):
        from . import clean

        documents = timer("clean", clean.drop_recurring, documents, verdicts.recurring)
    tables = {}
    if config.stage_enabled("segment"):
        copies = [read_spill(_prepared_path(work, i), ids) for i, ids in sorted(verdicts.copies.items())]
        copies = [c.assign(status="duplicate") for c in copies]
        documents, tables = annotate(documents, verdicts.duplicates, pd.concat(copies, ignore_index=True)
                                     if copies else None, config, timer)
    timer("publish", write_pieces, work, f"p{index:05d}", {"documents": documents, **tables}, buckets)
    return dict(timer.timings)
