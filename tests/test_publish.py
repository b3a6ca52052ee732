import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus.config import BuildConfig
from corpus.errors import ReleaseError
from corpus.manifest import verify
from corpus.executor import build
from corpus.pipeline import publish as publish_module
from corpus.pipeline.layers import LAYERS


def _small_sources(folder: Path) -> Path:
    folder.mkdir()
    (folder / "essay.txt").write_text("Smart surveillance and the modernisation of governance capacity (治理能力现代化).\n\n"
                                      "Grid managers in Zhengzhou report to the district office every week.\n")
    (folder / "note.md").write_text("# A note\n\nThe grid management system (网格化管理系统) in Zhengzhou.[1]\n")
    return folder


def _releases(out: Path) -> list[Path]:
    return [p.parent for p in out.rglob("documents.parquet")]


class Killed(BaseException):
    """What a kill does to a publish: nothing of it may catch this."""


@pytest.fixture
def staged_build(tmp_path):
    """A small build's tables (up to dedup: no models) staged as pieces again, with its manifest."""
    result = build(BuildConfig(sources=_small_sources(tmp_path / "src"), out=tmp_path / "built", version="1.0.0",
                               until="dedup"))
    recorded = json.loads((result.release / "manifest.json").read_text())
    manifest = {"config": recorded["config"], "tools": recorded["tools"]}
    return _staged(tmp_path / "work", dict(result.tables)), manifest


def test_a_publish_killed_at_any_write_leaves_no_torn_release_and_a_rerun_completes(staged_build, tmp_path,
                                                                                      monkeypatch):
    staged, manifest = staged_build
    out = tmp_path / "out"
    writes = []
    real_write, real_shards = publish_module._write, publish_module._write_shards

    def counted(real):
        def write(*args):
            writes.append(1)
            if len(writes) == kill_at:
                raise Killed()
            return real(*args)
        return write

    monkeypatch.setattr(publish_module, "_write", counted(real_write))
    monkeypatch.setattr(publish_module, "_write_shards", counted(real_shards))
    kill_at = 0
    publish_module.publish(staged, tmp_path / "count", "1.0.0", manifest, LAYERS)
    total = len(writes)
    assert total > 10  # every table and file of the release: each a place to be killed
    for kill_at in range(1, total + 1):
        writes.clear()
        with pytest.raises(Killed):
            publish_module.publish(staged, out, "1.0.0", manifest, LAYERS)
        assert _releases(out) == [] and not (out / "1.0.0").exists()  # nothing torn appears as a release
    kill_at = 0
    release, written = publish_module.publish(staged, out, "1.0.0", manifest, LAYERS)
    assert written and _releases(out) == [release]
    verify(release)
    assert not list(out.glob(".tmp-*")) and not list(out.glob(".lock-*"))


_SLOW_PUBLISH = """
import json, sys, time
from pathlib import Path
from corpus.pipeline import layers, publish, workdir
real = publish._write
def slow(*args):
    time.sleep(0.3)
    return real(*args)
publish._write = slow
work, tables, pieces, out, manifest = sys.argv[1:]
staged = workdir.Staged(Path(work), tuple(json.loads(tables)), 1, json.loads(pieces), 2**28)
publish.publish(staged, Path(out), "1.0.0", json.loads(Path(manifest).read_text()), layers.LAYERS)
"""


def test_a_publish_killed_by_sigkill_leaves_no_torn_release_and_the_next_cleans_up(staged_build, tmp_path):
    staged, manifest = staged_build
    out = tmp_path / "out"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_PUBLISH, str(staged.folder), json.dumps(staged.tables),
                             json.dumps(staged.pieces), str(out), str(tmp_path / "manifest.json")], stderr=subprocess.PIPE)
    for _ in range(600):  # until it is writing its release (its temporary folder holds files)
        if any(p.is_file() for tmp in out.glob(".tmp-*") for p in tmp.rglob("*")) or proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    for torn in _releases(out):
        verify(torn)  # every folder holding documents.parquet is complete
    assert not (out / "1.0.0").exists() and list(out.glob(".lock-*")) and list(out.glob(".tmp-*"))  # what it left
    release, written = publish_module.publish(staged, out, "1.0.0", manifest, LAYERS)
    assert written and _releases(out) == [release]
    verify(release)
    assert not list(out.glob(".tmp-*")) and not list(out.glob(".lock-*"))  # the dead build's leftovers are gone


def test_a_second_build_of_the_same_version_waits_for_no_one(tmp_path):
    sources = tmp_path / "src"
    sources.mkdir()
    (sources / "note.md").write_text("# A note\n\nHealth codes turned red in Zhengzhou.\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / ".lock-1.0.0").write_text(str(os.getpid()))  # a live build holds the lock
    with pytest.raises(ReleaseError, match="another build"):
        build(BuildConfig(sources=sources, out=out, version="1.0.0"))
    (out / ".lock-1.0.0").write_text("999999999")  # left by a killed build: taken over
    result = build(BuildConfig(sources=sources, out=out, version="1.0.0"))
    assert result.written and (out / "1.0.0" / "documents.parquet").is_file()


def _staged(work, tables: dict):
    """`tables` as a build's second pass leaves them for publish: pieces in one bucket."""
    from corpus.pipeline.workdir import Staged, write_pieces

    work.mkdir(parents=True)
    return Staged(work, tuple(tables), 1, write_pieces(work, "p00000", tables, 1), BuildConfig.shard_bytes)


def test_publishing_over_an_existing_version_compares_tables_not_tool_versions(tmp_path):
    from corpus.pipeline.publish import publish

    sources = tmp_path / "src"
    sources.mkdir()
    (sources / "note.md").write_text("# A note\n\nHealth codes turned red in Zhengzhou.\n")
    result = build(BuildConfig(sources=sources, out=tmp_path / "out", version="1.0.0"))
    tables = dict(result.tables)
    recorded = json.loads((result.release / "manifest.json").read_text())
    manifest = {"config": recorded["config"], "tools": {**recorded["tools"], "pandas": "0.0.1"}}
    assert publish(_staged(tmp_path / "same", tables), tmp_path / "out", "1.0.0", manifest, LAYERS) == (result.release, False)
    documents = tables["documents"].assign(title="Another title")
    with pytest.raises(ReleaseError, match=r"other contents \(tables documents; .*tool versions pandas"):
        publish(_staged(tmp_path / "other", {**tables, "documents": documents}), tmp_path / "out", "1.0.0", manifest, LAYERS)


def _documents_for_baselines(with_genre: bool):
    from corpus.tables import frame

    rows = [{"doc_id": f"d{n}", "source_file": f"{n}.md", "status": "built", "language": "zh-Hans",
             "title": f"{city}市社会治理网格化服务管理条例", "text": f"第一条 为规范网格化服务管理，制定本条例。{n}",
             "published": f"{year}-05-01"} for n, (city, year) in enumerate([("滨州", 2021), ("济南", 2022)])]
    if with_genre:
        for row, city in zip(rows, ("滨州", "济南")):
            row.update(genre="local regulation", issuer=f"{city}市人民代表大会常务委员会", issuer_level="prefectural",
                       province="山东省")
    return frame("documents", rows)


def test_card_shows_collection_and_diffusion_only_for_documents_that_record_them():
    from corpus import baselines
    from corpus.card import _figure_blocks

    figure = {"policy_diffusion.png": (b"", "Policy diffusion"), "documents_by_genre.png": (b"", "By genre")}
    official = _figure_blocks(baselines.compute({"documents": _documents_for_baselines(True)}), figure)
    assert official["collection"].startswith("### Collection")
    assert "| local regulation | 2 |" in official["collection"] and "| 2022 | 1 |" in official["collection"]
    assert official["diffusion"].startswith("### Policy diffusion\n\n![Policy diffusion](figures/policy_diffusion.png)")
    assert official["figures"] == ""  # each figure is shown in its section
    plain = _figure_blocks(baselines.compute({"documents": _documents_for_baselines(False)}), {})
    assert {"collection", "diffusion", "figures", "term_series", "collection_by_decade"} <= set(plain)
    assert set(plain.values()) == {""}
