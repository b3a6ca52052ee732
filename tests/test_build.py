import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import corpus
from corpus.cli import main
from corpus.config import BUNDLED_RELEASES, BuildConfig
from corpus.errors import ChecksumError, ReleaseError, UnknownNameError
from corpus.executor import build
from corpus.tables import TABLES, schema_dir

ROOT = Path(__file__).resolve().parents[1]
OFFSET_TABLES = ["sections", "paragraphs", "sentences", "spans", "entities", "citations", "references", "terms"]


def test_every_offset_row_matches_document_text(seed_release):
    docs = dict(zip(*pq.read_table(seed_release / "documents.parquet", columns=["doc_id", "text"]).to_pydict().values()))
    for table in OFFSET_TABLES:
        df = pd.read_parquet(seed_release / f"{table}.parquet")
        bad = [r.text for r in df.itertuples() if docs[r.doc_id][r.char_start:r.char_end] != r.text]
        assert not bad, (table, bad[:3])


def test_no_boilerplate_in_paragraphs_and_ocr_reads_as_paragraphs(seed_release):
    paragraphs = pd.read_parquet(seed_release / "paragraphs.parquet")
    for line in ("[ad_1]", "[ad_2]", "Source link", "top of page", "bottom of page", "Download PDF", "Recent articles:",
                 "Photo credit"):
        assert not paragraphs["text"].str.contains(line, regex=False).any(), line
    docs = pd.read_parquet(seed_release / "documents.parquet")
    ocr = docs.loc[docs["source_file"].str.startswith("003"), "doc_id"].item()
    body = paragraphs[(paragraphs["doc_id"] == ocr) & (paragraphs["kind"] == "body")]
    assert body["text"].str.len().median() > 500


def test_rebuild_is_byte_identical_to_the_bundled_release(seed_release):
    bundled = BUNDLED_RELEASES / "0.1.0"
    for table in TABLES:
        assert hashlib.sha256((seed_release / f"{table}.parquet").read_bytes()).hexdigest() == \
            hashlib.sha256((bundled / f"{table}.parquet").read_bytes()).hexdigest(), table


def test_same_version_identical_is_noop_and_different_is_error(seed_release, tmp_path):
    out = seed_release.parent
    again = build(BuildConfig(out=out, version="0.1.0"))
    assert again.written is False
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("A different corpus.\n")
    with pytest.raises(ReleaseError, match="0.1.0"):
        build(BuildConfig(sources=src, out=out, version="0.1.0", until="clean"))
    assert not list(out.glob(".tmp-*")) and not list(out.glob(".lock-*"))


def test_until_publishes_what_exists(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text("# Title\n\nSome text about the grid.\n")
    (src / "b.txt").write_bytes(b"")
    result = build(BuildConfig(sources=src, out=tmp_path / "out", version="1.0.0", until="clean"))
    assert sorted(p.name for p in result.release.glob("*.parquet")) == ["documents.parquet"]
    docs = corpus.load("documents", releases=tmp_path / "out")
    assert dict(zip(docs["source_file"], docs["status"])) == {"a.md": "built", "b.txt": "rejected"}


def test_loader_types_and_errors():
    paragraphs = corpus.load("paragraphs")
    assert len(paragraphs) > 0
    assert str(paragraphs["char_start"].dtype) == "Int64" and str(paragraphs["text"].dtype) == "string"
    with pytest.raises(UnknownNameError, match="Available tables: documents"):
        corpus.load("nope")
    with pytest.raises(UnknownNameError, match="Available versions: 0.1.0"):
        corpus.load("documents", version="9.9.9")


def test_load_dataset_keyed_by_table():
    dd = corpus.load_dataset()
    assert set(dd) == set(TABLES)
    assert len(dd["paragraphs"]) == len(corpus.load("paragraphs"))


def test_hf_load_dataset_reads_release_folder_offline(tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    folder = BUNDLED_RELEASES / "0.1.0"
    for table in ("documents", "terms"):
        ds = datasets.load_dataset(str(folder), table, split="train", cache_dir=str(tmp_path / "cache"))
        assert len(ds) == pq.read_metadata(folder / f"{table}.parquet").num_rows


def test_verify_names_a_damaged_file(tmp_path, capsys):
    release = tmp_path / "0.1.0"
    shutil.copytree(BUNDLED_RELEASES / "0.1.0", release)
    assert main(["verify", str(release)]) == 0
    path = release / "terms.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert main(["verify", str(release)]) == 1
    assert "terms.parquet" in capsys.readouterr().err
    with pytest.raises(ChecksumError, match="terms.parquet"):
        corpus.load("terms", releases=tmp_path, verify=True)


def test_manifest_records_config_and_tool_versions():
    manifest = json.loads((BUNDLED_RELEASES / "0.1.0" / "manifest.json").read_text())
    assert manifest["tools"]["model"].startswith("en_core_web_sm")
    assert {"spacy", "langdetect", "python", "model_version"} <= set(manifest["tools"])
    assert manifest["config"]["version"] == "0.1.0"


def test_installed_schema_copy_equals_schema_folder():
    for path in sorted((ROOT / "schema").glob("*.json")):
        assert (schema_dir() / path.name).read_text() == path.read_text()
    assert {p.stem for p in (ROOT / "schema").glob("*.json")} == set(TABLES)


def test_cli_build_reports_bad_sources_toml(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "sources.toml").write_text("[[document]\n")
    assert main(["build", "--sources", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "sources.toml:1" in capsys.readouterr().err
    assert not (tmp_path / "out" / "0.1.0").exists()


def test_dask_scheduler_publishes_byte_identical_tables(tmp_path):
    pytest.importorskip("dask.distributed")
    result = build(BuildConfig(out=tmp_path, version="0.1.0", scheduler="local:2"))
    for table in TABLES:
        assert (result.release / f"{table}.parquet").read_bytes() == \
            (BUNDLED_RELEASES / "0.1.0" / f"{table}.parquet").read_bytes(), table


def test_same_sources_from_another_path_are_the_same_release(seed_release, tmp_path):
    copy = tmp_path / "sources"
    shutil.copytree(Path(corpus.__file__).parent / "sources", copy)
    again = build(BuildConfig(sources=copy, out=seed_release.parent, version="0.1.0"))
    assert again.written is False
