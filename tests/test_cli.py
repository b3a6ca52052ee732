"""Bad input ends in a one-line error naming the file and a non-zero exit, never a traceback or a hang."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.cli import main
from corpus.pipeline.ingest import read_manifest

ROOT = Path(__file__).resolve().parents[1]


def _error(capsys) -> str:
    """The one error line the last command printed (warnings aside)."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def _corpus(*args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "corpus.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120, **kwargs)


@pytest.fixture
def src(tmp_path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "a.txt").write_text("Grid managers in Chengdu report to the community committee every week.\n")
    return folder


def _build(src: Path, *args: str) -> list[str]:
    return ["build", "--sources", str(src), "--out", str(src.parent / "out"), *args]


def test_document_as_a_list_of_names(src, capsys):
    (src / "sources.toml").write_text('document = ["a.txt"]\n')
    assert main(_build(src)) == 2
    assert f"{src / 'sources.toml'}:1: 'document' must be an array of tables" in _error(capsys)


def test_sources_toml_in_gb18030(src, capsys):
    (src / "sources.toml").write_bytes('[[document]]\nfile = "a.txt"\ntitle = "网格化管理"\n'.encode("gb18030"))
    assert main(_build(src)) == 2
    assert f"{src / 'sources.toml'}:3: not UTF-8" in _error(capsys)


def test_corpus_toml_in_gb18030(src, capsys):
    (src / "corpus.toml").write_bytes('pretty_name = "网格"\n'.encode("gb18030"))
    assert main(_build(src)) == 2
    assert f"{src / 'corpus.toml'}:1: not UTF-8" in _error(capsys)


def test_fifo_sources_toml_is_not_opened(src):
    os.mkfifo(src / "sources.toml")
    result = _corpus(*_build(src))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{src / 'sources.toml'}: not a regular file" in result.stderr


def test_out_under_a_file(src, tmp_path, capsys):
    (tmp_path / "plain").write_text("x")
    assert main(["build", "--sources", str(src), "--out", str(tmp_path / "plain" / "releases")]) == 3
    assert f"{tmp_path / 'plain'} is a file, not a folder" in _error(capsys)


@pytest.mark.parametrize("scheduler", ["foo", "local:0", "local:-1"])
def test_bad_scheduler(src, capsys, scheduler):
    assert main(_build(src, "--scheduler", scheduler)) == 2
    assert f"--scheduler {scheduler!r}: expected local:N" in _error(capsys)


def test_output_into_a_closed_pipe(seed_release):
    read, write = os.pipe()
    os.close(read)  # like `corpus info | head` once head has exited
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "corpus.cli", "info", "--releases", str(seed_release.parent)],
                            env=env, stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
    os.close(write)
    assert result.returncode == 1 and result.stderr == ""


def test_ten_thousand_entries_with_an_unknown_key_each(tmp_path):
    entries = []
    for i in range(10_000):
        (tmp_path / f"{i:05d}.txt").touch()
        entries.append(f'[[document]]\nfile = "{i:05d}.txt"\nsource = "web"\n')
    (tmp_path / "sources.toml").write_text("\n".join(entries))
    meta, warnings = read_manifest(tmp_path)
    assert len(meta) == 10_000 and len(warnings) == 10_000
    assert warnings[-1].startswith(f"{tmp_path / 'sources.toml'}:{4 * 9_999 + 3}: unknown key 'source'")


def test_existing_version_is_refused_up_front(src, capsys):
    (src.parent / "out" / "1.0.0").mkdir(parents=True)
    assert main(_build(src, "--version", "1.0.0")) == 3
    assert "1.0.0 already exists" in _error(capsys)


def test_empty_sources_fail(tmp_path, capsys):
    (tmp_path / "src").mkdir()
    assert main(_build(tmp_path / "src")) == 2
    assert "no files to build from" in _error(capsys)


def test_unknown_corpus_key(src, capsys):
    (src / "corpus.toml").write_text('licence = "CC0-1.0"\n')
    assert main(_build(src)) == 2
    assert f"{src / 'corpus.toml'}: unknown key 'licence'" in _error(capsys)


def test_until_reports_a_scratch_folder(src, capsys):
    assert main(_build(src, "--until", "clean", "--version", "2.0.0")) == 0
    out = capsys.readouterr().out
    assert "scratch/2.0.0-until-clean: partial build up to clean written (a scratch folder, not a release)" in out


def test_info_and_verify_say_where_they_looked(tmp_path, seed_release, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./build/releases here
    assert main(["verify", "--version", "9.9.9"]) == 1
    line = _error(capsys)
    assert "unknown version '9.9.9'" in line and "looked in build/releases, " in line
    assert main(["verify", "--version", "0.1.0", "--releases", str(seed_release.parent)]) == 0
    assert main(["info", "--releases", str(tmp_path)]) == 0
    assert f"no releases found in {tmp_path}" in capsys.readouterr().out


@pytest.fixture(scope="module")
def tiny_release(tmp_path_factory) -> Path:
    """Two short dated documents built into a temporary releases folder as 0.3.0."""
    src = tmp_path_factory.mktemp("tiny") / "src"
    src.mkdir()
    (src / "a.txt").write_text("网格员每周向社区居委会报告。\n\n一、总体要求\n\n推进数字政府建设。\n", encoding="utf-8")
    (src / "b.txt").write_text("Grid managers in Chengdu report to the community committee every week.\n")
    (src / "sources.toml").write_text('[[document]]\nfile = "a.txt"\ntitle = "甲"\npublished = "2024-03-05"\n'
                                      'genre = "law"\nissuer = "国务院"\n\n'
                                      '[[document]]\nfile = "b.txt"\ntitle = "B"\npublished = "1954"\n', encoding="utf-8")
    out = src.parent / "out"
    assert main(["build", "--sources", str(src), "--out", str(out), "--version", "0.3.0"]) == 0
    return out


def test_export_writes_the_table_in_each_format(tiny_release, tmp_path, capsysbinary):
    import json

    import pandas as pd
    import pyarrow.parquet as pq

    import corpus

    docs = corpus.load("documents", "0.3.0", releases=tiny_release)
    common = ["--version", "0.3.0", "--releases", str(tiny_release)]
    for fmt in ("csv", "jsonl", "parquet"):
        assert main(["export", "documents", "--format", fmt, "--out", str(tmp_path / f"d.{fmt}"), *common]) == 0
    assert list(pd.read_csv(tmp_path / "d.csv")["doc_id"]) == list(docs["doc_id"])
    records = [json.loads(line) for line in (tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in records] == list(docs["text"])
    assert {r["published_date"] for r in records} == {"2024-03-05", "1954-01-01"}
    assert pq.read_table(tmp_path / "d.parquet").to_pandas()["doc_id"].tolist() == list(docs["doc_id"])
    capsysbinary.readouterr()
    assert main(["export", "documents", "--where", "genre=law", "--where", "published_precision=day", *common]) == 0
    lines = capsysbinary.readouterr().out.decode("utf-8").splitlines()
    assert lines[0].startswith("doc_id,")
    assert "甲" in lines[1] and not any("Chengdu" in line for line in lines)


def test_export_refuses_an_unknown_column_naming_the_columns(tiny_release, capsys):
    assert main(["export", "sentences", "--where", "doc=1", "--releases", str(tiny_release)]) != 0
    line = _error(capsys)
    assert "'doc'" in line and "doc_id" in line and "paragraph_id" in line


def test_show_prints_title_metadata_annotation_counts_and_text(tiny_release, capsys):
    import corpus

    docs = corpus.load("documents", "0.3.0", releases=tiny_release)
    doc = docs[docs["source_file"] == "a.txt"].iloc[0]
    sections = corpus.load("sections", "0.3.0", releases=tiny_release)
    for name in (doc["doc_id"], "a.txt"):
        assert main(["show", name, "--releases", str(tiny_release)]) == 0
        out = capsys.readouterr().out
        assert out.startswith("甲\n") and "published_precision: day" in out and "genre: law" in out
        assert f"  sections: {(sections['doc_id'] == doc['doc_id']).sum()}" in out
        assert out.endswith(doc["text"].rstrip("\n") + "\n")
    assert main(["show", "nothing-like-it", "--releases", str(tiny_release)]) != 0
    assert "unknown document 'nothing-like-it'" in _error(capsys)


@pytest.mark.parametrize("size", ["-3", "0"])
def test_a_partition_size_below_one_is_refused(src, capsys, size):
    assert main(_build(src, "--partition-size", size)) == 2
    assert f"--partition-size {size}" in _error(capsys)
    assert not (src.parent / "out").exists()


@pytest.mark.parametrize("inside", [".", "releases", "a/b"])
def test_out_inside_sources_is_refused(src, capsys, inside):
    out = src / inside
    assert main(["build", "--sources", str(src), "--out", str(out)]) == 2
    assert "is inside --sources" in _error(capsys)
    assert sorted(p.name for p in src.iterdir()) == ["a.txt"]


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"),
                                   OSError("IOError: No space left on device. Detail: [errno 28]")])
def test_a_full_disk_names_the_folder_and_what_to_do(src, capsys, monkeypatch, error):
    import pyarrow.parquet as pq

    def full(*args, **kwargs):
        raise error

    monkeypatch.setattr(pq, "write_table", full)
    assert main(_build(src)) == 1
    line = _error(capsys)
    assert str(src.parent / "out") in line and "free space" in line and "--out" in line
