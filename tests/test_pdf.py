"""The PDF reader: layout (furniture, contents pages, columns, headings, page-foot notes and their markers,
hyphenation, ligatures) on PDFs drawn here with reportlab, and malformed PDFs rejected one by one."""

from __future__ import annotations

import io
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.pipeline.citations import citations
from corpus.pipeline.clean import clean
from corpus.pipeline.ingest import ingest
from corpus.pipeline.readers.pdf import pdf_title, read_pdf
from corpus.pipeline.segment import segment

reportlab = pytest.importorskip("reportlab")
from reportlab.lib.pagesizes import letter  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

_FONTS = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
pdfmetrics.registerFont(TTFont("Vera", os.path.join(_FONTS, "Vera.ttf")))
pdfmetrics.registerFont(TTFont("VeraBd", os.path.join(_FONTS, "VeraBd.ttf")))

WIDTH, HEIGHT = letter
BODY, NOTE, HEADING = 10, 8, 14
PITCH = 12


class Page:
    """One page drawn line by line: body lines from the top, notes from a fixed place at the foot."""

    def __init__(self, pdf: canvas.Canvas, header: str | None, footer: str | None, number: int):
        self.pdf, self.y = pdf, HEIGHT - 90
        if header:
            self.text(72, HEIGHT - 40, header, 8)
        if footer:
            self.text(72, 40, f"{footer} {number}", 8)
        self.note_y = 150

    def text(self, x: float, y: float, words: str, size: float, font: str = "Vera") -> float:
        self.pdf.setFont(font, size)
        self.pdf.drawString(x, y, words)
        return x + self.pdf.stringWidth(words, font, size)

    def line(self, words: str, x: float = 72, marker: int | None = None, font: str = "Vera",
             size: float = BODY, gap: float = 0) -> None:
        self.y -= gap
        end = self.text(x, self.y, words, size, font)
        if marker is not None:  # a note marker: smaller, raised
            self.text(end, self.y + 4, str(marker), 6)
        self.y -= PITCH if size == BODY else size * 1.4

    def note(self, number: int | None, words: str) -> None:
        x = 72
        if number is not None:
            x = self.text(72, self.note_y + 3, str(number), 5) + 2
        self.text(x, self.note_y, words, NOTE)
        self.note_y -= 10


def draw(pages) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=letter, invariant=1)
    for page in pages:
        page(pdf)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def text_of(raw: bytes) -> str:
    return read_pdf(raw).text


SENTENCES = ["Grid management divides each city into cells of a few hundred households",
             "and every cell has a grid worker who visits homes and records the residents",
             "and reports problems to the street office every week of the year",
             "The system began in Beijing in 2004 and spread across the country",
             "after the Party made social governance a national priority in 2013",
             "Its critics question the governance of the data that it collects"]


def test_running_header_footer_and_page_numbers_go_wherever_they_fall():
    header, footer = "Grid Management in China: A Report", "Institute of Urban Studies"

    def page(lines):
        def drawn(pdf):
            p = Page(pdf, header, footer, pdf.getPageNumber())
            for words in lines:
                p.line(words)
        return drawn

    # the second page goes on mid-sentence: its header sits between `homes and` and `records`
    raw = draw([page(["Cities publish rules.", "Grid management divides each city into cells, and every cell has",
                      "a grid worker who visits homes and"]),
                page(["records the residents.", "The system began in Beijing."]),
                page(["It spread across the country."])])
    text = text_of(raw)
    assert header not in text and footer not in text
    assert "visits homes and records the residents." in text
    assert not re.search(r"(?m)^\d+$", text.replace("\f", "\n"))


def test_a_footer_of_several_lines_goes_from_inside_a_sentence():
    footer = ["Urban Governance Institute", "https://example.org/reports", "WP 1234"]

    def page(lines, number):
        def drawn(pdf):
            p = Page(pdf, None, None, number)
            for words in lines:
                p.line(words)
            for k, words in enumerate(footer):
                p.text(72, 70 - 10 * k, words, 8)
            p.text(300, 30, str(number), 8)
        return drawn

    raw = draw([page(["Grid workers visit every household of their cell and record", "whether a resident's"], 1),
                page(["conduct was lawful.", "The district office keeps the records."], 2),
                page(["Its staff reads them every week."], 3)])
    text = text_of(raw)
    assert "whether a resident's conduct was lawful." in text
    assert not any(line in text for line in footer) and not re.search(r"\b[123]\b", text)


def test_a_contents_page_is_left_out_and_its_numbers_are_no_markers():
    def contents(pdf):
        p = Page(pdf, None, None, 1)
        p.line("Contents", size=HEADING, font="VeraBd")
        for k, title in enumerate(["Introduction", "Grid workers", "Data governance", "Conclusion"], 1):
            p.line(f"{title} {'.' * 40} {k + 1}")

    def body(pdf):
        p = Page(pdf, None, None, 2)
        p.line("Introduction", size=HEADING, font="VeraBd")
        p.line("Grid management divides each city into cells.")

    text = text_of(draw([contents, body]))
    assert "....." not in text and "Contents" not in text
    assert text.lstrip("\f").startswith("# Introduction\n\nGrid management divides")


def test_headings_by_size_and_weight_become_marked_blocks():
    def page(pdf):
        p = Page(pdf, None, None, 1)
        p.line("Grid Management in Chinese Cities", size=HEADING, font="VeraBd")
        p.line(SENTENCES[0])
        p.line(SENTENCES[1] + ".")
        p.line("Workers and Their Tasks", font="VeraBd", gap=6)  # bold at the body size
        p.line(SENTENCES[2] + ".")

    blocks = text_of(draw([page])).split("\n\n")
    assert blocks == ["# Grid Management in Chinese Cities", f"{SENTENCES[0]} {SENTENCES[1]}.",
                      "# Workers and Their Tasks", f"{SENTENCES[2]}."]


def test_a_paragraph_set_large_is_no_heading():
    lead = ["Grid management divides each city into cells of a few", "hundred households, and every cell has a grid",
            "worker who visits homes, records the residents and", "reports problems to the street office, which",
            "keeps the records for the district government."]

    def page(pdf):
        p = Page(pdf, None, None, 1)
        for words in lead:
            p.line(words, size=HEADING)
        p.y -= 6
        for words in SENTENCES:  # the body: more of the page's text than the lead
            p.line(words)

    assert text_of(draw([page])).split("\n\n") == [" ".join(lead), " ".join(SENTENCES)]


def test_two_columns_are_read_column_by_column():
    left = ["The left column starts the text and", "goes on down the page until it", "reaches the foot of the column"]
    right = ["and the right column carries on", "the same sentence to its end."]

    def page(pdf):
        p = Page(pdf, None, None, 1)
        for k, words in enumerate(left):
            p.text(72, 700 - PITCH * k, words, BODY)
        for k, words in enumerate(right):
            p.text(320, 700 - PITCH * k, words, BODY)

    assert text_of(draw([page])) == " ".join(left + right)


def test_ligatures_are_plain_letters_and_hyphenated_words_whole():
    def page(pdf):
        p = Page(pdf, None, None, 1)
        p.line("The ﬁrst ﬂoor of the building holds the speciﬁc records of the gover-")
        p.line("nance of the grid, and the governance of its data is left open.")

    text = text_of(draw([page]))
    assert text == ("The first floor of the building holds the specific records of the governance of the grid, "
                    "and the governance of its data is left open.")


def test_a_drop_cap_drawn_after_its_paragraph_starts_it_again():
    def page(pdf):
        p = Page(pdf, None, None, 1)
        for words in ["he internet is governed by the grid", "workers of the district, who report every",
                      "visit to the street office."]:
            p.line(words, x=110)
        p.text(72, HEIGHT - 90 - 2 * PITCH, "T", 40)  # three lines high, last in the content stream

    assert text_of(draw([page])) == "The internet is governed by the grid workers of the district, who report " \
                                    "every visit to the street office."


def _notes_document(notes_per_page: list[int], carried: bool = False) -> tuple[bytes, list[str]]:
    """Pages of body text with markers, and their notes at each page's foot; `carried`: the last note of the
    first page goes on at the foot of the second."""
    texts, number = [], 0
    pages = []
    for k, count in enumerate(notes_per_page):
        first = number + 1
        number += count
        page_notes = [(n, f"Ministry of Civil Affairs, Annual Report {n}, Beijing, {2000 + n}.")
                      for n in range(first, number + 1)]
        texts += [body for _, body in page_notes]

        def drawn(pdf, page_notes=page_notes, k=k):
            p = Page(pdf, "Grid Management in China", None, k + 1)
            for n, _ in page_notes:
                p.line(f"Sentence {n} of the report says what the grid workers do.", marker=n)
            if carried and k == 1:
                p.note(None, "and its second volume, 2016.")
            for n, body in page_notes:
                if carried and k == 0 and n == page_notes[-1][0]:
                    body = body.rstrip(".") + ","
                p.note(n, body)
        pages.append(drawn)
    if carried:
        texts[notes_per_page[0] - 1] = texts[notes_per_page[0] - 1].rstrip(".") + ", and its second volume, 2016."
    return draw(pages), texts


def test_page_foot_notes_are_gathered_at_the_end_and_markers_kept_as_superscripts():
    raw, notes = _notes_document([2, 3], carried=True)
    text = text_of(raw)
    body, _, tail = text.partition("\n\n[1] ")
    assert "Sentence 1 of the report says what the grid workers do.¹" in body
    assert "Ministry" not in body and "[" not in body
    assert ("[1] " + tail).split("\n\n") == [f"[{n}] {note}" for n, note in enumerate(notes, 1)]


def test_notes_and_markers_reach_the_citations_layer(tmp_path):
    raw, notes = _notes_document([3, 2])
    (tmp_path / "report.pdf").write_bytes(raw)
    documents = clean(ingest(tmp_path)[0])
    _, paragraphs, _ = segment(documents)
    cites, refs = citations(documents, paragraphs)
    text = documents["text"].iloc[0]
    assert sorted(set(refs["note_number"])) == list(range(1, len(notes) + 1))
    assert sorted(cites["note_number"]) == list(range(1, len(notes) + 1))
    assert all(text[a:b] == t for a, b, t in zip(cites["char_start"], cites["char_end"], cites["text"]))
    assert all(text[a:b] == t for a, b, t in zip(refs["char_start"], refs["char_end"], refs["text"]))


_NAMES = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
          "twelfth"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notes_per_page=st.lists(st.integers(0, 4), min_size=2, max_size=4),  # one page: a header is a title
       header=st.sampled_from(["Grid Management in China", "Annual Review of Urban Governance 2023",
                               "Working Paper Series"]),
       footer=st.booleans(), columns=st.booleans())
def test_layout_properties(notes_per_page, header, footer, columns):
    """Whatever the pages hold: no running header or footer in the text, every body sentence once and in
    order, every note once, in order, after the body."""
    sentences, notes, number = [], [], 0
    pages = []
    for k, count in enumerate(notes_per_page):
        page_sentences = [f"The {_NAMES[len(sentences) + i]} sentence tells what the district office does."
                          for i in range(3)]
        sentences += page_sentences
        page_notes = [(number + i + 1, f"Report {number + i + 1} of the district office, {2001 + i}.")
                      for i in range(count)]
        number += count
        notes += [body for _, body in page_notes]

        def drawn(pdf, page_sentences=page_sentences, page_notes=page_notes, k=k):
            p = Page(pdf, header, "District Office" if footer else None, k + 1)
            markers = [n for n, _ in page_notes] + [None] * 3
            for i, words in enumerate(page_sentences):
                if columns and i == 2:  # the last sentence in a second column, level with the first
                    p.y, x = HEIGHT - 90, 330
                else:
                    x = 72
                p.line(words, x=x, marker=markers[i] if i < len(page_notes) else None)
            for n, body in page_notes[3:]:  # more notes than sentences: their markers on a line of their own
                p.line("More of the same.", marker=n)
            for n, body in page_notes:
                p.note(n, body)
        pages.append(drawn)
    text = text_of(draw(pages))
    assert header not in text and "District Office" not in text
    plain = re.sub("[¹²³⁴⁵⁶⁷⁸⁹⁰]", "", text)
    positions = [plain.find(s) for s in sentences]
    assert -1 not in positions and positions == sorted(positions)
    tail = text[text.find("[1] "):] if notes else ""
    assert tail.split("\n\n") == ([f"[{n}] {body}" for n, body in enumerate(notes, 1)] if notes else [""])
    assert text.count("[") == len(notes)


@pytest.mark.parametrize("value,title", [
    ("Microsoft Word - AVE2008 Report.doc", None), ("draft_v3", None), ("report.pdf", None), ("Untitled", None),
    ("R48907", None), ("  Grid Management in China  ", "Grid Management in China"), (None, None)])
def test_a_title_that_is_a_file_name_is_no_title(value, title):
    assert pdf_title(value) == title


# ---------------------------------------------------------------- malformed PDFs: one file rejected, the rest built

def _raw_pdf(content: str, filters: str = "", font_extra: str = "", extra_objects: list[str] = ()) -> bytes:
    """A one-page PDF with Helvetica; `content` its content stream (written as is, `filters` declared)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
               f"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica {font_extra}>>",
               f"<< /Length {len(content.encode('latin-1'))} {filters}>>\nstream\n{content}\nendstream",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               "/Resources << /Font << /F1 3 0 R >> >> >>", *extra_objects]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode("utf-8")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_a_reader_that_raises_rejects_that_file_only_with_a_failures_row(tmp_path):
    # a filter name no reader knows (a mutated /FlateDecode): pypdf raises NotImplementedError
    (tmp_path / "mutated.pdf").write_bytes(_raw_pdf("BT /F1 12 Tf 72 700 Td (Text.) Tj ET", "/Filter /Fl\u9dd7eDecode "))
    (tmp_path / "fine.pdf").write_bytes(_raw_pdf("BT /F1 12 Tf 72 700 Td (Grid governance in Hangzhou.) Tj ET"))
    failures = []
    docs = ingest(tmp_path, failures=failures)[0].set_index("source_file")
    assert docs.loc["fine.pdf", "status"] == "built" and "Grid governance" in docs.loc["fine.pdf", "text"]
    row = docs.loc["mutated.pdf"]
    assert row["status"] == "rejected" and row["reject_reason"] == "reader_error: NotImplementedError"
    assert [(f.doc_id, f.layer, f.exception, f.source_file) for f in failures] == [
        (row["doc_id"], "ingest", "NotImplementedError", "mutated.pdf")]


def test_any_exception_in_a_reader_rejects_the_file(tmp_path, monkeypatch):
    import corpus.pipeline.readers.pdf as pdf_reader

    def broken(*args, **kwargs):
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(pdf_reader, "layout_text", broken)
    (tmp_path / "a.pdf").write_bytes(_raw_pdf("BT /F1 12 Tf 72 700 Td (Text.) Tj ET"))
    (tmp_path / "b.txt").write_text("A text beside it is built.")
    failures = []
    docs = ingest(tmp_path, failures=failures)[0].set_index("source_file")
    assert docs.loc["a.pdf", "reject_reason"] == "reader_error: UnicodeEncodeError"
    assert docs.loc["b.txt", "status"] == "built" and len(failures) == 1 and "surrogates" in failures[0].message


def test_a_tounicode_map_to_a_lone_surrogate_gives_a_replacement_character(tmp_path):
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Broken def "
            "1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <41> <D800> endbfchar endcmap "
            "CMapName currentdict /CMap defineresource pop end end")
    raw = _raw_pdf("BT /F1 12 Tf 72 700 Td (Grid A governance.) Tj ET", font_extra="/ToUnicode 6 0 R ",
                   extra_objects=[f"<< /Length {len(cmap)} >>\nstream\n{cmap}\nendstream"])
    text = read_pdf(raw).text
    assert not re.search("[\ud800-\udfff]", text) and text.startswith("Grid") and text.endswith("governance.")
    text.encode("utf-8")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.integers(3, 8), interleaved=st.booleans(), title=st.booleans())
def test_columns_are_read_in_order_whatever_order_the_stream_draws_them(lines, interleaved, title):
    """A page of two columns (under a title across both) reads the same whether its content stream draws
    the left column then the right, or both columns line by line across."""
    left = [f"The {_NAMES[i]} line of the left column goes on" for i in range(lines)]
    right = [f"and the {_NAMES[i]} line of the right column" for i in range(lines)]
    left[-1], right[-1] = left[-1] + ",", right[-1] + " ends."

    def page(pdf):
        p = Page(pdf, None, None, 1)
        if title:
            p.text(72, 740, "Grid Governance Across the Districts of the City", HEADING, "VeraBd")
        at = [(72, 700 - PITCH * k, words) for k, words in enumerate(left)]
        at2 = [(320, 700 - PITCH * k, words) for k, words in enumerate(right)]
        order = [x for pair in zip(at, at2) for x in pair] if interleaved else at + at2
        for x, y, words in order:
            p.text(x, y, words, BODY)

    text = text_of(draw([page]))
    expected = " ".join(left + right)
    assert text == ("# Grid Governance Across the Districts of the City\n\n" if title else "") + expected


def test_numbered_notes_outside_a_page_foot_keep_their_numbers():
    def page(pdf):
        p = Page(pdf, None, None, 1)
        p.line("Grid workers report every visit.", marker=1)
        p.line("Notes", size=HEADING, font="VeraBd", gap=8)
        for n, words in [(1, "Ministry of Civil Affairs, Annual Report, 2015."), (2, "Ibid., 2016.")]:
            p.y -= 2
            p.text(72, p.y + 3, str(n), 5)
            p.text(78, p.y, words, NOTE)
            p.y -= 30  # far apart: no page-foot run

    blocks = text_of(draw([page])).split("\n\n")
    assert blocks[-2:] == ["¹ Ministry of Civil Affairs, Annual Report, 2015.", "² Ibid., 2016."]


def _small_report() -> bytes:
    def page(number):
        def drawn(pdf):
            p = Page(pdf, "Grid Management in China", "District Office", number)
            p.line(f"Grid workers report the {_NAMES[number]} visit to the street office.", marker=number)
            p.line("The office keeps every report for ten years.")
            p.note(number, f"Ministry of Civil Affairs, Annual Report, {2014 + number}.")
        return drawn
    return draw([page(1), page(2)])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.binary(min_size=1, max_size=8)),
                      min_size=1, max_size=6))
def test_a_mutated_pdf_is_built_or_rejected_with_a_reason_never_raised(tmp_path_factory, edits):
    raw = bytearray(_small_report())
    for at, data in edits:
        k = int(at * len(raw))
        raw[k:k + len(data)] = data
    sources = tmp_path_factory.mktemp("sources")
    (sources / "mutated.pdf").write_bytes(bytes(raw))
    (sources / "fine.txt").write_text("Grid governance in Hangzhou.")
    failures = []
    docs = ingest(sources, failures=failures)[0].set_index("source_file")
    assert docs.loc["fine.txt", "status"] == "built"
    row = docs.loc["mutated.pdf"]
    assert row["status"] in ("built", "rejected")
    if row["status"] == "rejected":
        assert row["reject_reason"] and row["text"] == ""
        assert len(failures) == int(row["reject_reason"].startswith("reader_error"))
    else:
        row["text"].encode("utf-8")  # no lone surrogate


def test_chinese_lines_rejoin_without_spaces_and_keep_full_width_punctuation():
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))

    def page(pdf):
        p = Page(pdf, None, None, 1)
        p.line("网格化管理把城市划分为若干网格，每个网格", font="STSong-Light", size=12)
        p.line("都有一名网格员（ＡＢ１２）。①", font="STSong-Light", size=12)
        p.text(72, 100, "① 民政部，《社区治理年度报告》，2015年。", 9, "STSong-Light")

    assert text_of(draw([page])) == "网格化管理把城市划分为若干网格，每个网格都有一名网格员（AB12）。①\n\n" \
                                    "[1] 民政部，《社区治理年度报告》，2015年。"


def test_a_build_goes_on_past_a_pdf_its_reader_cannot_take(tmp_path):
    from corpus.config import BuildConfig
    from corpus.pipeline.run import prepare

    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "mutated.pdf").write_bytes(_raw_pdf("BT /F1 12 Tf 72 700 Td (Text.) Tj ET", "/Filter /Fl\u9dd7eDecode "))
    (sources / "report.pdf").write_bytes(_small_report())
    failures = []
    documents, _ = prepare(BuildConfig(sources=sources, out=tmp_path / "out", version="1.0.0", until="clean"),
                           failures=failures)
    rows = documents.set_index("source_file")
    assert rows.loc["report.pdf", "status"] == "built" and rows.loc["mutated.pdf", "status"] == "rejected"
    assert [(f.layer, f.source_file, f.exception) for f in failures] == [("ingest", "mutated.pdf", "NotImplementedError")]
