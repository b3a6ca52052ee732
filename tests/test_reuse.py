import random

import pandas as pd
import pytest
import regulations
from hypothesis import given, settings, strategies as st
from test_dedup import docs, essay

from corpus.config import BuildConfig
from corpus.executor import build
from corpus.load import read_table, table_paths
from corpus.pipeline.dedup import dedup
from corpus.pipeline.reuse import reuse


def _exact(table: pd.DataFrame, texts: dict[str, str]) -> None:
    """Every row's passages are slices of both documents' texts, and each row has its mirror."""
    for r in table.itertuples():
        assert texts[r.doc_id][r.char_start:r.char_end].strip() == texts[r.doc_id][r.char_start:r.char_end] != ""
        assert texts[r.other_doc_id][r.other_char_start:r.other_char_end].strip() != ""
    pairs = set(zip(table["doc_id"], table["char_start"], table["other_doc_id"], table["other_char_start"]))
    assert pairs == {(o, oc, d, c) for d, c, o, oc in pairs}
    assert table["reuse_id"].is_unique


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["滨州市", "济南市", "杭州市"]))
def test_regulations_sharing_most_articles_are_distinct_with_a_reuse_row_for_each_shared_article(seed, city):
    rng = random.Random(seed)
    template = list(range(24))
    shared = sorted(rng.sample(template, 18))  # most of the province's articles, not all
    texts = {"province": regulations.regulation("山东省", template, [500, 501]),
             "city": regulations.regulation(city, shared, [600 + seed % 50, 700])}
    documents, duplicates = dedup(docs(texts))
    assert duplicates.empty and set(documents["status"]) == {"built"}
    table = reuse(documents)
    _exact(table, texts)
    article = {d: {line[line.index(" ") + 1:]: line for line in t.split("\n") if line.startswith("第")}
               for d, t in texts.items()}
    expected = {(article["province"][b], article["city"][b]) for b in article["province"]
                if b in article["city"] and "施行" not in b}  # the last article, a date, is too short to count
    province = table[table["doc_id"] == "province"]
    found = {(texts["province"][r.char_start:r.char_end], texts["city"][r.other_char_start:r.other_char_end])
             for r in province.itertuples()}
    assert expected == found - {(p, c) for p, c in found if "为了培育" in p}  # and the preambles, place masked
    assert any("为了培育" in p for p, _ in found)
    assert set(province["unit"]) == {"article"}
    assert set(province["similarity"]) == {1.0}


@settings(max_examples=5, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=4, unique=True), st.integers(0, 10_000),
       st.sampled_from(["\n", "\n\n", "\n  ", " \n"]))
def test_offsets_are_exact_in_both_documents_wherever_the_shared_paragraphs_sit(shared, seed, joint):
    """Shared paragraphs at any place, with any spacing, and a long line cut into sentence windows."""
    rng = random.Random(seed)
    paragraphs = {k: essay(300 + k, 40) for k in range(31)}
    own = [[essay(1000 * d + k, 40) for k in range(4)] for d in range(2)]
    texts = {}
    for d, name in enumerate(("a", "b")):
        parts = own[d] + [paragraphs[k] for k in shared]
        rng.shuffle(parts)
        texts[name] = joint.join(parts) + "\n" + " ".join(essay(5000 + 7 * d + k, 12) for k in range(30))
    table = reuse(docs(texts))
    _exact(table, texts)
    got = {texts["a"][r.char_start:r.char_end] for r in table[table["doc_id"] == "a"].itertuples()}
    assert got == {paragraphs[k] for k in shared}
    for r in table.itertuples():  # a paragraph is matched with itself in the other document
        assert texts[r.doc_id][r.char_start:r.char_end] == texts[r.other_doc_id][r.other_char_start:r.other_char_end]


def test_reuse_is_the_same_for_any_partitioning(tmp_path):
    """Pairs cross partitions: the table comes from the global step, byte for byte the same."""
    sources = tmp_path / "sources"
    sources.mkdir()
    for k, place in enumerate(("山东省", "滨州市", "济南市", "青岛市", "杭州市")):
        text = regulations.regulation(place, list(range(k, 12 + k)), [800 + k])
        (sources / f"{k:02d}.txt").write_text(text, encoding="utf-8")
    releases = [build(BuildConfig(sources=sources, out=tmp_path / str(size), version="1.0.0", until="dedup",
                                  partition_size=size)).release for size in (1, 2, 100)]
    paths = [table_paths(r, "reuse") for r in releases]
    assert paths[0] and all(len(p) == len(paths[0]) for p in paths)
    assert len({b"".join(p.read_bytes() for p in ps) for ps in paths}) == 1
    table = read_table(paths[0], "reuse")
    texts = dict(zip(*[read_table(table_paths(releases[0], "documents"), "documents")[c] for c in ("doc_id", "text")]))
    _exact(table, texts)
    assert table["doc_id"].nunique() == 5


@pytest.mark.parametrize("text", ["", "短", "Reuter\n", "\n\n\n"])
def test_documents_without_passages_give_no_rows(text):
    assert reuse(docs({"a": text, "b": text + " "})).empty


@settings(max_examples=20, deadline=None)
@given(st.lists(st.lists(st.integers(0, 6), min_size=1, max_size=5), min_size=3, max_size=8))
def test_texts_that_keeps_text_passes_are_what_drop_recurring_leaves(layouts):
    """reuse reads the published texts without dropping blocks again where nothing would be dropped."""
    from corpus.pipeline.clean import block_frequency, drop_recurring, keeps_text, recurring_blocks

    blocks = [essay(70 + k, 9) for k in range(7)]
    documents = docs({f"d{n}": "\n\n".join(blocks[k] for k in layout) for n, layout in enumerate(layouts)})
    recurring = recurring_blocks(block_frequency(documents))
    dropped = dict(zip(documents["doc_id"], drop_recurring(documents, recurring)["text"]))
    for doc_id, text in zip(documents["doc_id"], documents["text"]):
        if keeps_text(text, recurring):
            assert dropped[doc_id] == text
