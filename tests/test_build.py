import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import seed_sources

import corpus
from corpus.cli import main
from corpus.config import BuildConfig
from corpus.diff import release_differences
from corpus.errors import ChecksumError, ReleaseError, SourcesError, UnknownNameError
from corpus.executor import build
from corpus.pipeline import layers
from corpus.tables import TABLES, table_schema

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
    # the hard-wrapped lines (at most 90 characters) are rejoined into the paper's six paragraphs (abstract and body)
    assert len(body) == 6 and body["text"].str.len().min() > 300 and not body["text"].str.contains("\n").any()


def test_rebuild_from_another_path_is_identical(seed_release, tmp_path):
    """Reproducibility: the same sources, copied elsewhere, give the same release file for file."""
    sources = seed_sources(tmp_path / "elsewhere" / "sources")
    again = build(BuildConfig(sources=sources, out=tmp_path / "out", version="0.1.0"))
    assert release_differences(seed_release, again.release) == {"tables": [], "files": [], "tools": {}}
    for table in TABLES:
        assert (seed_release / f"{table}.parquet").read_bytes() == (again.release / f"{table}.parquet").read_bytes()


def test_existing_version_is_refused_before_any_stage_runs(seed_release, tmp_path, monkeypatch):
    from corpus.pipeline import run

    stages = []
    monkeypatch.setattr(run, "sources", lambda config: stages.append("sources"))  # the first step of a build
    with pytest.raises(ReleaseError, match=r"0\.1\.0 already exists.*--version 0\.1\.1"):
        build(BuildConfig(sources=tmp_path, out=seed_release.parent, version="0.1.0"))
    assert stages == []
    assert not list(seed_release.parent.glob(".tmp-*")) and not list(seed_release.parent.glob(".lock-*"))


def test_tool_versions_alone_do_not_make_releases_differ(seed_release, tmp_path, capsys):
    copy = tmp_path / "0.1.0"
    shutil.copytree(seed_release, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["tools"]["pandas"] = "0.0.1"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    card = (copy / "README.md").read_text()
    (copy / "README.md").write_text(card.replace('"pandas": "', '"pandas": "0.0.1-was-'))
    differences = release_differences(seed_release, copy)
    assert differences["tables"] == [] and differences["files"] == []
    assert differences["tools"]["pandas"][1] == "0.0.1"
    (copy / "terms.parquet").write_bytes(b"other")
    assert release_differences(seed_release, copy)["tables"] == ["terms"]
    assert main(["diff", "--files", str(seed_release), str(copy)]) == 0
    assert capsys.readouterr().out.startswith("tables: terms\nother files: identical\ntool pandas: ")


def test_until_writes_a_scratch_folder_not_a_release(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text("# Title\n\nSome text about the grid.\n")
    (src / "b.txt").write_bytes(b"")
    out = tmp_path / "out"
    result = build(BuildConfig(sources=src, out=out, version="1.0.0", until="clean"))
    assert result.release == out / "scratch" / "1.0.0-until-clean"
    assert sorted(p.name for p in result.release.glob("*.parquet")) == ["documents.parquet", "failures.parquet"]
    assert corpus.versions(out) == []
    docs = pd.read_parquet(result.release / "documents.parquet")
    assert dict(zip(docs["source_file"], docs["status"])) == {"a.md": "built", "b.txt": "rejected"}
    again = build(BuildConfig(sources=src, out=out, version="1.0.0", until="clean"))  # scratch is replaced
    assert again.written and not list((out / "scratch").glob(".tmp-*"))


def test_an_empty_or_all_rejected_build_fails_and_publishes_nothing(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    with pytest.raises(SourcesError, match="no files to build from"):
        build(BuildConfig(sources=src, out=tmp_path / "out", version="1.0.0"))
    (src / "empty.txt").write_bytes(b"")
    (src / "blank.md").write_text("   \n")
    with pytest.raises(SourcesError, match=r"all 2 file\(s\) were rejected \(empty: 1, whitespace_only: 1\)"):
        build(BuildConfig(sources=src, out=tmp_path / "out", version="1.0.0"))
    assert corpus.versions(tmp_path / "out") == []


def test_loader_types_and_errors(seed_release):
    releases = seed_release.parent
    paragraphs = corpus.load("paragraphs", releases=releases)
    assert len(paragraphs) > 0
    assert str(paragraphs["char_start"].dtype) == "Int64" and str(paragraphs["text"].dtype) == "string"
    with pytest.raises(UnknownNameError, match="Available tables: citations, documents, duplicates"):
        corpus.load("nope", releases=releases)
    with pytest.raises(UnknownNameError, match=f"Available versions: 0.1.0 \\(looked in {releases}"):
        corpus.load("documents", version="9.9.9", releases=releases)


def test_load_dataset_keyed_by_table(seed_release):
    dd = corpus.load_dataset(releases=seed_release.parent, verify=True)
    assert set(dd) == set(TABLES)
    assert len(dd["paragraphs"]) == len(corpus.load("paragraphs", releases=seed_release.parent))


def test_hf_load_dataset_reads_release_folder_offline(seed_release, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    for table in ("documents", "terms"):
        ds = datasets.load_dataset(str(seed_release), table, split="train", cache_dir=str(tmp_path / "cache"))
        assert len(ds) == pq.read_metadata(seed_release / f"{table}.parquet").num_rows


def test_verify_names_a_damaged_file(seed_release, tmp_path, capsys):
    release = tmp_path / "0.1.0"
    shutil.copytree(seed_release, release)
    assert main(["verify", str(release)]) == 0
    assert main(["verify", "--version", "0.1.0", "--releases", str(tmp_path)]) == 0
    path = release / "terms.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert main(["verify", str(release)]) == 1
    assert "terms.parquet" in capsys.readouterr().err
    with pytest.raises(ChecksumError, match="terms.parquet"):
        corpus.load("terms", releases=tmp_path, verify=True)
    with pytest.raises(ChecksumError, match="terms.parquet"):
        corpus.load_dataset(releases=tmp_path, verify=True)


def test_manifest_records_config_corpus_and_tool_versions(seed_release):
    manifest = json.loads((seed_release / "manifest.json").read_text())
    assert manifest["tools"]["model"].startswith("en_core_web_sm")
    assert {"spacy", "langdetect", "python", "model_version"} <= set(manifest["tools"])
    assert manifest["config"]["version"] == "0.1.0"
    assert manifest["config"]["corpus"]["pretty_name"] == "China Digital Governance Corpus"
    assert "out" not in manifest["config"]


def test_every_schema_is_a_consistent_contract_shipped_in_the_wheel():
    """Keys name fields of their tables, foreign keys tables that exist, every table a registered layer
    (or the guard's failures), and the wheel maps schema/ into the package."""
    problems = []
    for table in TABLES:
        schema = table_schema(table)
        names = {f["name"] for f in schema["fields"]}
        problems += [f"{table}: key {k}" for k in schema["primaryKey"] if k not in names]
        for fk in schema.get("foreignKeys", []):
            target = fk["reference"]["resource"] or table
            problems += [f"{table}: foreign key {k}" for k in fk["fields"] if k not in names]
            problems += [f"{table}: {target}.{k}" for k in fk["reference"]["fields"]
                         if target not in TABLES or k not in {f["name"] for f in table_schema(target)["fields"]}]
        problems += [f"{table}: type {f['type']}" for f in schema["fields"]
                     if f["type"] not in ("string", "integer", "number", "boolean", "date")]
    assert problems == []
    layers.check_tables()
    assert set(TABLES) == set(layers.published_tables())
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"corpus.schema" = "schema"' in pyproject and '"corpus.schema" = ["*.json"]' in pyproject


def test_cli_build_reports_bad_sources_toml(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "sources.toml").write_text("[[document]\n")
    assert main(["build", "--sources", str(tmp_path), "--out", str(tmp_path.parent / f"{tmp_path.name}-out")]) == 2
    assert "sources.toml:1" in capsys.readouterr().err
    assert not (tmp_path.parent / f"{tmp_path.name}-out" / "0.1.0").exists()


def test_a_build_on_a_dask_cluster_publishes_identical_tables(seed_release, tmp_path):
    """The whole pipeline through the Dask executor, end to end, on a cluster in this process (its worker
    shares the models this session loaded; tests/test_executor.py runs worker processes up to dedup)."""
    distributed = pytest.importorskip("dask.distributed")
    sources = seed_sources(tmp_path / "sources")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        config = BuildConfig(sources=sources, out=tmp_path / "out", version="0.1.0", scheduler=cluster.scheduler_address,
                             partition_size=2)
        result = build(config)
    assert release_differences(seed_release, result.release)["tables"] == []
