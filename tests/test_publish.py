import os
import random
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


def _small_sources(folder: Path) -> Path:
    folder.mkdir()
    (folder / "essay.txt").write_text("Smart surveillance and the modernisation of governance capacity (治理能力现代化).\n\n"
                                      "Grid managers in Zhengzhou report to the district office every week.\n")
    (folder / "note.md").write_text("# A note\n\nThe grid management system (网格化管理系统) in Zhengzhou.[1]\n")
    return folder


def _releases(out: Path) -> list[Path]:
    return [p.parent for p in out.rglob("documents.parquet")]


def test_killed_builds_leave_no_torn_release_and_a_rerun_completes(tmp_path):
    sources = _small_sources(tmp_path / "src")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "corpus.cli", "build", "--sources", str(sources), "--out", str(out)]
    start = time.perf_counter()
    subprocess.run(cmd + ["--version", "9.9.9"], check=True, capture_output=True)
    duration = time.perf_counter() - start
    rng = random.Random(7)
    for k in range(6):
        proc = subprocess.Popen(cmd + ["--version", f"1.0.{k}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # half the kills anywhere, half in the last third, where publishing happens
        time.sleep(rng.uniform(0.2, duration) if k % 2 else rng.uniform(0.66 * duration, 1.05 * duration))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for release in _releases(out):
            verify(release)  # every folder holding documents.parquet is complete
    subprocess.run(cmd + ["--version", "2.0.0"], check=True, capture_output=True)
    assert not list(out.glob(".tmp-*")) and not list(out.glob(".lock-*"))  # stale ones were cleaned
    assert (out / "2.0.0" / "documents.parquet").is_file()
    for release in _releases(out):
        verify(release)


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
    write_pieces(work, "p00000", tables, 1)
    return Staged(work, tuple(tables), 1)


def test_publishing_over_an_existing_version_compares_tables_not_tool_versions(tmp_path):
    import json

    from corpus.pipeline.layers import LAYERS
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
