"""The DOCX reader on Word documents written in the tests with python-docx (and, where python-docx has no
API, its XML: footnotes, endnotes, tracked changes)."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

docx = pytest.importorskip("docx")
from docx.oxml import parse_xml  # noqa: E402
from docx.oxml.ns import nsdecls  # noqa: E402

from corpus.pipeline.clean import clean, offsets  # noqa: E402
from corpus.pipeline.ingest import ingest  # noqa: E402
from corpus.pipeline.readers.docx import DocxUnreadable, read_docx  # noqa: E402
from corpus.pipeline.segment import segment  # noqa: E402


def _bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _note_ref(paragraph, kind: str, note_id: int) -> None:
    """A run holding a footnote or endnote reference, at the end of `paragraph`."""
    paragraph._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:{kind}Reference w:id="{note_id}"/></w:r>'))


def _with_notes(raw: bytes, kind: str, notes: dict[int, str]) -> bytes:
    """The package with a footnotes.xml or endnotes.xml part holding `notes` (id: text), as Word writes it:
    the separator notes first, each note's own number mark (not text) before its words."""
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = "".join(f'<w:{kind} w:id="{i}"><w:p><w:r><w:{kind}Ref/></w:r><w:r><w:t xml:space="preserve"> {text}</w:t>'
                   f"</w:r></w:p></w:{kind}>" for i, text in notes.items())
    part = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{kind}s {ns}>'
            f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
            f"{body}</w:{kind}s>")
    source, out = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", f'<Override PartName="/word/{kind}s.xml" ContentType="application/'
                                    f'vnd.openxmlformats-officedocument.wordprocessingml.{kind}s+xml"/></Types>'.encode())
            elif item.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Id="rIdNotes{kind}" Type="http://schemas.'
                                    f'openxmlformats.org/officeDocument/2006/relationships/{kind}s" Target="{kind}s.xml"/>'
                                    "</Relationships>".encode())
            target.writestr(item, data)
        target.writestr(f"word/{kind}s.xml", part.encode())
    return out.getvalue()


def test_headings_by_style_and_outline_level_open_sections():
    document = docx.Document()
    document.add_heading("数字政府建设", level=1)
    document.add_paragraph("推进一网通办，建设城市大脑。")
    document.add_heading("Grid management", level=2)
    document.add_paragraph("Grid workers report events through an app.")
    outlined = document.add_paragraph("Outline-level heading in a plain style")
    outlined._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="0"/>'))
    document.add_paragraph("Body text at outline level nine is not a heading.")._p.get_or_add_pPr().append(
        parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="9"/>'))
    text = read_docx(_bytes(document)).text
    assert text.split("\n\n") == ["# 数字政府建设", "推进一网通办，建设城市大脑。", "# Grid management",
                                  "Grid workers report events through an app.",
                                  "# Outline-level heading in a plain style",
                                  "Body text at outline level nine is not a heading."]


def test_a_style_based_on_a_heading_style_is_a_heading():
    document = docx.Document()
    style = document.styles.add_style("Report Heading", docx.enum.style.WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Heading 2"]
    document.add_paragraph("二、2024年工作安排", style="Report Heading")
    document.add_paragraph("正文。")
    assert read_docx(_bytes(document)).text == "# 二、2024年工作安排\n\n正文。"


def test_lists_keep_their_numbers_and_bullets_and_tables_become_rows():
    document = docx.Document()
    for item in ("first", "second", "third"):
        document.add_paragraph(item, style="List Number")
    document.add_paragraph("a point", style="List Bullet")
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate([("城市", "指标", "2023"), ("蚌埠", "", "5.6%")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    assert read_docx(_bytes(document)).text.split("\n\n") == [
        "1. first", "2. second", "3. third", "- a point", "城市 | 指标 | 2023", "蚌埠 | 5.6%"]


def _numbered(document, text: str, num_id: int, level: int) -> None:
    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/>'
                                                   f'<w:numId w:val="{num_id}"/></w:numPr>'))


def test_chinese_list_numbers_restart_below_a_higher_level_and_honour_a_start_override():
    document = docx.Document()
    numbering = document.part.numbering_part.element
    levels = [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3.")]
    numbering.append(parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        + "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
                  for i, (fmt, text) in enumerate(levels)) + "</w:abstractNum>"))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="91"><w:abstractNumId w:val="90"/>'
                               '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="11"/></w:lvlOverride></w:num>'))
    for text, level in [("总体要求", 0), ("稳增长", 1), ("促改革", 1), ("第一项", 2), ("重点任务", 0), ("数字政府", 1)]:
        _numbered(document, text, 90, level)
    _numbered(document, "附则", 91, 0)
    assert read_docx(_bytes(document)).text.split("\n\n") == [
        "一、 总体要求", "（一） 稳增长", "（二） 促改革", "1. 第一项", "二、 重点任务", "（一） 数字政府", "十一、 附则"]


def test_footnotes_become_markers_and_a_numbered_notes_list():
    document = docx.Document()
    first = document.add_paragraph("Grid management spread after 2004.")
    _note_ref(first, "footnote", 7)  # Word's ids are not the numbers it shows: those follow the references
    second = document.add_paragraph("Health codes followed in 2020.")
    _note_ref(second, "footnote", 2)
    raw = _with_notes(_bytes(document), "footnote", {2: "Cai, Health codes, 2021.", 7: "Tang, Grids, 2019."})
    blocks = read_docx(raw).text.split("\n\n")
    assert blocks == ["Grid management spread after 2004.¹", "Health codes followed in 2020.²",
                      "1. Tang, Grids, 2019.", "2. Cai, Health codes, 2021."]


def test_endnotes_are_notes_too():
    document = docx.Document()
    _note_ref(document.add_paragraph("城市大脑于2016年在杭州启用。"), "endnote", 1)
    blocks = read_docx(_with_notes(_bytes(document), "endnote", {1: "杭州市人民政府，2017年。"})).text.split("\n\n")
    assert blocks == ["城市大脑于2016年在杭州启用。¹", "1. 杭州市人民政府，2017年。"]


def test_notes_reach_the_citations_layer_through_the_text(tmp_path):
    from corpus.pipeline.citations import citations

    document = docx.Document()
    document.add_heading("Findings", level=1)
    for n in range(1, 4):
        _note_ref(document.add_paragraph(f"Claim number {n} about grid management in Chinese cities."), "footnote", n)
    raw = _with_notes(_bytes(document), "footnote", {n: f"Author {n}, Grid study {n} (Beijing: Press, 20{10 + n})."
                                                      for n in range(1, 4)})
    (tmp_path / "notes.docx").write_bytes(raw)
    documents = clean(ingest(tmp_path)[0])
    _, paragraphs, _ = segment(documents)
    found, references = citations(documents, paragraphs)
    assert set(found["text"]) == {"¹", "²", "³"} and sorted(found["note_number"]) == [1, 2, 3]
    assert found["resolved"].all()
    assert sorted(references["note_number"]) == [1, 2, 3] and all("Grid study" in t for t in references["text"])


def test_tracked_deletions_and_comments_never_reach_the_text_insertions_do():
    document = docx.Document()
    paragraph = document.add_paragraph("The city ")
    paragraph._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="1" w:author="editor" w:date="2024-01-02T00:00:00Z">'
                                  "<w:r><w:delText>REMOVED WORDS </w:delText></w:r></w:del>"))
    paragraph._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="2" w:author="editor" w:date="2024-01-02T00:00:00Z">'
                                  "<w:r><w:t>adopted a city brain</w:t></w:r></w:ins>"))
    paragraph._p.append(parse_xml(f'<w:moveFrom {nsdecls("w")} w:id="3" w:author="editor">'
                                  "<w:r><w:t> MOVED AWAY</w:t></w:r></w:moveFrom>"))
    paragraph.add_run(".")
    document.add_comment(paragraph.runs, text="SECRET REVIEWER COMMENT", author="reviewer")
    text = read_docx(_bytes(document)).text
    assert text == "The city adopted a city brain."


def test_hidden_text_and_the_table_of_contents_are_not_read():
    document = docx.Document()
    toc = parse_xml(f'<w:sdt {nsdecls("w")}><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
                    "<w:docPartUnique/></w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:r><w:t>Contents</w:t></w:r></w:p>"
                    "<w:p><w:r><w:t>Introduction\t3</w:t></w:r></w:p></w:sdtContent></w:sdt>")
    document.element.body.insert(0, toc)
    document.add_paragraph("Findings\t7", style=document.styles.add_style("toc 1", docx.enum.style.WD_STYLE_TYPE.PARAGRAPH))
    paragraph = document.add_paragraph("Seen ")
    paragraph.add_run("HIDDEN ").font.hidden = True
    paragraph.add_run("text.")
    shown = paragraph.add_run(" again")
    shown.font.hidden = False  # w:vanish w:val="0": switched off, shown
    assert read_docx(_bytes(document)).text == "Seen text. again"


def test_core_properties_give_title_and_author_with_docx_provenance(tmp_path):
    document = docx.Document()
    document.core_properties.title = "杭州市数字政府建设报告"
    document.core_properties.author = "杭州市人民政府办公厅"
    document.add_paragraph("正文。")
    (tmp_path / "report.docx").write_bytes(_bytes(document))
    row = ingest(tmp_path)[0].iloc[0]
    assert (row["format"], row["status"], row["extractor"]) == ("docx", "built", "python-docx")
    assert row["title"] == "杭州市数字政府建设报告" and row["authors"] == "杭州市人民政府办公厅"
    assert (row["title_source"], row["authors_source"], row["metadata_source"]) == ("docx-core", "docx-core", "inferred")
    assert pd.isna(row["published"])  # the file's created and modified dates are not the document's


@pytest.mark.parametrize("title", ["Microsoft Word - AVE2008 Report.doc", "draft_v3.docx", "Document1", "文档1",
                                   "Normal", "   "])
def test_a_file_name_or_template_title_is_not_a_title(title):
    document = docx.Document()
    document.core_properties.title = title
    document.add_paragraph("Text.")
    raw = _bytes(document)
    # the template the default document names in docProps/app.xml is Normal.dotm
    assert b"Normal" in zipfile.ZipFile(io.BytesIO(raw)).read("docProps/app.xml")
    assert read_docx(raw).title is None


def test_sources_toml_has_the_last_word_over_core_properties(tmp_path):
    document = docx.Document()
    document.core_properties.author = "a compiler who saved the file"
    document.add_paragraph("各位代表：现在，我代表市人民政府向大会报告工作。")
    (tmp_path / "report.docx").write_bytes(_bytes(document))
    (tmp_path / "sources.toml").write_text('[[document]]\nfile = "report.docx"\nauthors = ["滁州市人民政府"]\n'
                                           'issuer = "滁州市人民政府"\n', encoding="utf-8")
    row = ingest(tmp_path)[0].iloc[0]
    assert row["authors"] == "滁州市人民政府" and row["metadata_source"] == "sources.toml"
    assert row["authors_source"] == "sources.toml"
    assert (row["issuer_level"], row["province"]) == ("prefectural", "安徽省")


def test_headings_become_sections_with_exact_offsets(tmp_path):
    document = docx.Document()
    document.add_paragraph("各位代表：")
    document.add_heading("一、2023年工作回顾", level=1)
    document.add_paragraph("过去一年，我们推进数字政府建设。")
    document.add_heading("二、2024年工作安排", level=1)
    document.add_paragraph("今年要建设城市大脑。")
    (tmp_path / "report.docx").write_bytes(_bytes(document))
    documents = clean(ingest(tmp_path)[0])
    text = documents.iloc[0]["text"]
    starts = offsets(documents.iloc[0]["heading_starts"])
    assert [text[s:].split("\n")[0] for s in starts] == ["一、2023年工作回顾", "二、2024年工作安排"]
    sections, paragraphs, _ = segment(documents)
    assert len(sections) >= 2
    for row in paragraphs.itertuples():
        assert text[row.char_start:row.char_end] == row.text


def test_soft_line_breaks_set_blocks_apart():
    document = docx.Document()
    paragraph = document.add_paragraph("市长  马  军")
    for line in ("各位代表：", "2023年工作回顾"):
        paragraph.add_run().add_break()
        paragraph.add_run(line)
    assert read_docx(_bytes(document)).text == "市长 马 军\n\n各位代表：\n\n2023年工作回顾"


@pytest.mark.parametrize("raw", [b"", b"PK\x03\x04 not a zip", b"plain text, not a document"])
def test_bytes_that_are_no_word_document_are_unreadable(raw):
    with pytest.raises(DocxUnreadable):
        read_docx(raw)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=12), st.booleans())
def test_a_damaged_docx_is_read_or_unreadable_never_an_error(damage, truncate):
    document = docx.Document()
    document.add_heading("Report", level=1)
    document.add_paragraph("Grid management and health codes. " * 40)
    raw = bytearray(_bytes(document))
    for at, value in damage:
        raw[at % len(raw)] = value
    if truncate:
        raw = raw[:damage[0][0] % len(raw)]
    try:
        read_docx(bytes(raw))
    except DocxUnreadable as e:
        assert e.args[0] in ("unreadable_docx", "docx_limit")


def test_an_unreadable_docx_is_a_rejected_row_beside_the_built_ones(tmp_path):
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as z:  # a zip without a Word document inside
        z.writestr("hello.txt", "hello")
    (tmp_path / "other.docx").write_bytes(package.getvalue())
    document = docx.Document()
    document.add_paragraph("A document beside them is built.")
    (tmp_path / "ok.docx").write_bytes(_bytes(document))
    rows = ingest(tmp_path)[0].set_index("source_file")
    assert rows.loc["ok.docx", "status"] == "built"
    assert rows.loc["broken.docx", "reject_reason"] == "unreadable_docx"
    assert rows.loc["other.docx", "reject_reason"] == "unreadable_docx"


# Text python-docx can write: XML 1.0 characters, no line or tab controls (those are w:br and w:tab).
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
                min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_TEXT, st.sampled_from(["Normal", "Heading 1", "List Bullet", "Quote"])),
                min_size=1, max_size=8))
def test_each_paragraph_is_one_block_with_its_mark_and_its_text_modulo_whitespace(paragraphs):
    document = docx.Document()
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    try:
        extracted = read_docx(_bytes(document)).text
    except DocxUnreadable:
        raise AssertionError("python-docx's own document was refused") from None
    prefix = {"Heading 1": "# ", "List Bullet": "- "}
    expected = [prefix.get(style, "") + " ".join(text.split()) for text, style in paragraphs if text.split()]
    assert (extracted.split("\n\n") if extracted else []) == expected
