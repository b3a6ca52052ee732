"""The same stages on a Dask cluster: `--scheduler local:N` (N worker processes on this machine) or
`--scheduler tcp://HOST:PORT` (an existing dask.distributed cluster).

Files are read and cleaned per partition; MinHash signatures are computed per partition and banded on
the client; clusters are formed as in-process; documents are then annotated per partition (each
worker loads the spaCy model once and seeds langdetect). The tables are the same as an in-process
build's, row for row, so the published files are byte-identical.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import BuildConfig
from ..errors import MissingExtraError
from .run import ANNOTATION_TABLES, annotate, prepare

__all__ = ["build_tables"]


def _client(scheduler: str):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise MissingExtraError("dask[distributed]", "dask", "--scheduler") from None
    if scheduler.startswith("local:"):
        workers = int(scheduler.split(":", 1)[1])
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster), cluster, workers
    client = Client(scheduler)
    return client, None, max(1, len(client.scheduler_info().get("workers", {})))


def _chunks(items: list, parts: int) -> list[list]:
    size = max(1, -(-len(items) // parts))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _prepare(files: list[str], config: BuildConfig) -> pd.DataFrame:
    return prepare(config, files)[0]


def _signatures(documents: pd.DataFrame, config: BuildConfig) -> tuple[list[str], np.ndarray]:
    from .dedup import document_signatures

    return document_signatures(documents, config.dedup)


def build_tables(config: BuildConfig, clock) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], list[str]]:
    """(documents, {table: rows}, warnings), computed on the cluster named by `config.scheduler`."""
    from . import dedup, ingest
    from .clean import drop_recurring

    warnings = ingest.read_manifest(config.sources)[1]  # configuration errors stop the build before any task
    files = ingest.list_sources(config.sources)
    client, cluster, workers = _client(config.scheduler)
    try:
        parts = _chunks(files, 4 * workers)
        documents = clock("ingest+clean", lambda: pd.concat(client.gather(client.map(_prepare, parts, config=config)),
                                                      ignore_index=True))
        if config.stage_enabled("clean"):  # the build-wide step of clean: blocks recurring across documents
            documents = clock("recurring boilerplate", drop_recurring, documents)
        tables: dict[str, pd.DataFrame] = {}
        if config.stage_enabled("dedup"):
            partitions = _chunks(list(range(len(documents))), 4 * workers)
            frames = [documents.iloc[p] for p in partitions]

            def signatures_then_clusters():
                results = client.gather(client.map(_signatures, frames, config=config))
                ids = [i for r in results for i in r[0]]
                sigs = np.concatenate([r[1] for r in results]) if ids else np.zeros((0, config.dedup.num_perm), np.uint64)
                order = np.argsort(np.array(ids, dtype=object), kind="stable")
                return dedup.dedup(documents, config.dedup, sigs[order])

            documents, tables["duplicates"] = clock("dedup", signatures_then_clusters)
        if config.stage_enabled("segment"):
            built = documents[documents["status"] == "built"]
            duplicates = tables.get("duplicates")
            copies = documents[documents["status"] == "duplicate"]
            parts = [built.iloc[p] for p in _chunks(list(range(len(built))), 4 * workers)] or [built]
            futures = [client.submit(annotate, part, duplicates,
                                     copies[copies["duplicate_of"].isin(part["doc_id"])], config, pure=False)
                       for part in parts]
            results = clock("segment..entities", client.gather, futures)
            languages = pd.concat([r[0][["doc_id", "language"]] for r in results], ignore_index=True)
            documents = documents.copy()
            if config.stage_enabled("language"):
                documents["language"] = documents["doc_id"].map(dict(zip(languages["doc_id"], languages["language"])))
            for name in ANNOTATION_TABLES:
                if name in results[0][1]:
                    tables[name] = pd.concat([r[1][name] for r in results], ignore_index=True)
        return documents, tables, warnings
    finally:
        client.close()
        if cluster is not None:  # the worker processes this build started
            cluster.close()
