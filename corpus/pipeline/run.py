"""Calls the stages in order and hands the tables to publish. No logic of its own.

In-process by default; with `config.scheduler` the same per-document stages run as Dask tasks over
partitions of documents (see scale.py). Either way publish gets the same tables.
"""

from __future__ import annotations

import platform
import resource
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

import pandas as pd

from ..config import STAGES, BuildConfig

__all__ = ["build", "BuildResult", "tool_versions", "prepare", "annotate", "ANNOTATION_TABLES"]

ANNOTATION_TABLES = ("sections", "paragraphs", "sentences", "spans", "terms", "citations", "references", "entities")


@dataclass
class BuildResult:
    release: Path | None
    written: bool
    tables: dict
    warnings: list[str]
    timings: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        docs = self.tables["documents"]
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
        stages = ", ".join(f"{s} {t:.1f}s/{self.peak_rss_mb.get(s, 0):.0f}MB" for s, t in self.timings.items())
        return line + f"\nstages (time / peak RSS): {stages}"


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
    if "language" in stages_run:
        tools.update(langdetect=_version("langdetect"), hanzidentifier=_version("hanzidentifier"))
    if "segment" in stages_run or "entities" in stages_run:
        from ..nlp import model_info

        tools.update(model_info())
    if "entities" in stages_run:
        from ..nlp import zh_model_info

        tools.update({"jieba": _version("jieba"), "python-crfsuite": _version("python-crfsuite"), **zh_model_info()})
    return tools


def peak_rss_mb() -> float:
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB on Linux
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20, 1)


class _Clock:
    """Times each stage and records peak resident memory after it."""

    def __init__(self, progress: Callable[[str], None]):
        self.progress, self.timings, self.rss = progress, {}, {}

    def __call__(self, name, fn, *args):
        step = f"[{STAGES.index(name) + 1}/{len(STAGES)}] " if name in STAGES else ""
        self.progress(step + name)
        start = time.perf_counter()
        result = fn(*args)
        self.timings[name] = round(time.perf_counter() - start, 3)
        self.rss[name] = peak_rss_mb()
        return result


def _no_clock(name, fn, *args):
    return fn(*args)


def prepare(config: BuildConfig, files: list[str] | None = None, clock=_no_clock) -> tuple[pd.DataFrame, list[str]]:
    """ingest and clean (every file, or only `files`): the documents table before dedup."""
    from . import clean, ingest

    documents, warnings = clock("ingest", ingest.ingest, config.sources, config.ingest, files)
    if config.stage_enabled("clean"):
        documents = clock("clean", clean.clean, documents)
    return documents, warnings


def annotate(documents: pd.DataFrame, duplicates: pd.DataFrame | None, copies: pd.DataFrame | None,
             config: BuildConfig, clock=_no_clock) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """segment, language, terms, citations and entities over the built documents of `documents`.

    `copies` holds the duplicate copies whose notes may give URLs to their canonical documents here.
    Returns (documents with their language set, {table: rows}).
    """
    from . import citations, entities, language, segment, terms

    tables = {}
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


def build(config: BuildConfig, progress: Callable[[str], None] = lambda _: None) -> BuildResult:
    """Run the stages up to `config.until` and publish; returns the release folder and the tables."""
    from . import dedup, publish

    clock = _Clock(progress)
    if config.scheduler:
        from .scale import build_tables

        documents, tables, warnings = build_tables(config, clock)
    else:
        documents, warnings = prepare(config, clock=clock)
        tables = {}
        if config.stage_enabled("dedup"):
            documents, tables["duplicates"] = clock("dedup", dedup.dedup, documents, config.dedup)
        documents, annotations = annotate(documents, tables.get("duplicates"), None, config, clock)
        tables.update(annotations)
    tables = {"documents": documents, **tables}
    run = [s for s in STAGES if config.stage_enabled(s) and s != "publish"]
    manifest = {"config": config.recorded(), "tools": tool_versions(run)}
    release, written = clock("publish", publish.publish, tables, config.out, config.version, manifest)
    return BuildResult(release, written, tables, warnings, clock.timings, clock.rss)
