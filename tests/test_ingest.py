from pathlib import Path

import pytest

from corpus.errors import SourcesError
from corpus.pipeline.ingest import doc_id_for, html_text, ingest

TEXT = "Grid management 网格化管理 in Zhengzhou, “good citizen” 良民證.\n"


@pytest.mark.parametrize("codec,name", [("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("gb18030", "gb18030"),
                                        ("big5", "big5"), ("cp1252", "cp1252")])
def test_ingest_decodes_each_encoding(sources, codec, name):
    text = TEXT if codec not in ("cp1252",) else "Café déjà vu — “quoted” naïve façade résumé.\n" * 3
    if codec == "big5":
        text = "網格化管理系統與良民證在鄭州引起爭議，民眾抗議。\n" * 3
    if codec == "gb18030":
        text = "网格化管理系统在郑州引起争议，民众抗议健康码。\n" * 3
    (sources / "a.txt").write_bytes(text.encode(codec))
    docs, _ = ingest(sources)
    row = docs.iloc[0]
    assert row["status"] == "built"
    assert row["encoding"].replace("_", "") .startswith(name.replace("-", "").replace("_", "")[:4]) or row["encoding"] == name
    assert row["text"].strip() == text.strip()


def test_ingest_rejects_bad_files_with_reasons(sources):
    (sources / "empty.txt").write_bytes(b"")
    (sources / "blank.txt").write_text("  \n\t\n")
    (sources / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (sources / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    docs, _ = ingest(sources)
    reasons = dict(zip(docs["source_file"], docs["reject_reason"]))
    assert reasons == {"blank.txt": "whitespace_only", "binary.txt": "binary", "empty.txt": "empty",
                       "image.png": "unsupported_format"}
    assert set(docs["status"]) == {"rejected"}


def test_html_gives_visible_text_only():
    text, title = html_text("<html><head><title>T</title><style>p{}</style></head><body><script>var x=1;</script>"
                            "<!-- hidden --><p>First &amp; para.</p><p>Second</p></body></html>")
    assert title == "T"
    assert text == "First & para.\n\nSecond"


def test_doc_id_depends_on_source_path_only():
    assert doc_id_for("a/b.txt") == doc_id_for("a/b.txt") != doc_id_for("a/c.txt")
    assert len(doc_id_for("x")) == 16


def test_malformed_sources_toml_names_file_and_line(sources):
    (sources / "a.txt").write_text("text")
    (sources / "sources.toml").write_text('[[document]]\nfile = "a.txt"\ntitle = "unclosed\n')
    with pytest.raises(SourcesError) as e:
        ingest(sources)
    assert "sources.toml:3" in str(e.value)


def test_sources_toml_reports_every_problem(sources):
    (sources / "a.txt").write_text("text")
    (sources / "sources.toml").write_text(
        '[[document]]\nfile = "../escape.txt"\n\n[[document]]\nfile = "a.txt"\npublished = "June"\ncolour = "x"\n')
    with pytest.raises(SourcesError) as e:
        ingest(sources)
    problems = e.value.problems
    assert any("sources.toml:2" in p and "escapes" in p for p in problems)
    assert any("sources.toml:6" in p and "published" in p for p in problems)


def test_bad_inputs_beside_a_real_article_are_each_accounted_for(sources, tmp_path):
    from conftest import copy_seed

    from corpus.cli import main

    copy_seed(sources, "001")
    (sources / "empty.txt").write_bytes(b"")
    (sources / "blank.md").write_text("\n   \n")
    (sources / "nul.txt").write_bytes(b"abc\x00\x00def" * 100)
    (sources / "random.txt").write_bytes(bytes((i * 7919) % 256 for i in range(4096)))
    (sources / "table.xlsx").write_bytes(b"PK\x03\x04")
    (sources / "gb18030 文章 (1).txt").write_bytes("网格化管理系统在郑州引起争议，民众抗议健康码。".encode("gb18030") * 4)
    (sources / "big5.txt").write_bytes("網格化管理系統與良民證在鄭州引起爭議，民眾抗議。".encode("big5") * 4)
    (sources / "utf16.txt").write_text("UTF-16 text with a BOM about grid management.\n", encoding="utf-16")
    (sources / "cp1252.txt").write_bytes("Café governance — “naïve” résumé of the façade.\n".encode("cp1252") * 3)
    (sources / "bom.txt").write_bytes("\ufeffUTF-8 with BOM\r\nand CRLF\u200b line ends\x07.".encode("utf-8"))
    (sources / "page.html").write_text("<html><script>alert(1)</script><style>p{}</style><!-- c --><p>Visible</p></html>")
    (sources / "one-line.txt").write_bytes(b"x" * 30_000_000)
    huge = sources / "huge.txt"
    with huge.open("wb") as fh:
        fh.truncate(50_000_000)  # sparse: 50 MB without writing them
    (sources / "outside.txt").symlink_to(tmp_path / "elsewhere.txt")
    (tmp_path / "elsewhere.txt").write_text("secret")
    (sources / "loop.txt").symlink_to(sources / "loop.txt")
    (sources / "dir-link").symlink_to(sources)
    (sources / "copy.txt").symlink_to(sources / "cp1252.txt")
    out = tmp_path / "out"
    assert main(["build", "--sources", str(sources), "--out", str(out)]) == 0
    import corpus

    docs = corpus.load("documents", releases=out).set_index("source_file")
    files = {p.relative_to(sources).as_posix() for p in sources.iterdir()}
    assert set(docs.index) == files
    reasons = docs["reject_reason"].dropna().to_dict()
    assert reasons == {"empty.txt": "empty", "blank.md": "whitespace_only", "nul.txt": "binary", "random.txt": "binary",
                       "table.xlsx": "unsupported_format", "huge.txt": "too_large", "one-line.txt": "too_large",
                       "outside.txt": "symlink_outside_sources", "loop.txt": "broken_symlink",
                       "dir-link": "symlink_to_directory"}
    assert docs.loc["gb18030 文章 (1).txt", "text"].startswith("网格化管理系统")
    assert docs.loc["big5.txt", "text"].startswith("網格化管理系統")
    assert docs.loc["cp1252.txt", "text"].startswith("Café governance — “naïve”")
    assert docs.loc["utf16.txt", "encoding"].startswith("utf") and docs.loc["utf16.txt", "status"] == "built"
    assert docs.loc["bom.txt", "text"] == "UTF-8 with BOM\n\nand CRLF line ends."
    assert docs.loc["page.html", "text"] == "Visible"
    assert sorted(docs.loc[["copy.txt", "cp1252.txt"], "status"]) == ["built", "duplicate"]
    paragraphs = corpus.load("paragraphs", releases=out)
    seed = docs.loc["001_article.txt"]
    assert seed["status"] == "built"
    assert (paragraphs["doc_id"] == seed["doc_id"]).sum() >= 10  # its ten paragraphs and notes


from hypothesis import given, settings, strategies as st  # noqa: E402

from corpus.pipeline.ingest import decode  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_decode_never_raises_on_random_bytes(raw):
    text, encoding, reason = decode(raw)
    assert (text is None) == (reason is not None)
    assert text is None or isinstance(encoding, str)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=500))
def test_decode_round_trips_utf8(text):
    decoded, encoding, reason = decode(text.encode("utf-8"))
    assert reason is not None or decoded == text


# ---- charsets (issue 13, 17) ----

GBK_PAGE = ("<html><head><meta charset=\"gbk\"><title>通知</title></head><body><p>网格化管理。</p></body></html>")


def test_bom_wins_over_everything(sources):
    (sources / "a.txt").write_bytes("\ufeff网格化管理系统".encode("utf-8"))
    (sources / "b.txt").write_bytes("网格化管理系统，良民證。".encode("utf-16"))
    docs, _ = ingest(sources)
    assert list(docs["encoding"]) == ["utf-8-sig", "utf-16"]
    assert list(docs["text"]) == ["网格化管理系统", "网格化管理系统，良民證。"]


@pytest.mark.parametrize("declaration", ['<meta charset="gbk">', "<meta charset=gb2312>",
                                         '<meta http-equiv="Content-Type" content="text/html; charset=GBK">'])
def test_html_meta_charset_is_honoured(sources, declaration):
    # Too short for byte detection to tell GBK from EUC-KR: only the declaration decides.
    page = f"<html><head>{declaration}<title>通知</title></head><body><p>网格化管理。</p></body></html>"
    (sources / "a.html").write_bytes(page.encode("gbk"))
    docs, _ = ingest(sources)
    row = docs.iloc[0]
    assert row["encoding"] == "gb18030" and row["status"] == "built"
    assert "网格化管理" in row["text"]


def test_valid_utf8_beats_a_legacy_declaration(sources):
    (sources / "a.html").write_bytes(GBK_PAGE.encode("utf-8"))
    docs, _ = ingest(sources)
    assert docs.iloc[0]["encoding"] == "utf-8" and "网格化管理" in docs.iloc[0]["text"]


def test_undeclared_legacy_bytes_are_detected(sources):
    (sources / "a.txt").write_bytes("网格化管理系统在郑州引起争议，民众抗议健康码。".encode("gb18030") * 4)
    docs, _ = ingest(sources)
    assert docs.iloc[0]["encoding"] == "gb18030" and docs.iloc[0]["replaced_bytes"] == 0


def test_stray_cp1252_bytes_in_utf8_are_replaced_and_counted(sources):
    text = "Grid management 网格化管理 in Zhengzhou: the “good citizen” 良民證 scheme. " * 3
    raw = text.encode("utf-8").replace("“good".encode("utf-8"), b"\x93good", 1)
    (sources / "a.txt").write_bytes(raw)
    docs, _ = ingest(sources)
    row = docs.iloc[0]
    assert row["status"] == "built" and row["encoding"] == "utf-8" and row["replaced_bytes"] == 1
    assert row["text"] == text.replace("“good", "\ufffdgood", 1)


def test_utf16_without_bom_is_text(sources):
    text = "UTF-16 without a byte order mark, as some exporters write it.\n" * 3
    (sources / "le.txt").write_bytes(text.encode("utf-16-le"))
    (sources / "be.txt").write_bytes(text.encode("utf-16-be"))
    docs, _ = ingest(sources)
    assert list(docs["status"]) == ["built", "built"]
    assert list(docs["text"]) == [text, text]


def test_a_nul_byte_is_cleaned_not_binary(sources):
    from corpus.pipeline.clean import clean

    (sources / "a.txt").write_bytes(b"A converter left a NUL\x00 byte and a form feed here.\x0cNext page.")
    docs = clean(ingest(sources)[0])
    assert docs.iloc[0]["status"] == "built"
    assert "\x00" not in docs.iloc[0]["text"] and "NUL byte" in docs.iloc[0]["text"]


def test_fifo_and_non_utf8_names_do_not_hang_or_crash(sources):
    import os

    os.mkfifo(sources / "pipe.txt")
    name = os.fsencode(str(sources)) + b"/caf\xe9.txt"
    with open(name, "wb") as fh:
        fh.write(b"A file whose name is not UTF-8.")
    docs, _ = ingest(sources)
    rows = dict(zip(docs["source_file"], docs["status"]))
    assert rows == {"caf\\xe9.txt": "built", "pipe.txt": "rejected"}
    assert docs.set_index("source_file").loc["pipe.txt", "reject_reason"] == "not_a_file"


# ---- HTML, Markdown, PDF ----

ARTICLE = """<html><head><title>City Daily | Weather and grids</title>
<meta name="author" content="Li Wei"><meta property="article:published_time" content="2023-05-04">
<link rel="canonical" href="https://news.example.org/grids"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Weather and grids</h1>
<p>Grid workers in Beijing now record the temperature of each neighbourhood along with the residents they
visit, according to a notice published by the municipal government this spring.</p>
<h2>Readings</h2>
<table><tr><th>City</th><th>Temperature</th></tr><tr><td>Beijing</td><td>21.5</td></tr>
<tr><td>Shanghai</td><td>24.0</td></tr></table>
<p>Officials say the readings will help the street offices plan their summer work, although residents
complain that the visits are frequent and that the forms ask for more than the weather.</p></article>
<footer><p>Share on Facebook</p><p>Copyright 2023 City Daily. All rights reserved.</p></footer>
<svg><title>logo</title></svg></body></html>"""


def test_html_main_content_with_table_rows_headings_and_metadata(sources):
    from corpus.pipeline.clean import clean, drop_recurring, offsets

    (sources / "a.html").write_text(ARTICLE, encoding="utf-8")
    docs = drop_recurring(clean(ingest(sources)[0]))
    row = docs.iloc[0]
    text = row["text"]
    assert row["extractor"] == "trafilatura" and not row["extraction_fallback"]
    assert "City | Temperature" in text.split("\n\n") and "Beijing | 21.5" in text.split("\n\n")
    assert "Home" not in text and "Share on Facebook" not in text and "All rights reserved" not in text
    assert text.startswith("Grid workers") or text.startswith("Weather and grids")
    assert "Readings" in [text[n:].split("\n\n")[0] for n in offsets(row["heading_starts"])]
    assert (row["title"], row["authors"], row["published"], row["url"]) == (
        "Weather and grids", "Li Wei", "2023-05-04", "https://news.example.org/grids")
    assert row["metadata_source"] == "inferred"
    assert row["sha256"] == __import__("hashlib").sha256(ARTICLE.encode("utf-8")).hexdigest()


def test_a_page_without_main_content_falls_back_to_visible_text_flagged(sources):
    (sources / "a.html").write_text("<html><head><title>T</title></head><body><footer><p>Only a footer here</p>"
                                    "</footer></body></html>")
    row = ingest(sources)[0].iloc[0]
    assert (row["status"], row["text"], row["extractor"], row["extraction_fallback"], row["title"]) == (
        "built", "Only a footer here", "visible_text", True, "T")


def test_a_page_too_big_for_trafilatura_is_read_as_visible_text_flagged(sources, monkeypatch):
    import corpus.pipeline.readers.html as html

    monkeypatch.setattr(html, "_MAX_ELEMENTS", 5)
    paragraphs = "".join(f"<p>Paragraph {i} of a long page about grid governance.</p>" for i in range(6))
    (sources / "a.html").write_text(f"<html><head><title>T</title></head><body>{paragraphs}</body></html>")
    row = ingest(sources)[0].iloc[0]
    assert (row["status"], row["extractor"], row["extraction_fallback"], row["title"]) == (
        "built", "visible_text", True, "T")
    assert row["text"].split("\n\n") == [f"Paragraph {i} of a long page about grid governance." for i in range(6)]


def test_sources_toml_metadata_wins_over_the_page(sources):
    (sources / "a.html").write_text(ARTICLE, encoding="utf-8")
    (sources / "sources.toml").write_text('[[document]]\nfile = "a.html"\ntitle = "Our title"\n')
    row = ingest(sources)[0].iloc[0]
    assert row["title"] == "Our title" and row["authors"] == "Li Wei"


def test_visible_text_keeps_table_cells_apart_and_ignores_svg_titles():
    text, title = html_text("<title>Page</title><svg><title>icon</title></svg>"
                            "<table><tr><td>Beijing</td><td>21.5</td></tr></table>")
    assert (text, title) == ("Beijing | 21.5", "Page")


MARKDOWN = """---
title: "Grid Governance in Zhengzhou"
author: Wang Fang
date: 2022-03-01
---

# Grid Governance in Zhengzhou

The **grid** system, described in [a city notice](https://zz.gov.cn/notice), is *new*.[^1]
Its workers visit
every household.

## Why it matters

网格员每天走访
居民家庭。

| District | Grids |
|---|---|
| Jinshui | 120 |

[^1]: Zhengzhou Municipal Government, [Notice on grids](https://zz.gov.cn/grids), 2021.
"""


def test_markdown_gives_clean_text_headings_and_note_urls(sources):
    from corpus.pipeline.clean import clean, drop_recurring, offsets

    (sources / "a.md").write_text(MARKDOWN, encoding="utf-8")
    row = drop_recurring(clean(ingest(sources)[0])).iloc[0]
    blocks = row["text"].split("\n\n")
    assert blocks == [
        "Grid Governance in Zhengzhou",
        "The grid system, described in a city notice (https://zz.gov.cn/notice), is new.[1] Its workers visit "
        "every household.",
        "Why it matters",
        "网格员每天走访居民家庭。",
        "District | Grids",
        "Jinshui | 120",
        "[1] Zhengzhou Municipal Government, Notice on grids (https://zz.gov.cn/grids), 2021.",
    ]
    headings = [row["text"][n:].split("\n\n")[0] for n in offsets(row["heading_starts"])]
    assert headings == ["Grid Governance in Zhengzhou", "Why it matters"]
    assert (row["title"], row["authors"], row["published"]) == ("Grid Governance in Zhengzhou", "Wang Fang",
                                                                 "2022-03-01")
    assert row["extractor"] == "markdown-it-py"


def test_markdown_drops_html_comments_and_lines_of_links_to_files():
    from corpus.pipeline.readers.markdown import read_markdown

    text = ("# 关于网格化管理的通知\n\n<!-- INFO END -->\n\n"
            "[Download PDF (284KB)](https://example.org/r.pdf)      | [PDF Version History](https://example.org#)\n\n"
            "Grids <!-- note to editors --> cover [the city](https://example.org/city).\n\n"
            "[Read the notice](https://example.org/notice)\n")
    assert read_markdown(text).text.split("\n\n") == [
        "# 关于网格化管理的通知", "Grids  cover the city (https://example.org/city).",
        "Read the notice (https://example.org/notice)"]


def write_pdf(pages: list[list[tuple[int, int, int, str]]]) -> bytes:
    """A minimal PDF: each page a list of (x, y, font size, text) lines in Helvetica."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        ops = "".join(f"BT /F1 {size} Tf {x} {y} Td ({t.replace('(', '[').replace(')', ']')}) Tj ET\n"
                      for x, y, size, t in lines)
        objects.append(f"<< /Length {len(ops.encode('latin-1'))} >>\nstream\n{ops}endstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {len(objects)} 0 R "
                       "/Resources << /Font << /F1 3 0 R >> >> >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


PAGE_1 = """Grid management divides each city into cells of a few hundred households,
and every cell has a grid worker who visits homes, records the residents
and reports problems to the street office.1 The system began in Beijing
in 2004 and spread across the country after 2013, when the Party made
social governance a national priority. Its critics question the govern-
ance of the data it collects and the burden it places on the workers.
Scholars disagree about its effects on trust in local government and on
the everyday administration of neighbourhoods, which the grid workers
now handle with smartphone applications that report every visit, and""".split("\n")
PAGE_2 = """with cameras that watch the entrances of the residential compounds. The
governance of these data is left to the district offices, which store
them in platforms built by private companies under contract.""".split("\n")
HEADER = "Grid Management in China: A Report"
FOOTNOTE = "1 Ministry of Civil Affairs, Annual Report on Community Governance, Beijing, 2015."


def _page(number: int, lines: list[str], footnote: str | None) -> list[tuple[int, int, int, str]]:
    items = [(72, 750, 9, HEADER)] + [(72, 700 - 14 * i, 11, line) for i, line in enumerate(lines)]
    return items + ([(72, 90, 8, footnote)] if footnote else []) + [(300, 50, 9, str(number))]


def test_pdf_gives_pages_clean_text_and_page_foot_notes(sources):
    from corpus.pipeline.clean import clean, drop_recurring, offsets

    pdf = write_pdf([_page(1, PAGE_1, FOOTNOTE), _page(2, PAGE_2, None), _page(3, [], None)])
    (sources / "report.pdf").write_bytes(pdf)
    row = drop_recurring(clean(ingest(sources)[0])).iloc[0]
    assert row["format"] == "pdf" and row["extractor"] == "pypdfium2-layout" and row["status"] == "built"
    blocks = row["text"].split("\n\n")
    assert HEADER not in row["text"]  # a running header, on the first page too
    assert blocks[0].startswith("Grid management divides") and "the governance of the data" in blocks[0]
    assert "the workers. Scholars disagree" in blocks[0] and "and with cameras that watch" in blocks[0]
    assert blocks[-1] == "[1] " + FOOTNOTE.removeprefix("1 ")  # the page-foot note, after the running text
    starts = offsets(row["page_starts"])
    # a paragraph carried over to the next page stays on the page it starts on; pages without a block of
    # their own start where the next one does (the notes, after the last page's blocks)
    assert starts == [0, len(blocks[0]) + 2, len(blocks[0]) + 2]
    assert not any(b.strip().isdigit() for b in blocks)


def test_a_damaged_pdf_is_rejected_with_a_reason(sources):
    (sources / "bad.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    row = ingest(sources)[0].iloc[0]
    assert row["status"] == "rejected" and row["reject_reason"] == "unreadable_pdf"


def test_sources_toml_that_is_a_fifo_or_not_utf8_is_a_one_line_error(sources):
    import os

    (sources / "a.txt").write_text("text")
    (sources / "sources.toml").write_bytes('[[document]]\nfile = "a.txt"\ntitle = "网格"\n'.encode("gb18030"))
    with pytest.raises(SourcesError, match=r"sources.toml:3: not UTF-8"):
        ingest(sources)
    (sources / "sources.toml").unlink()
    os.mkfifo(sources / "sources.toml")
    with pytest.raises(SourcesError, match="not a regular file"):
        ingest(sources)


def test_a_declared_charset_tolerates_a_stray_byte(sources):
    text = "网格化管理系统在郑州引起争议，民众抗议健康码。" * 5
    raw = text.encode("gbk")
    page = b'<html><head><meta charset="gb2312"></head><body><p>' + raw[:30] + b"\xff" + raw[30:] + b"</p></body></html>"
    (sources / "a.html").write_bytes(page)
    row = ingest(sources)[0].iloc[0]
    assert row["encoding"] == "gb18030" and row["replaced_bytes"] >= 1 and "民众抗议健康码" in row["text"]


@pytest.mark.parametrize("date", ["2023-02-30", "2023-13", "0000", "2023-00", "2024-04-31"])
def test_impossible_published_dates_are_refused_naming_the_line(sources, date):
    (sources / "a.txt").write_text("text")
    (sources / "sources.toml").write_text(f'[[document]]\nfile = "a.txt"\ntitle = "A"\npublished = "{date}"\n')
    with pytest.raises(SourcesError) as e:
        ingest(sources)
    [problem] = e.value.problems
    assert "sources.toml:4" in problem and date in problem and "\n" not in problem


def test_published_is_typed_with_its_precision(sources):
    import datetime

    for name in "abc":
        (sources / f"{name}.txt").write_text(name)
    (sources / "sources.toml").write_text('[[document]]\nfile = "a.txt"\npublished = "2024-02-29"\n'
                                          '[[document]]\nfile = "b.txt"\npublished = "1954"\n'
                                          '[[document]]\nfile = "c.txt"\n')
    docs = ingest(sources)[0].set_index("source_file")
    assert docs.loc["a.txt", ["published_date", "published_precision"]].tolist() == [datetime.date(2024, 2, 29), "day"]
    assert docs.loc["b.txt", ["published_date", "published_precision"]].tolist() == [datetime.date(1954, 1, 1), "year"]
    assert docs.loc["c.txt", ["published", "published_date", "published_precision"]].isna().all()


# --- inputs that were lost or garbled (issue 22): each is built with its text, or rejected with a reason ---

from hypothesis import given, settings, strategies as st  # noqa: E402

from corpus.pipeline.ingest import decode_counting  # noqa: E402

_WORDS = st.lists(st.sampled_from(["data", "governance", "网格化管理", "郑州", "“good citizen”", "naïve", "—",
                                   "2023", "регулирование", "個人情報", "a", "the"]), min_size=60, max_size=120)


@settings(max_examples=60, deadline=None)
@given(_WORDS, st.integers(0, 10_000), st.sampled_from([0x80, 0x85, 0x91, 0x92, 0x93, 0x94, 0x96, 0x97, 0xA0,
                                                         0xE9, 0xFC]))
def test_one_stray_byte_in_utf8_is_replaced_and_counted_never_a_charset_switch(words, at, byte):
    text = " ".join(words) + "."
    cut = at % (len(text) + 1)
    raw = text[:cut].encode("utf-8") + bytes([byte]) + text[cut:].encode("utf-8")
    decoded, encoding, reason, bad = decode_counting(raw)
    assert (encoding, reason, bad) == ("utf-8", None, 1)
    assert decoded == text[:cut] + "\ufffd" + text[cut:]


def test_a_stray_byte_in_plain_english_stays_utf8(sources):
    text = "The committee met on Tuesday to discuss the regulation on data governance and privacy. " * 3
    (sources / "a.txt").write_bytes(text.encode().replace(b"Tuesday", b"Tuesday\x97", 1))
    row = ingest(sources)[0].iloc[0]
    assert (row["status"], row["encoding"], row["replaced_bytes"]) == ("built", "utf-8", 1)
    assert row["text"] == text.replace("Tuesday", "Tuesday\ufffd", 1)


@pytest.mark.parametrize("label", ["iso-8859-1", "ISO_8859-1", "latin1", "us-ascii"])
def test_a_latin1_declaration_is_read_as_cp1252_as_browsers_do(sources, label):
    body = "He said “hello” – it costs €5 — really… ‘fine’ ™ Œuvre. " * 4
    page = f'<html><head><meta charset="{label}"><title>T</title></head><body><p>{body}</p></body></html>'
    (sources / "a.html").write_bytes(page.encode("cp1252"))
    row = ingest(sources)[0].iloc[0]
    assert row["status"] == "built" and row["encoding"] == "cp1252" and row["replaced_bytes"] == 0
    assert "“hello” – it costs €5 — really… ‘fine’ ™ Œuvre." in row["text"]


JAPANESE = "日本語のテキストです。東京都の個人情報保護条例について説明します。"


@pytest.mark.parametrize("label", ["utf-8", "gb2312", "euc-kr", "iso-8859-1", "big5", "windows-1252"])
def test_shift_jis_with_a_wrong_meta_is_detected(sources, label):
    page = f'<html><head><meta charset="{label}"></head><body><p>{JAPANESE * 5}</p></body></html>'
    (sources / "a.html").write_bytes(page.encode("shift_jis"))
    row = ingest(sources)[0].iloc[0]
    assert row["status"] == "built" and row["encoding"] in ("shift_jis", "cp932")
    assert JAPANESE in row["text"]


@pytest.mark.parametrize("text", ["网格化管理系统在郑州引起争议，民众抗议健康码。\n" * 5, JAPANESE * 4,
                                  "個人情報保護法第三條規定，資料之蒐集應有特定目的。\n" * 4])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_cjk_without_bom_is_text_not_binary(sources, text, codec):
    (sources / "a.txt").write_bytes(text.encode(codec))
    row = ingest(sources)[0].iloc[0]
    assert row["status"] == "built" and row["encoding"].replace("-", "_") == codec.replace("-", "_")
    assert row["text"] == text


@pytest.mark.parametrize("order", ["utf8_first", "gbk_first", "interleaved"])
def test_a_file_of_utf8_and_gbk_parts_is_decoded_part_by_part(sources, order):
    a = ["第一部分：网格化管理系统在郑州引起争议，民众抗议健康码。", "数据安全法要求建立数据分类分级保护制度。"]
    b = ["第二部分：个人信息保护法规定了处理个人信息的规则。", "网络安全审查办法自公布之日起施行。"]
    parts = {"utf8_first": [(x, "utf-8") for x in a] + [(x, "gbk") for x in b],
             "gbk_first": [(x, "gbk") for x in b] + [(x, "utf-8") for x in a],
             "interleaved": [(a[0], "utf-8"), (b[0], "gbk"), (a[1], "utf-8"), (b[1], "gbk")]}[order]
    (sources / "a.txt").write_bytes(b"\n\n".join(x.encode(codec) for x, codec in parts))
    row = ingest(sources)[0].iloc[0]
    assert row["status"] == "built" and row["encoding"] == "utf-8+gb18030" and row["replaced_bytes"] == 0
    assert row["text"] == "\n\n".join(x for x, _ in parts)


@pytest.mark.parametrize("module,reader", [("trafilatura", "read_html"), ("markdown_it", "read_markdown"),
                                           ("pypdf", "read_pdf"), ("pypdfium2", "read_pdf")])
def test_a_missing_reader_package_names_the_package_and_the_extra(monkeypatch, module, reader):
    import importlib

    from corpus.errors import MissingExtraError

    monkeypatch.setitem(__import__("sys").modules, module, None)  # `import module` now raises ImportError
    readers = {"read_html": "html", "read_markdown": "markdown", "read_pdf": "pdf"}
    read = getattr(importlib.import_module(f"corpus.pipeline.readers.{readers[reader]}"), reader)
    with pytest.raises(MissingExtraError, match=rf"needs the '{module.replace('_', '-')}(-py)?' package: pip install "
                                                r"'china-digital-governance-corpus\[build\]'"):
        read(b"%PDF" if reader == "read_pdf" else "text")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.from_regex(r"[0-9a-z]{1,4}", fullmatch=True),
                          st.sampled_from(["Ibid.", "同上", "Id.", "https://example.org/report.pdf", "<https://x.cn/a>",
                                           "ibidem", "前引", "Smith, Title, 2020."])),
                min_size=1, max_size=5, unique_by=lambda t: t[0]))
def test_markdown_footnotes_of_one_token_or_a_url_stay_notes(notes):
    from corpus.pipeline.clean import clean_text
    from corpus.pipeline.readers.markdown import read_markdown

    refs = "".join(f"[^{label}]" for label, _ in notes)
    text = f"The regulation was amended twice.{refs}\n\n" + "\n".join(f"[^{label}]: {body}" for label, body in notes)
    blocks = clean_text(read_markdown(text).text, "md").split("\n\n")
    assert blocks[0] == "The regulation was amended twice." + "".join(f"[{label}]" for label, _ in notes)
    assert blocks[1:] == [f"[{label}] {body.strip('<>')}" for label, body in notes]


def _pdf_with_stream(stream: bytes, filters: str = "/FlateDecode") -> bytes:
    """A one-page PDF whose content stream is `stream`, encoded by `filters`."""
    body = stream.decode("latin-1")
    pdf = write_pdf([[(72, 700, 11, "PLACEHOLDER")]]).decode("latin-1")
    start = pdf.index("<< /Length")
    end = pdf.index("endstream", start) + len("endstream")
    pdf = pdf[:start] + f"<< /Length {len(stream)} /Filter {filters} >>\nstream\n{body}\nendstream" + pdf[end:]
    return pdf.encode("latin-1")  # pypdf finds the objects again without the xref's exact offsets


@pytest.mark.parametrize("filters", ["/FlateDecode", "[/FlateDecode /FlateDecode]"])
def test_a_pdf_decompression_bomb_is_rejected_as_pdf_limit(sources, filters, capsys):
    import zlib

    from pypdf import apply_configuration

    # pypdf's own limits (75 MB by default) scaled down, so that a bomb of a few MB sets them off quickly
    packer = zlib.compressobj(9)
    bomb = b"".join(packer.compress(b"0" * 1_000_000) for _ in range(5)) + packer.flush()
    if " " in filters:
        bomb = zlib.compress(bomb)
    (sources / "bomb.pdf").write_bytes(_pdf_with_stream(bomb, filters))
    (sources / "ok.txt").write_text("A text beside the bomb is built.")
    with apply_configuration(zlib_maximum_output_length=1_000_000):
        docs = ingest(sources)[0].set_index("source_file")
    assert docs.loc["bomb.pdf", "status"] == "rejected" and docs.loc["bomb.pdf", "reject_reason"] == "pdf_limit"
    assert docs.loc["ok.txt", "status"] == "built"
    assert "Traceback" not in capsys.readouterr().err


def test_a_page_nested_deeper_than_libxml2_builds_keeps_its_text(sources):
    body = "<p>The provincial data bureau published its rules on public data on Monday, with datasets.</p>"
    intro = "<p>An introduction long enough to be taken for the main content of this page by the extractor.</p>"
    for depth in (300, 20_000):
        page = f"<html><head><title>Deep</title></head><body>{intro}{'<div>' * depth}{body}{'</div>' * depth}</body></html>"
        (sources / "deep.html").write_text(page)
        row = ingest(sources)[0].iloc[0]
        assert row["status"] == "built" and row["extraction_fallback"] and row["title"] == "Deep"
        assert "provincial data bureau" in row["text"] and "An introduction" in row["text"]


# --- every file accounted for (issue 29) ---

def _deny(monkeypatch, name: str, folder) -> None:
    """os.`name` raises PermissionError under `folder`, as for a user without the folder's permissions (the
    tests run as root, whom permissions do not stop)."""
    import os

    real = getattr(os, name)

    def denied(path, *args, **kwargs):
        if str(os.fspath(path) if not isinstance(path, int) else "").startswith(str(folder)):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, name, denied)


@pytest.mark.parametrize("depth", [1, 3])
def test_a_folder_that_cannot_be_listed_is_a_rejected_row_and_the_build_goes_on(sources, monkeypatch, depth):
    locked = sources.joinpath(*["sub"] * depth)
    locked.mkdir(parents=True)
    (locked / "inside.txt").write_text("Never seen.")
    (sources / "a.txt").write_text("A readable file.")
    (sources / "zz.txt").write_text("Another readable file.")
    _deny(monkeypatch, "scandir", locked)
    docs = ingest(sources)[0].set_index("source_file")
    rel = "/".join(["sub"] * depth)
    assert list(docs.index) == ["a.txt", rel, "zz.txt"]
    assert (docs.loc[rel, "status"], docs.loc[rel, "reject_reason"]) == ("rejected", "unreadable_folder")
    assert list(docs.loc[["a.txt", "zz.txt"], "status"]) == ["built", "built"]


def test_files_of_a_folder_listed_but_not_entered_are_rejected_one_by_one(sources, monkeypatch):
    locked = sources / "sub"
    locked.mkdir()
    for name in ("x.txt", "y.md"):
        (locked / name).write_text("Cannot be opened.")
    (sources / "a.txt").write_text("A readable file.")
    _deny(monkeypatch, "stat", locked)  # listing works (the names are in the folder), looking at a file does not
    _deny(monkeypatch, "open", locked)
    docs = ingest(sources)[0].set_index("source_file")
    assert dict(docs["reject_reason"].dropna()) == {"sub/x.txt": "unreadable", "sub/y.md": "unreadable"}
    assert docs.loc["a.txt", "status"] == "built"


@pytest.mark.skipif(not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
                    reason="root reads every folder whatever its permissions")
@pytest.mark.parametrize("mode,reasons", [(0o000, {"sub": "unreadable_folder"}),
                                          (0o644, {"sub/x.txt": "unreadable"})])
def test_real_permissions(sources, mode, reasons):
    (sources / "sub").mkdir()
    (sources / "sub" / "x.txt").write_text("Locked away.")
    (sources / "a.txt").write_text("A readable file.")
    (sources / "sub").chmod(mode)
    try:
        docs = ingest(sources)[0].set_index("source_file")
    finally:
        (sources / "sub").chmod(0o755)
    assert dict(docs["reject_reason"].dropna()) == reasons and docs.loc["a.txt", "status"] == "built"


def test_a_tree_deeper_than_the_recursion_limit_is_walked(sources):
    import sys

    import os

    deep = str(sources)
    for _ in range(sys.getrecursionlimit() + 100):  # Path.mkdir(parents=True) would itself recurse
        deep += "/d"
        os.mkdir(deep)
    (Path(deep) / "bottom.txt").write_text("Found at the bottom.")
    try:
        docs = ingest(sources)[0]
        assert list(docs["status"]) == ["built"] and docs.iloc[0]["source_file"].endswith("/d/bottom.txt")
    finally:  # bottom up: shutil.rmtree, which pytest cleans with, recurses as deep as the tree
        os.remove(Path(deep) / "bottom.txt")
        while deep != str(sources):
            os.rmdir(deep)
            deep = os.path.dirname(deep)


@pytest.mark.parametrize("name,module,function", [("a.html", "corpus.pipeline.ingest", "read_html"),
                                                  ("a.md", "corpus.pipeline.ingest", "read_markdown"),
                                                  ("a.pdf", "pypdf", "PdfReader"),
                                                  ("a.txt", "corpus.pipeline.ingest", "decode_counting")])
def test_ctrl_c_inside_a_reader_reaches_the_caller_as_itself(sources, monkeypatch, name, module, function):
    import importlib

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(importlib.import_module(module), function, interrupted)
    (sources / name).write_bytes(write_pdf([[(72, 700, 11, "Text.")]]) if name.endswith(".pdf") else b"Text.")
    with pytest.raises(KeyboardInterrupt):
        ingest(sources)


def test_partitions_of_one_build_parse_sources_toml_once(sources, monkeypatch):
    import corpus.pipeline.ingest as ingest_module

    for name in ("a.txt", "b.txt"):
        (sources / name).write_text("Grid governance in Hangzhou.")
    (sources / "sources.toml").write_text('[[document]]\nfile = "a.txt"\ntitle = "A"\n')
    parses = []
    real = ingest_module.read_manifest
    monkeypatch.setattr(ingest_module, "read_manifest", lambda s: parses.append(s) or real(s))
    titles = [ingest(sources, files=[name])[0]["title"].iloc[0] for name in ("a.txt", "b.txt")]
    assert titles[0] == "A" and len(parses) == 1
    (sources / "sources.toml").write_text('[[document]]\nfile = "a.txt"\ntitle = "B"\n')
    assert ingest(sources, files=["a.txt"])[0]["title"].iloc[0] == "B" and len(parses) == 2


def test_a_few_bytes_with_a_nul_stay_utf8():
    # hypothesis found this: four bytes of UTF-8 ("0", NUL, U+0080) read as UTF-16-LE "0胂"
    text, encoding, reason = decode("0\x00\u0080".encode("utf-8"))
    assert encoding != "utf-16-le" and (reason is not None or text == "0\x00\u0080")
