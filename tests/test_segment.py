from hypothesis import given, settings, strategies as st

from corpus.pipeline.clean import clean_text
from corpus.pipeline.segment import paragraph_kind, segment
from corpus.tables import frame


def _documents(text: str, title: str | None = None, authors: str | None = None):
    return frame("documents", [{"doc_id": "d", "source_file": "d.txt", "text": text, "status": "built",
                                "title": title, "authors": authors}])


def test_sections_paragraphs_and_sentences():
    text = clean_text("Grid Meets Web\nPatricia M. Thornton\nFirst paragraph. It has two sentences.\n"
                      "Fortifying the Grid\nSecond paragraph here.\n[1] A note.\n[2] Another note.")
    sections, paragraphs, sentences = segment(_documents(text, "Grid Meets Web", "Patricia M. Thornton"))
    assert list(paragraphs["kind"]) == ["title", "byline", "body", "heading", "body", "note", "note"]
    assert list(sections["kind"]) == ["title", "body", "notes"]
    assert list(sections["heading"]) == ["Grid Meets Web", "Fortifying the Grid", None]
    first = sentences[sentences["paragraph_id"] == "d-p00003"]
    assert list(first["text"]) == ["First paragraph.", "It has two sentences."]


def test_paragraph_kinds():
    assert paragraph_kind("4 Effective accumulation? Or technical sabotage?", 40, None, None) == "heading"
    assert paragraph_kind("- In 2021, Chongqing adopted a mini-app.", 20, None, None) == "list_item"
    assert paragraph_kind("Figure 1 UN E-government Index (China)", 20, None, None) == "caption"
    assert paragraph_kind("“The use of health codes provides a tool.” (Z 2022)", 20, None, None) == "quote"


def test_chinese_paragraph_splits_on_chinese_punctuation():
    _, _, sentences = segment(_documents("网格化管理系统很重要。健康码也是！真的吗？"))
    assert list(sentences["text"]) == ["网格化管理系统很重要。", "健康码也是！", "真的吗？"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80), max_size=8))
def test_offsets_tile_and_index_the_text(lines):
    text = clean_text("\n".join(lines))
    sections, paragraphs, sentences = segment(_documents(text))
    for table in (sections, paragraphs, sentences):
        for row in table.itertuples():
            assert text[row.char_start:row.char_end] == row.text
    # sections tile the paragraphs: each paragraph lies inside its section
    bounds = dict(zip(sections["section_id"], zip(sections["char_start"], sections["char_end"])))
    for p in paragraphs.itertuples():
        start, end = bounds[p.section_id]
        assert start <= p.char_start and p.char_end <= end


def test_articles_of_a_chinese_regulation_are_sections():
    text = ("滨州市社会治理网格化服务管理条例\n\n第一章 总 则\n\n第一条 为规范社会治理网格化服务管理，制定本条例。\n\n"
            "第二条 本条例所称网格，是指基本服务管理单元。\n\n本条例所称网格员，是指在网格中从事服务管理的工作人员。\n\n"
            "第二章 网格员 第三条 网格应当配置网格员。")
    sections, paragraphs, _ = segment(_documents(text, "滨州市社会治理网格化服务管理条例"))
    assert list(sections["kind"]) == ["title", "chapter", "article", "article", "article"]
    assert list(sections["heading"]) == ["滨州市社会治理网格化服务管理条例", "第一章 总 则", "第一条", "第二条", "第二章 网格员 第三条"]
    second = sections.iloc[3]
    assert second["text"] == "第二条 本条例所称网格，是指基本服务管理单元。\n\n本条例所称网格员，是指在网格中从事服务管理的工作人员。"
    assert list(paragraphs["kind"])[:2] == ["title", "heading"]


def test_chinese_sentences_end_at_semicolons_and_keep_closing_quotes():
    text = "有下列情形之一的：（一）未公示网格；（二）泄露个人信息。他说：“网格员要上门。”然后离开"
    _, _, sentences = segment(_documents(text))
    assert list(sentences["text"]) == ["有下列情形之一的：（一）未公示网格；", "（二）泄露个人信息。", "他说：“网格员要上门。”", "然后离开"]


def test_markdown_and_numbered_chinese_headings():
    assert paragraph_kind("## 第三章 数据资源", 10, None, None) == "heading"
    assert paragraph_kind("一、总体要求", 10, None, None) == "heading"
    assert paragraph_kind("第五条 网格化服务管理工作应当坚持党委领导。", 10, None, None) == "body"
    assert paragraph_kind("（一）指导思想。", 10, None, None) != "heading"


def test_pathological_lines_are_segmented():
    for text in ("[" * 100_000, '"(' * 50_000, "网" * 100_000):
        sections, paragraphs, sentences = segment(_documents(text))
        assert len(paragraphs) == 1 and len(sentences) >= 1
        assert all(text[r.char_start:r.char_end] == r.text for r in sentences.itertuples())


def test_marked_up_headings_open_sections_and_table_rows_never_do():
    from corpus.pipeline.clean import clean
    from corpus.pipeline.readers.markdown import read_markdown

    source = ("# Grid Meets Web\n\nThe grid is a unit of local governance in China.\n\n## Why it matters\n\n"
              "Cities now run it online.\n\n## 工作要求\n\n各地要加强领导。\n\n"
              "| Year | Cities |\n|---|---|\n| Grid Cities | Web Cities |\n")
    docs = frame("documents", [{"doc_id": "d", "source_file": "d.md", "format": "md", "status": "built",
                                "text": read_markdown(source).text, "title": "Grid Meets Web"}])
    sections, paragraphs, _ = segment(clean(docs))
    assert list(sections["heading"]) == ["Grid Meets Web", "Why it matters", "工作要求"]
    kinds = dict(zip(paragraphs["text"], paragraphs["kind"]))
    assert kinds["Why it matters"] == kinds["工作要求"] == "heading"
    assert kinds["Year | Cities"] != "heading" and kinds["Grid Cities | Web Cities"] != "heading"


def test_a_table_row_is_not_a_heading_in_plain_text():
    assert paragraph_kind("Grid Cities | Web Cities", 20, None, None) != "heading"
    assert paragraph_kind("第一章 | 第二章", 20, None, None) != "heading"
    assert paragraph_kind("Grid Cities | Web Cities", 20, None, None, marked=True) != "heading"


_NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet="年工作回顾总体部署和政策取向", min_size=2, max_size=20),
                          st.text(alphabet="过去一年我国经济发展", min_size=1, max_size=40)), min_size=1, max_size=12))
def test_a_report_numbered_one_two_three_has_one_section_per_part(parts):
    """A speech or report (a Government Work Report: 一、2023年工作回顾 …) is parted by its numbered headings,
    by the text's form alone: no genre or file is consulted."""
    text = "各位代表：\n\n现在，我代表国务院，向大会报告政府工作。\n\n" + "".join(
        f"{_NUMERALS[n]}、{heading}\n\n{body}。\n\n" for n, (heading, body) in enumerate(parts))
    sections, paragraphs, _ = segment(_documents(text))
    headings = [f"{_NUMERALS[n]}、{heading}" for n, (heading, _) in enumerate(parts)]
    assert list(sections["heading"].dropna()) == headings
    assert all(text[s.char_start:s.char_end] == s.text for s in sections.itertuples())
