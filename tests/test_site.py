"""`corpus site`: well-nested markup for any overlap of spans, an index that finds what the text holds, and
the pages of a small release as a real headless Chromium runs them."""

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings, strategies as st

from corpus.cli import main
from corpus.config import BuildConfig
from corpus.executor import build
from corpus.site import write_site
from corpus.site.browser import chromium, headless
from corpus.site.markup import Mark, render
from corpus.site.search import IDEOGRAPHS, query_tokens, tokens

VOID = {"meta", "link", "input", "br", "img", "hr"}


class Tree(HTMLParser):
    """Checks nesting while parsing; records text, ids, and the text inside each element with a data-m."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.text, self.ids, self.covered, self.nested_links = [], [], [], {}, 0
        self.elements = []  # (tag, attrs) of every start tag

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag in VOID:
            return
        if tag == "a" and any(t == "a" for t, _ in self.stack):
            self.nested_links += 1
        self.stack.append((tag, attrs))
        if "id" in attrs:
            self.ids.append(attrs["id"])

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.stack and self.stack[-1][0] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        pos = sum(map(len, self.text))
        self.text.append(data)
        for _, attrs in self.stack:
            if "data-m" in attrs:
                self.covered.setdefault(int(attrs["data-m"]), set()).update(range(pos, pos + len(data)))


def parse(html: str) -> Tree:
    tree = Tree()
    tree.feed(html)
    tree.close()
    assert not tree.stack, f"unclosed {tree.stack}"
    return tree


texts = st.text(alphabet=st.sampled_from(list("ab <>&\"'网格化管理\n")), min_size=1, max_size=40)


@st.composite
def marked(draw):
    text = draw(texts)
    n = len(text)
    marks = []
    for i in range(draw(st.integers(0, 8))):
        s = draw(st.integers(-2, n + 1))
        e = draw(st.integers(-2, n + 2))
        tag = draw(st.sampled_from(["span", "mark", "a"]))
        first = (("id", f"m{i}"),) if draw(st.booleans()) else ()
        marks.append(Mark(s, e, tag, (("data-m", str(i)), ("title", draw(texts))), first, rank=draw(st.integers(0, 2))))
    return text, marks


@settings(max_examples=150, deadline=None)
@given(marked(), st.integers(0, 5))
def test_any_overlap_renders_well_nested_with_each_span_covering_its_text(case, base):
    text, marks = case
    marks = [Mark(m.start + base, m.end + base, m.tag, m.attributes, m.first_only, m.rank) for m in marks]
    tree = parse(render(text, marks, base=base))
    assert "".join(tree.text) == text
    assert tree.nested_links == 0
    assert len(tree.ids) == len(set(tree.ids))
    for _, a in tree.elements:  # attribute values come back as given, quotes and brackets included
        assert a["title"] == dict(marks[int(a["data-m"])].attributes)["title"]
    for i, m in enumerate(marks):
        want = set(range(max(m.start - base, 0), min(m.end - base, len(text))))
        got = tree.covered.get(i, set())
        # A link inside another link is left out (invalid HTML); every other span covers exactly its text.
        assert got <= want if m.tag == "a" else got == want
        if m.first_only and m.tag != "a" and want:
            assert tree.ids.count(f"m{i}") == 1


words = st.text(alphabet=st.sampled_from(list("abcXYZ09")), min_size=1, max_size=6)
han = st.text(alphabet=st.sampled_from(list("网格化管理社会治理条例𠀀か")), min_size=1, max_size=8)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(words, han), min_size=1, max_size=6), st.data())
def test_every_word_and_every_piece_of_a_han_run_is_found(pieces, data):
    text = " ".join(w + " " + h for w, h in pieces)
    found = tokens(text)
    word, run = data.draw(st.sampled_from(pieces))
    i = data.draw(st.integers(0, len(run) - 1))
    j = data.draw(st.integers(i + 1, len(run)))
    for query in (word, word.upper(), run[i:j], f"{word} {run[i:j]}"):
        assert set(query_tokens(query)) <= set(found), query
    assert re.fullmatch(f"[{IDEOGRAPHS}]+", run)


# --- a small release -----------------------------------------------------------------------------------

ARTICLE = ("Grid Management in Chengdu\n\n"
           "Grid management (网格化管理) spread to Chengdu in 2015.1 Officials in Sichuan praised the system,2 "
           "and Wang Li called it a model for 社会治理.\n\n"
           "The scheme relied on volunteers from every neighbourhood committee.\n\n"
           "Notes\n\n1. Wang Li, “Grid Governance,” 人民日报, May 2, 2021.\n\n2. Ibid., 4.\n")
REGULATION = ("# 成都市网格化服务管理条例\n\n## 第一章 总则\n\n"
              "第一条 为了加强网格化服务管理，推进基层社会治理，根据有关法律，结合本市实际，制定本条例。\n\n"
              "第二条 本市行政区域内的网格化服务管理工作，适用本条例。\n")
TOML = '''[[document]]
file = "article.txt"
title = "Grid <Management> & \\"Chengdu\\""
authors = ["Wang Li"]
published = "2021-05"
genre = "scholarship"

[[document]]
file = "regulation.md"
title = "成都市网格化服务管理条例"
published = "2019-03-01"
genre = "local regulation"
issuer = "成都市人民代表大会常务委员会"
'''


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    sources = tmp_path_factory.mktemp("site") / "sources"
    sources.mkdir()
    (sources / "article.txt").write_text(ARTICLE, encoding="utf-8")
    (sources / "copy.txt").write_text(ARTICLE, encoding="utf-8")
    (sources / "regulation.md").write_text(REGULATION, encoding="utf-8")
    (sources / "sources.toml").write_text(TOML, encoding="utf-8")
    return build(BuildConfig(sources=sources, out=sources.parent / "releases", version="0.1.0")).release


@pytest.fixture(scope="module")
def site(release, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "out"
    write_site(release, out)
    return out


def _ids(release: Path) -> dict[str, str]:
    docs = pq.read_table(release / "documents.parquet").to_pylist()
    return {d["source_file"]: d["doc_id"] for d in docs}


def test_index_links_every_built_document_and_escapes_text(release, site):
    docs = pq.read_table(release / "documents.parquet").to_pylist()
    built = {d["doc_id"] for d in docs if d["status"] == "built"}
    index = (site / "index.html").read_text(encoding="utf-8")
    tree = parse(index)
    linked = {a["href"][len("documents/"):-len(".html")] for t, a in tree.elements
              if t == "a" and a.get("href", "").startswith("documents/")}
    assert linked == built and len(built) == 2
    assert "Grid &lt;Management&gt; &amp; &quot;Chengdu&quot;" in index and "<Management>" not in index
    assert all((site / "documents" / f"{d['doc_id']}.html").is_file() for d in docs if d["status"] != "rejected")


def test_document_pages_carry_the_hooks_and_every_link_lands(release, site):
    tables = {t: pq.read_table(release / f"{t}.parquet").to_pylist()
              for t in ("documents", "entities", "terms", "citations", "duplicates")}
    article = _ids(release)["article.txt"]
    assert any(c["reference_id"] for c in tables["citations"] if c["doc_id"] == article)
    assert tables["duplicates"], "the copy is a duplicate of the article"
    for doc in tables["documents"]:
        if doc["status"] == "rejected":
            continue
        page = (site / "documents" / f"{doc['doc_id']}.html").read_text(encoding="utf-8")
        tree = parse(page)
        ids = set(tree.ids)
        assert len(ids) == len(tree.ids)
        whole = [(t, a) for t, a in tree.elements if "data-continued" not in a]
        for table, css in (("entities", "entity"), ("terms", "term")):
            rows = [r for r in tables[table] if r["doc_id"] == doc["doc_id"]]
            assert len(rows) == sum(css in a.get("class", "").split() for _, a in whole)
        for t, a in tree.elements:
            if "entity" in a.get("class", "").split():
                assert a.get("data-label")
            if t == "a" and a.get("href", "").startswith("#"):
                assert a["href"][1:] in ids, a
            if "citation" in a.get("class", "").split() and t == "a":
                assert a["href"].startswith("#ref-")
            if t == "a" and a.get("href", "").endswith(".html") and not a["href"].startswith("http"):
                assert (site / "documents" / a["href"]).resolve().is_file(), a
    for d in tables["duplicates"]:  # each member links to the others
        page = (site / "documents" / f"{d['doc_id']}.html").read_text(encoding="utf-8")
        others = {r["doc_id"] for r in tables["duplicates"] if r["cluster_id"] == d["cluster_id"]} - {d["doc_id"]}
        assert all(f'href="../documents/{o}.html"' in page for o in others)


def test_notes_are_a_list_one_note_per_item_and_long_urls_wrap(release, site):
    article = _ids(release)["article.txt"]
    page = (site / "documents" / f"{article}.html").read_text(encoding="utf-8")
    notes = re.search(r'<ol class="notes">(.*?)</ol>', page, re.S).group(1)
    items = re.findall(r'<li id="[^"]+" class="para kind-note[^"]*"', notes)
    paragraphs = pq.read_table(release / "paragraphs.parquet").to_pylist()
    assert len(items) == sum(p["doc_id"] == article and p["kind"] == "note" for p in paragraphs) == 2
    parse(page)
    assert re.search(r"main \{[^}]*overflow-wrap: anywhere", (site / "site.css").read_text())


def test_notes_run_together_in_one_paragraph_show_one_per_line():
    """A scrape that lost the notes' line breaks ("[1] … [2] …"): each note its own item, from its number on,
    with its parsed works under it."""
    from corpus.site import _note_pieces

    text = "Body.\n\n[1] Wang Li, Grids (2019), 4. [2] Ibid., 5; Chen, Codes. [3] “网格化管理,” 人民日报."
    start = text.index("[1]")
    works = [(1, "Wang Li"), (2, "Ibid."), (2, "Chen"), (3, "“网格")]
    refs = [{"note_number": n, "char_start": text.index(w)} for n, w in works]
    pieces = _note_pieces(text, {"char_start": start, "char_end": len(text)}, refs)
    assert [text[a:b].strip() for a, b, _ in pieces] == ["[1] Wang Li, Grids (2019), 4.", "[2] Ibid., 5; Chen, Codes.",
                                                         "[3] “网格化管理,” 人民日报."]
    assert [[r["note_number"] for r in rs] for _, _, rs in pieces] == [[1], [2, 2], [3]]


def test_a_reuse_table_links_both_passages(release, tmp_path):
    ids = _ids(release)
    copy = tmp_path / "releases" / release.name
    shutil.copytree(release, copy)
    a, b = ids["article.txt"], ids["regulation.md"]
    pq.write_table(pa.table({"reuse_id": ["r1"], "doc_id": [a], "char_start": [0], "char_end": [14],
                             "other_doc_id": [b], "other_char_start": [2], "other_char_end": [8],
                             "similarity": [0.9]}), copy / "reuse.parquet")
    assert main(["site", "--releases", str(copy.parent), "--out", str(tmp_path / "site")]) == 0
    page_a = (tmp_path / "site" / "documents" / f"{a}.html").read_text(encoding="utf-8")
    page_b = (tmp_path / "site" / "documents" / f"{b}.html").read_text(encoding="utf-8")
    assert 'id="reuse-r1"' in page_a and f'href="{b}.html#reuse-r1-other"' in page_a
    assert 'id="reuse-r1-other"' in page_b and f'href="{a}.html#reuse-r1"' in page_b
    parse(page_a), parse(page_b)


def test_cli_writes_the_default_folder(release, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["site", "--releases", str(release.parent)]) == 0
    assert (tmp_path / "build" / "site" / release.name / "index.html").is_file()
    assert "2 documents" in capsys.readouterr().out


# --- in a real browser ---------------------------------------------------------------------------------

def _dump(urls: list[str], tmp_path: Path) -> list[str]:
    """The DOM of each URL after its scripts ran, one Chromium per URL, run side by side."""
    if chromium() is None:
        pytest.skip("headless Chromium not installed (Debian: apt-get install chromium; .ci/run installs it)")
    runs = [headless(url, tmp_path / f"profile{n}", "--dump-dom") for n, url in enumerate(urls)]
    return [r.communicate(timeout=120)[0] for r in runs]


def test_pages_run_without_script_errors_and_search_finds_chinese_and_english(release, site, tmp_path):
    ids = _ids(release)
    root = site.resolve().as_uri()
    urls = [f"{root}/index.html?genre=local%20regulation&sort=-date", f"{root}/documents/{ids['article.txt']}.html", f"{root}/tables.html",
            f"{root}/search.html?q=%E6%80%BB%E5%88%99",  # 总则: only in the regulation
            f"{root}/search.html?q=Volunteers",  # a capitalised English word of the article
            f"{root}/search.html?q=%E7%BD%91%E6%A0%BC",  # 网格: in both
            f"{root}/search.html?q=constructor%20toString"]  # names on Object.prototype: no hit, no error
    pages = _dump(urls, tmp_path)
    for url, dom in zip(urls, pages):
        tree = parse(dom)
        errors = next(a for t, a in tree.elements if a.get("id") == "script-errors")
        assert re.search(r'<p id="script-errors" role="alert"></p>', dom), (url, errors)
        assert 'data-ready="1"' in dom, url  # the page's script ran to its end
    index, article, _, zh, en, both, prototype_names = pages
    shown = [a["data-genre"] for t, a in parse(index).elements if t == "tr" and "data-genre" in a and "hidden" not in a]
    assert shown == ["local regulation"] and 'aria-sort="descending"' in index  # the address's filter and sort
    assert 'class="entity"' in article and 'class="term"' in article
    target = re.search(r'<a class="citation" href="#(ref-[^"]+)"', article).group(1)
    assert f'id="{target}"' in article

    def results(dom):
        return re.findall(r'<a href="documents/([0-9a-f]+)\.html" class="result">', dom)

    assert results(prototype_names) == []
    assert results(zh) == [ids["regulation.md"]]
    assert results(en) == [ids["article.txt"]]
    assert sorted(results(both)) == sorted([ids["regulation.md"], ids["article.txt"]])
    # each result: a snippet around the first hit, the hits marked, and how many the text holds
    texts = {d["doc_id"]: d["text"] for d in pq.read_table(release / "documents.parquet").to_pylist()}
    assert "<mark>volunteers</mark>" in en and "<mark>总则</mark>" in zh
    for dom in (zh, en, both):
        for doc, hits in re.findall(r'documents/([0-9a-f]+)\.html" class="result">.*? — (\d+) hits? in the text', dom):
            word = re.search(r"<mark>(.*?)</mark>", dom).group(1)
            assert int(hits) == texts[doc].lower().count(word.lower())
