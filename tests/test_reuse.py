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
from corpus.pipeline.reuse import diffusion_baseline, diffusion_edges, reuse
from corpus.tables import frame


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
    """Shared paragraphs at any place, with any spacing, and a long line of each its own, cut into sentence windows."""
    rng = random.Random(seed)
    paragraphs = {k: essay(300 + k, 40) for k in range(31)}
    own = [[essay(1000 * d + k, 40) for k in range(4)] for d in range(2)]
    texts = {}
    for d, name in enumerate(("a", "b")):
        parts = own[d] + [paragraphs[k] for k in shared]
        rng.shuffle(parts)
        texts[name] = joint.join(parts) + "\n" + " ".join(essay(5000 + 100 * d + k, 12) for k in range(30))
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


def _article(n: int, body: str) -> str:
    return f"第{regulations.numeral(n)}条 {body}"


def _edited(body: str, rng: random.Random, places: tuple[str, str], edits: int) -> str:
    """`body` with `edits` small insertions or deletions (one to three characters), its place swapped."""
    chars = list(body.replace(places[0], places[1]))
    for _ in range(edits):
        at = rng.randrange(len(places[1]) + 2, len(chars) - 2)
        if rng.random() < 0.5:
            chars[at:at] = list(rng.choice(["及其", "和", "依法", "等"]))
        else:
            del chars[at:at + rng.randint(1, 3)]
    return "".join(chars)


def _wrapped(article: str, rng: random.Random) -> str:
    """`article` hard-wrapped at random widths (as a PDF or a portal's fixed-width text is)."""
    lines, at = [], 0
    while at < len(article):
        width = rng.randint(18, 40)
        lines.append(article[at:at + width])
        at += width
    return "\n".join(lines)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 2), st.sampled_from([("滨州市", "济南市"), ("山东省", "本省"),
                                                                   ("本市", "杭州市"), ("本市", "本县")]),
       st.booleans(), st.integers(0, 6))
def test_an_article_copied_with_edits_is_one_aligned_pair_with_exact_offsets(seed, edits, places, wrap, at):
    """The copy of one article, among articles of their own, with insertions, deletions, its place swapped and
    its lines re-wrapped: one row for the two articles, spans exactly the two articles."""
    rng = random.Random(seed)
    body = f"{places[0]}人民政府" + regulations.provision(seed)[:rng.randint(40, 140)].rstrip("；，") + "。"
    copied = _edited(body, rng, places, edits)
    source_articles = [_article(k + 1, regulations.provision(1000 + seed + k)) for k in range(6)]
    source_articles.insert(3, _article(4, body))
    target_articles = [_article(k + 1, regulations.provision(50_000 + seed + k)) for k in range(6)]
    copy = _article(at + 1, copied)
    target_articles.insert(at, _wrapped(copy, rng) if wrap else copy)
    texts = {"source": "甲市养犬管理条例\n\n" + "\n\n".join(source_articles),
             "target": "乙市物业管理条例\n\n" + "\n".join(target_articles)}
    table = reuse(docs(texts))
    _exact(table, texts)
    start = texts["source"].index(_article(4, body))
    other_start = texts["target"].index(target_articles[at])
    spans = {(r.char_start, r.char_end, r.other_char_start, r.other_char_end)
             for r in table[table["doc_id"] == "source"].itertuples()}
    assert spans == {(start, start + len(_article(4, body)), other_start, other_start + len(target_articles[at]))}
    assert set(table["unit"]) == {"article"}
    assert table["similarity"].between(0.8, 1).all()


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["滨州市", "济南市", "杭州市"]), st.sampled_from(["山东省", "河南省"]))
def test_unrelated_regulations_of_one_kind_share_boilerplate_but_no_edge(seed, city, province):
    """Two regulations of one kind with provisions of their own, sharing only the kind's set formulas: a dated
    history line naming their bodies, 本条例自…起施行, 本条例由…负责解释."""
    def regulation(place: str, year: int, seeds: range) -> str:
        lines = [f"{place}文明行为促进条例", f"{year}年6月{seed % 28 + 1}日 {place}第十三届人民代表大会常务委员会第"
                                            f"{regulations.numeral(seed % 40 + 1)}次会议通过"]
        lines += [_article(k + 1, regulations.provision(s)) for k, s in enumerate(seeds)]
        n = len(lines) - 1
        lines += [_article(n, f"本条例由{place}人民代表大会常务委员会负责解释。"),
                  _article(n + 1, f"本条例自{year + 1}年1月1日起施行。")]
        return "\n\n".join(lines)

    texts = {"a": regulation(city, 2016, range(seed, seed + 8)), "b": regulation(province, 2019, range(seed + 100, seed + 108))}
    documents = docs(texts)
    table = reuse(documents)
    assert table.empty
    assert diffusion_edges(documents, table).empty


def test_diffusion_edges_point_from_the_earlier_document_and_state_ties_and_unknown_dates():
    docs_ = docs({d: "x" * 200 for d in "abcde"}).assign(
        published=["2010-05-01", "2015", None, "2010", "2010-05-01"],
        published_precision=["day", "year", None, "year", "day"])
    docs_.loc[docs_["doc_id"] == "c", "text"] = "2012年3月1日 某市人民代表大会常务委员会第五次会议通过\n" + "x" * 100

    def rows(d: str, o: str, starts: list[int]) -> list[dict]:
        return [{"reuse_id": f"{x}-{s}-{y}", "doc_id": x, "char_start": s, "char_end": s + 20, "other_doc_id": y,
                 "other_char_start": s, "other_char_end": s + 20, "similarity": 0.9, "unit": "article"}
                for x, y in ((d, o), (o, d)) for s in starts]

    table = frame("reuse", rows("b", "a", [0, 10, 50]) + rows("a", "c", [0]) + rows("a", "d", [0]) + rows("a", "e", [0]))
    edges = diffusion_edges(docs_, table).set_index(["source_doc_id", "target_doc_id"])
    assert sorted(edges.index) == [("a", "b"), ("a", "c"), ("a", "d"), ("a", "e")]
    assert edges.loc[("a", "b"), ["order", "source_date", "target_date", "target_precision"]].tolist() == [
        "earlier_to_later", "2010-05-01", "2015", "year"]
    assert edges.loc[("a", "b"), ["shared_units", "target_chars", "share_of_target"]].tolist() == [3, 50, 0.25]
    # the date its header states, said to be from there
    assert edges.loc[("a", "c"), ["order", "target_date", "target_date_from"]].tolist() == [
        "earlier_to_later", "2012-03-01", "header"]
    # 2010 and 2010-05-01: the same year, which came first is not known
    assert edges.loc[("a", "d"), "order"] == "same_date"
    assert edges.loc[("a", "e"), "order"] == "same_date"
    unknown = docs_.assign(published=None, published_precision=None)
    unknown["text"] = "x" * 200
    assert set(diffusion_edges(unknown, table)["order"]) == {"date_unknown"}


def test_reuse_diffusion_points_from_the_earlier_issuer_to_the_later_one():
    docs = frame("documents", [
        {"doc_id": d, "source_file": f"{d}.txt", "text": "x" * 100, "status": "built", "issuer": issuer,
         "issuer_level": level, "published": published}
        for d, issuer, level, published in (("a", "山东省人民代表大会常务委员会", "provincial", "2010-05-01"),
                                             ("b", "滨州市人民代表大会常务委员会", "prefectural", "2015-01-01"),
                                             ("c", "济南市人民代表大会常务委员会", "prefectural", None))])
    rows = [{"reuse_id": f"{d}-{o}-{s}", "doc_id": d, "char_start": s, "char_end": s + 10, "other_doc_id": o,
             "other_char_start": s, "other_char_end": s + 10, "similarity": 1.0, "unit": "article"}
            for d, o in (("a", "b"), ("b", "a"), ("a", "c"), ("c", "a")) for s in (0, 20)]
    edges = diffusion_baseline({"documents": docs, "reuse": frame("reuse", rows)})["reuse_diffusion"]
    assert list(zip(edges["source_doc_id"], edges["target_doc_id"], edges["order"])) == [
        ("a", "c", "date_unknown"), ("a", "b", "earlier_to_later")]  # c has no known date: said, not guessed
    first = edges.set_index("target_doc_id").loc["b"]
    assert first[["shared_units", "target_chars", "share_of_target", "source_year", "target_year"]].tolist() == [
        2, 20, 0.2, 2010, 2015]
    assert first["source_issuer"] == "山东省人民代表大会常务委员会"
    assert diffusion_baseline({"documents": docs, "reuse": frame("reuse", [])})["reuse_diffusion"].empty
