"""Per-stage counts (datatrove's stat_update): every stage says how many documents it took, how many it
passed on and why it set each other one aside; the counts are sums over partitions, so any partitioning
gives the same, and they are in the manifest and the build summary."""

from __future__ import annotations

import json

from corpus.config import BuildConfig
from corpus.executor import build

ARTICLE = ("The city government launched a unified online service portal in 2019. Residents can apply for "
           "permits, pay fees and track requests without visiting an office. Officials said the portal "
           "handled more than two million requests in its first year, and that waiting times fell sharply. "
           "Critics noted that older residents still relied on service counters in district offices.\n")


def _sources(folder):
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "b.txt").write_text(ARTICLE, encoding="utf-8")  # an exact copy
    (folder / "c.txt").write_text(ARTICLE.replace("city", "provincial").replace("2019", "2021") + ARTICLE[:120]
                                  + " A second paragraph about grid management follows here.\n", encoding="utf-8")
    (folder / "d.xyz").write_text("not a format the pipeline reads", encoding="utf-8")
    (folder / "e.txt").write_bytes(b"")
    return folder


def test_stage_counts_add_up_and_do_not_depend_on_partitions(tmp_path):
    sources = _sources(tmp_path / "sources")
    one = build(BuildConfig(sources=sources, out=tmp_path / "one", version="0.1.0", partition_size=1))
    many = build(BuildConfig(sources=sources, out=tmp_path / "many", version="0.1.0", partition_size=100))
    assert one.stats == many.stats
    stats = one.stats
    assert stats["ingest"]["in"] == 5  # every file, whatever became of it
    assert stats["ingest"]["in"] == stats["ingest"]["out"] + sum(stats["ingest"]["dropped"].values())
    assert stats["ingest"]["dropped"]  # the unsupported and the empty file, each with its reason
    assert stats["dedup"]["dropped"] == {"exact_copy": 1}
    assert stats["dedup"]["in"] == stats["clean"]["out"] and stats["dedup"]["out"] == stats["dedup"]["in"] - 1
    assert stats["segment"]["in"] == stats["dedup"]["out"] and stats["segment"]["rows"]["paragraphs"] > 0
    manifest = json.loads((one.release / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["stats"] == stats
    summary = one.summary()
    assert "dedup: 3 -> 2 (exact_copy 1)" in summary
