"""Sharded releases: the loader, Hugging Face, verify and diff read `<table>/part-*.parquet` like one file."""

import shutil

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from test_executor import write_corpus

import corpus
from corpus.cli import main
from corpus.config import BuildConfig
from corpus.diff import diff
from corpus.errors import ChecksumError
from corpus.executor import build
from corpus.load import table_paths

# Shards of about 4 KB and a bucket per 3 source files, so 20 documents make several of each.
SMALL = {"shard_bytes": 4_000, "bucket_documents": 3}


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """The same sources published whole (`one/`) and in shards of about 4 KB (`sharded/`)."""
    root = tmp_path_factory.mktemp("shards")
    sources = write_corpus(root / "sources", documents=20)
    config = dict(sources=sources, version="1.0.0")
    whole = build(BuildConfig(out=root / "one", **config)).release
    sharded = build(BuildConfig(out=root / "sharded", partition_size=4, **SMALL, **config)).release
    return whole, sharded, sources


def test_small_tables_stay_one_file_and_large_ones_are_sharded_in_key_order(releases):
    whole, sharded, _ = releases
    assert [p.name for p in table_paths(whole, "paragraphs")] == ["paragraphs.parquet"]
    shards = table_paths(sharded, "paragraphs")
    assert len(shards) > 2 and not (sharded / "paragraphs.parquet").exists()
    ids = [i for p in shards for i in pq.read_table(p, columns=["paragraph_id"])["paragraph_id"].to_pylist()]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert all(p.stat().st_size < 40_000 for p in shards)
    manifest = corpus.verify(sharded)
    assert manifest["files"]["paragraphs/part-00000.parquet"]["rows"] > 0
    card = (sharded / "README.md").read_text()
    assert "    - paragraphs/part-00001.parquet" in card


def test_load_reads_shards_with_columns_and_filters(releases):
    whole, sharded, _ = releases
    for table in ("documents", "paragraphs", "sentences"):
        assert corpus.load(table, releases=sharded.parent).equals(corpus.load(table, releases=whole.parent)), table
    paragraphs = corpus.load("paragraphs", releases=whole.parent)
    doc_id = paragraphs["doc_id"].iloc[len(paragraphs) // 2]
    picked = corpus.load("paragraphs", releases=sharded.parent, columns=["paragraph_id", "doc_id"],
                         filters=[("doc_id", "==", doc_id)])
    assert list(picked.columns) == ["paragraph_id", "doc_id"] and set(picked["doc_id"]) == {doc_id}
    assert list(picked["paragraph_id"]) == list(paragraphs.loc[paragraphs["doc_id"] == doc_id, "paragraph_id"])
    same = corpus.load("paragraphs", releases=sharded.parent, columns=["paragraph_id"],
                       filters=ds.field("doc_id") == doc_id)
    assert list(same["paragraph_id"]) == list(picked["paragraph_id"])
    assert corpus.info(sharded.parent)[0]["rows"] == corpus.info(whole.parent)[0]["rows"]


def test_load_dataset_and_hugging_face_read_a_sharded_release(releases, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    _, sharded, _ = releases
    rows = {t: len(corpus.load(t, releases=sharded.parent)) for t in ("documents", "sentences")}
    dd = corpus.load_dataset(releases=sharded.parent)
    assert {t: len(dd[t]) for t in rows} == rows
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    for table, n in rows.items():
        ds_ = datasets.load_dataset(str(sharded), table, split="train", cache_dir=str(tmp_path / "cache"))
        assert len(ds_) == n


def test_verify_names_a_damaged_shard(releases, tmp_path, capsys):
    _, sharded, _ = releases
    copy = tmp_path / "1.0.0"
    shutil.copytree(sharded, copy)
    assert main(["verify", str(copy)]) == 0
    shard = copy / "sentences" / "part-00001.parquet"
    shard.write_bytes(shard.read_bytes()[:-10])
    assert main(["verify", str(copy)]) == 1
    assert "sentences/part-00001.parquet" in capsys.readouterr().err
    with pytest.raises(ChecksumError):
        corpus.load("sentences", releases=tmp_path, verify=True)


def test_diff_across_layouts_sees_data_not_files(releases, tmp_path):
    whole, sharded, sources = releases
    assert diff(whole, sharded).empty
    changed = tmp_path / "sources"
    shutil.copytree(sources, changed)
    (changed / "005.md").write_text((sources / "005.md").read_text() + "\nOne more paragraph.\n")
    (changed / "006.md").unlink()
    new = build(BuildConfig(sources=changed, out=tmp_path / "out", version="1.1.0", **SMALL)).release
    changes = diff(whole, new)
    docs = corpus.load("documents", releases=whole.parent).set_index("source_file")["doc_id"]
    by = {(t, c): set(g["id"]) for (t, c), g in changes.groupby(["table", "change"])}
    assert by[("documents", "changed")] == {docs["005.md"]}
    assert by[("documents", "removed")] == {docs["006.md"]}
    assert ("paragraphs", "added") in by and ("documents", "added") not in by
