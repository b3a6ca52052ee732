"""The streaming build, a build in tiny partitions and a Dask build publish the same bytes."""

import random
from pathlib import Path

import pytest

from corpus.config import BuildConfig
from corpus.executor import build

_WORDS = ("the city government registered residents through the grid management system and each "
          "district office reported its numbers to the provincial platform every week while "
          "officials in Zhengzhou and Hangzhou compared health code rules with the new "
          "social credit pilots").split()


def write_corpus(folder: Path, documents: int = 30, seed: int = 3) -> Path:
    """Short articles with glosses, notes, a rejected file and copies that land in other partitions."""
    rng = random.Random(seed)
    folder.mkdir()
    texts = []
    for i in range(documents):
        body = "\n\n".join(" ".join(rng.choice(_WORDS) for _ in range(rng.randint(25, 45))).capitalize() + "."
                           for _ in range(rng.randint(2, 4)))
        text = (f"# Report {i} on local governance\n\n{body}\n\nThe grid management system (网格化管理系统) "
                f"covers district {i}.[1]\n\n1. Ministry of Civil Affairs, “Notice {i},” 2020, "
                f"https://example.org/notice-{i}.\n")
        texts.append(text)
        (folder / f"{i:03d}.md").write_text(text, encoding="utf-8")
    for i in range(0, documents, 7):  # a copy with one word changed, far from its original in path order
        (folder / f"copy-{i:03d}.md").write_text(texts[i].replace("district", "county", 1), encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def _files(release: Path) -> dict[str, bytes]:
    return {p.relative_to(release).as_posix(): p.read_bytes() for p in sorted(release.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def small_shards():
    """Shards of about 4 KB and a bucket per 4 source files, so a few dozen documents make many of each."""
    return {"shard_bytes": 4_000, "bucket_documents": 4}


def _same_release(a: Path, b: Path) -> None:
    files, reference = _files(a), _files(b)
    assert sorted(files) == sorted(reference)
    assert [f for f in reference if files[f] != reference[f]] == []


@pytest.fixture(scope="module")
def corpus_sources(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("executors") / "sources", documents=20)


def test_streaming_and_tiny_partitions_publish_identical_releases(corpus_sources, tmp_path, small_shards):
    streaming = build(BuildConfig(sources=corpus_sources, out=tmp_path / "streaming", version="1.0.0", **small_shards))
    tiny = build(BuildConfig(sources=corpus_sources, out=tmp_path / "tiny", version="1.0.0", partition_size=2,
                             **small_shards))
    assert len([f for f in _files(streaming.release) if f.startswith("entities/part-")]) > 3  # really sharded
    assert not list((tmp_path / "streaming").glob(".tmp-*"))  # the scratch folder is gone
    _same_release(tiny.release, streaming.release)
    docs = streaming.tables["documents"]
    assert set(docs["status"]) == {"built", "duplicate", "rejected"}
    assert (docs["status"] == "duplicate").sum() == 3


def test_dask_workers_write_the_same_release(corpus_sources, tmp_path, small_shards):
    """Workers write pieces; the release matches the in-process one. (The full pipeline on Dask is
    checked against the bundled release in test_build; here, many partitions and shards, up to dedup.)"""
    pytest.importorskip("dask.distributed")
    config = dict(sources=corpus_sources, version="1.0.0", until="dedup", **small_shards)
    streaming = build(BuildConfig(out=tmp_path / "streaming", **config))
    dask = build(BuildConfig(out=tmp_path / "dask", scheduler="local:2", partition_size=3, **config))
    assert len([f for f in _files(dask.release) if f.startswith("documents/part-")]) > 3
    _same_release(dask.release, streaming.release)
    assert (dask.tables["documents"]["status"] == "duplicate").sum() == 3


def test_dedup_reads_the_same_features_and_texts_whatever_the_partitions_and_executor(corpus_sources, tmp_path,
                                                                                     small_shards):
    """The global step clusters from the features each partition wrote and reads the texts it verifies from the
    partitions' spills: a partition per file, one for all, or partitions on Dask workers give the same tables."""
    pytest.importorskip("dask.distributed")
    config = dict(sources=corpus_sources, version="1.0.0", until="dedup", **small_shards)
    each = build(BuildConfig(out=tmp_path / "each", partition_size=1, **config))
    together = build(BuildConfig(out=tmp_path / "together", partition_size=100, **config))
    dask = build(BuildConfig(out=tmp_path / "dask", scheduler="local:2", partition_size=1, **config))
    _same_release(each.release, together.release)
    _same_release(dask.release, together.release)
    duplicates = together.tables["duplicates"]
    assert list(duplicates["relation"].value_counts().sort_index().items()) == [("canonical", 3), ("near", 3)]
