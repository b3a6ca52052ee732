"""Calls the stages in order and hands the tables to publish. No logic of its own."""

from __future__ import annotations

import platform
import resource
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

from ..config import STAGES, BuildConfig

__all__ = ["build", "BuildResult", "tool_versions"]


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
        return line


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
        tools["jieba"] = _version("jieba")
    return tools


def _peak_rss_mb() -> float:
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB on Linux
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20, 1)


def build(config: BuildConfig, progress: Callable[[str], None] = lambda _: None) -> BuildResult:
    """Run the stages up to `config.until` and publish; returns the release folder and the tables."""
    from . import citations, clean, dedup, entities, ingest, language, publish, segment, terms

    timings, rss, tables = {}, {}, {}
    run = [s for s in STAGES if config.stage_enabled(s) and s != "publish"]

    def stage(name, fn, *args):
        progress(f"[{STAGES.index(name) + 1}/{len(STAGES)}] {name}")
        start = time.perf_counter()
        result = fn(*args)
        timings[name] = round(time.perf_counter() - start, 3)
        rss[name] = _peak_rss_mb()
        return result

    documents, warnings = stage("ingest", ingest.ingest, config.sources, config.ingest)
    if "clean" in run:
        documents = stage("clean", clean.clean, documents)
    if "dedup" in run:
        documents, tables["duplicates"] = stage("dedup", dedup.dedup, documents, config.dedup)
    if "segment" in run:
        tables["sections"], paragraphs, sentences = stage("segment", segment.segment, documents)
    if "language" in run:
        documents, paragraphs, sentences, tables["spans"] = stage(
            "language", language.language, documents, paragraphs, sentences, config.language)
    if "segment" in run:
        tables["paragraphs"], tables["sentences"] = paragraphs, sentences
    if "terms" in run:
        tables["terms"] = stage("terms", terms.terms, tables["paragraphs"])
    if "citations" in run:
        tables["citations"], tables["references"] = stage(
            "citations", citations.citations, documents, tables["paragraphs"], tables["duplicates"])
    if "entities" in run:
        tables["entities"] = stage("entities", entities.entities, tables["paragraphs"], tables["sentences"],
                                   tables["terms"])
    tables = {"documents": documents, **tables}
    manifest = {"config": config.recorded(), "tools": tool_versions(run)}
    progress(f"[{len(STAGES)}/{len(STAGES)}] publish")
    release, written = publish.publish(tables, config.out, config.version, manifest)
    return BuildResult(release, written, tables, warnings, timings, rss)
