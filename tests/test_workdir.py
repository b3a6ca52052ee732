"""The work folder between a kill and `--resume`: completion markers are data read back only when they are
exactly what was written, nothing in it is ever unpickled, and a resume from sources whose contents
changed is refused."""

import json
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from corpus.cli import main
from corpus.config import BuildConfig
from corpus.corpus_toml import resolve
from corpus.errors import ReleaseError, ResumeError
from corpus.executor import build
from corpus.pipeline import ingest, layers, terms, workdir
from corpus.tables import frame


def test_a_marker_reads_back_what_was_written(tmp_path):
    marker = tmp_path / "done" / "first-00000.json"
    signatures = np.arange(12, dtype=np.uint32).reshape(3, 4)
    duplicates = frame("duplicates", [{"doc_id": "ab", "cluster_id": "c1", "canonical_doc_id": "ab",
                                       "relation": "canonical", "similarity": 1.0}])
    workdir.finish(marker, {"doc_ids": ["a", "b"], "blocks": [[2**63 + 5, 3]]}, {"signatures": signatures},
                   {"duplicates": duplicates})
    record, arrays, frames = workdir.finished(marker)
    assert record == {"doc_ids": ["a", "b"], "blocks": [[2**63 + 5, 3]]}
    assert np.array_equal(arrays["signatures"], signatures) and arrays["signatures"].dtype == np.uint32
    pd.testing.assert_frame_equal(frames["duplicates"], duplicates)


def test_an_edited_torn_or_foreign_marker_counts_as_unfinished(tmp_path):
    marker = tmp_path / "done" / "second-00000.json"
    assert workdir.finished(marker) is None  # never written
    workdir.finish(marker, {"timings": {"segment": 1.0}, "failures": []}, {"signatures": np.zeros(3, np.uint32)})
    good = marker.read_text()
    stored = json.loads(good)
    stored["body"]["record"]["timings"]["segment"] = 2.0  # edited without its digest
    marker.write_text(json.dumps(stored))
    assert workdir.finished(marker) is None
    marker.write_text(good[: len(good) // 2])  # torn
    assert workdir.finished(marker) is None
    marker.write_text(good)
    np.save(marker.with_name("second-00000.signatures.npy"), np.ones(3, np.uint32))  # a side file replaced
    assert workdir.finished(marker) is None
    for planted in ({"body": {"record": {}, "files": {"../../outside.npy": "0" * 64}}}, [], "x", {"body": 1}):
        body = planted.get("body") if isinstance(planted, dict) else None
        marker.write_text(json.dumps({"body": body, "sha256": workdir._digest(body)} if body is not None else planted))
        assert workdir.finished(marker) is None


def test_an_object_array_in_a_side_file_is_never_unpickled(tmp_path):
    marker = tmp_path / "done" / "first-00000.json"
    ran = tmp_path / "ran"
    workdir.finish(marker, {}, {"signatures": np.zeros(2, np.uint32)})
    side = marker.with_name("first-00000.signatures.npy")
    np.save(side, np.array([_Planted(ran)], dtype=object), allow_pickle=True)
    stored = json.loads(marker.read_text())
    stored["body"]["files"][side.name] = workdir._content_digest(side)  # its digest made to match
    stored["sha256"] = workdir._digest(stored["body"])
    marker.write_text(json.dumps(stored))
    assert workdir.finished(marker) is None and not ran.exists()


class _Planted:
    """Unpickling this creates the file `path`: what a planted pickle could do, harmlessly."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


class Killed(BaseException):
    """What a kill does to a build: nothing of it may catch this."""


def _sources(folder: Path) -> Path:
    folder.mkdir()
    for i in range(4):
        (folder / f"{i}.md").write_text(f"# Report {i}\n\nThe grid office of district {i} reported every week.\n",
                                        encoding="utf-8")
    (folder / "sources.toml").write_text('[[document]]\nfile = "0.md"\ntitle = "First"\n', encoding="utf-8")
    return folder


def _killed_build(config: BuildConfig, monkeypatch) -> None:
    """Run `config` until the second partition's terms raise Killed: the first partition is finished."""
    real, calls = terms.terms, []

    def killed_in_second_partition(paragraphs):
        calls.append(1)
        if len(calls) == 2:
            raise Killed()
        return real(paragraphs)

    monkeypatch.setattr(terms, "terms", killed_in_second_partition)
    with pytest.raises(Killed):
        build(config)
    monkeypatch.setattr(terms, "terms", real)


def test_resume_runs_no_planted_pickle_and_redoes_a_tampered_partition(tmp_path, monkeypatch):
    config = BuildConfig(sources=_sources(tmp_path / "src"), out=tmp_path / "out", version="1.0.0", partition_size=2)
    _killed_build(config, monkeypatch)
    done = tmp_path / "out" / ".work-1.0.0" / "done"
    ran = tmp_path / "ran"
    for step in ("first-00000", "second-00000", "dedup"):  # where markers were pickles, and beside them
        (done / f"{step}.pickle").write_bytes(pickle.dumps(_Planted(ran)))
    second = done / "second-00000.json"
    assert second.is_file()
    second.write_text(second.read_text().replace('"failures": []', '"failures": [{}]'))  # tampered
    calls = []
    real = terms.terms
    monkeypatch.setattr(terms, "terms", lambda paragraphs: calls.append(1) or real(paragraphs))
    result = build(config, resume=True)
    assert not ran.exists()
    assert len(calls) == 2  # both partitions annotated: the tampered marker's and the unfinished one
    assert sorted(result.tables["documents"]["source_file"]) == ["0.md", "1.md", "2.md", "3.md"]


@pytest.mark.parametrize("edit", ["source", "sources.toml", "corpus.toml"])
def test_resume_refuses_contents_changed_since_the_kill(tmp_path, edit, capsys):
    """Same size, same modification time, other bytes: only the contents tell, and they are compared."""
    sources = _sources(tmp_path / "src")
    (sources / "corpus.toml").write_text('name = "grid"\n', encoding="utf-8")
    # the configuration `corpus build` makes of these arguments, and its fingerprint before the edit
    config = resolve(BuildConfig(sources=sources, out=tmp_path / "out", version="1.0.0"), os.environ)
    files, stages = ingest.list_sources(sources), layers.stage_names()
    workdir.work_folder(tmp_path / "out", "1.0.0", workdir.fingerprint(config, files, 1000, stages))
    workdir.work_folder(tmp_path / "out", "1.0.0", workdir.fingerprint(config, files, 1000, stages), resume=True)
    name, old, new = {"source": ("2.md", "district", "distrjct"), "sources.toml": ("sources.toml", "First", "Fjrst"),
                      "corpus.toml": ("corpus.toml", "grid", "grjd")}[edit]
    changed = sources / name
    before = changed.stat()
    changed.write_text(changed.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.utime(changed, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert changed.stat().st_size == before.st_size and changed.stat().st_mtime_ns == before.st_mtime_ns
    with pytest.raises(ResumeError, match="other sources or settings"):
        workdir.work_folder(tmp_path / "out", "1.0.0", workdir.fingerprint(config, files, 1000, stages), resume=True)
    workdir.release_work_folder(tmp_path / "out" / ".work-1.0.0")
    code = main(["build", "--sources", str(sources), "--out", str(tmp_path / "out"), "--version", "1.0.0", "--resume"])
    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1 and "other sources or settings" in err


def test_publish_reads_only_the_pieces_its_tasks_wrote_as_they_wrote_them(tmp_path, monkeypatch):
    config = BuildConfig(sources=_sources(tmp_path / "src"), out=tmp_path / "out", version="1.0.0", partition_size=2)
    _killed_build(config, monkeypatch)
    work = tmp_path / "out" / ".work-1.0.0"
    finished_pieces = json.loads((work / "done" / "second-00000.json").read_text())["body"]["record"]["pieces"]
    documents = next(p for p in finished_pieces if p.startswith("documents/"))
    planted = work / "documents" / "b00000-p00099.parquet"  # a piece no task wrote: never read
    shutil.copy(work / documents, planted)
    piece = work / documents
    data = bytearray(piece.read_bytes())
    data[len(data) // 2] ^= 0x01  # a finished partition's piece changed after its marker was written
    piece.write_bytes(bytes(data))
    with pytest.raises(ReleaseError, match="not the piece its task wrote"):
        build(config, resume=True)
    assert not (tmp_path / "out" / "1.0.0").exists()
    shutil.rmtree(work)
    result = build(config)
    assert sorted(result.tables["documents"]["source_file"]) == ["0.md", "1.md", "2.md", "3.md"]
