"""Metamorphic: one small document, rendered in the note layouts real reports use, gives the same notes
and the same markers whatever the layout (heading or none, heading glued to note 1, [n] ^n 注n： ¹ $^{n}$
<sup> [^n] markers, notes at the end or at each page's foot, hard-wrapped with page furniture)."""

import re
import textwrap

import pytest

from corpus.pipeline.citations import citations
from corpus.pipeline.clean import clean
from corpus.pipeline.segment import segment
from corpus.tables import frame

TITLE = "Village Governance After Reform"
BODY = [
    "Township cadres were rotated every three years after the reform of the county system in the northern "
    "provinces, and villagers say the new rules changed who decided on land{m1}",
    "Surveys of households found that trust in the village committee rose where elections were held on time, "
    "while it fell in the places where the township appointed the committee directly{m2}",
    "Later studies of the same counties confirm the pattern and add that the budget reform mattered as much "
    "as the elections themselves for the villagers who were asked{m3}",
    "The evidence from the southern provinces is thinner, though the reports of the provincial offices "
    "point the same way for the years since the reform was extended to them{m4}",
]
NOTES = [
    "Li Wei, “Rotation of Township Cadres,” People’s Daily, May 2, 2015, https://example.org/rotation.",
    "Wang Fang, Village Power and Trust (Beijing: Renmin Press, 2010), 44–46.",
    "Ibid., 52.",
    "Chen Hao, “Provincial Reports on Village Budgets,” China Quarterly 201 (2012): 12–30.",
]


def _sentences(marks):
    return [b.format(m1=marks[0], m2=marks[1], m3=marks[2], m4=marks[3]) for b in BODY]


def _plain(marks, notes, heading=None, glue=False, label="{n}. "):
    entries = [label.format(n=n) + t for n, t in enumerate(notes, 1)]
    if heading and glue:
        entries[0] = f"{heading} {entries[0]}"
    elif heading:
        entries.insert(0, heading)
    return "\n\n".join([TITLE, *_sentences(marks), *entries]), "txt"


def _layouts():
    dot = [f".{n}" for n in range(1, 5)]
    sup = [".¹", ".²", ".³", ".⁴"]
    yield "flattened, Notes heading", _plain(dot, NOTES, "Notes")
    yield "unicode, no heading", _plain(sup, NOTES)
    yield "heading glued to note 1", _plain(dot, NOTES, "ENDNOTES FOR CHAPTER 3", glue=True)
    yield "[n] under 参考文献", _plain([f".[{n}]" for n in range(1, 5)], NOTES, "参考文献", label="[{n}] ")
    yield "^n under Sources", _plain([f".^{n}" for n in range(1, 5)], NOTES, "Sources", label="^{n} ")
    yield "latex, 注n：", _plain([f".$^{{{n}}}$" for n in range(1, 5)], NOTES, "注释", label="注{n}：")
    yield "markdown footnotes", ("\n\n".join([f"# {TITLE}", *_sentences([f".[^{n}]" for n in range(1, 5)])]
                                             + [f"[^{n}]: {t}" for n, t in enumerate(NOTES, 1)]), "md")
    html = "".join(f"<p>{s}</p>" for s in _sentences([f'.<sup><a href="#fn{n}">{n}</a></sup>' for n in range(1, 5)]))
    items = "".join(f'<li id="fn{n}">{t}</li>' for n, t in enumerate(NOTES, 1))
    yield "html sup and ol", (f"<html><body><article><h1>{TITLE}</h1>{html}<h2>Notes</h2><ol>{items}</ol>"
                              "</article></body></html>", "html")
    # Page-foot notes: two pages, each with a running header, its notes at its foot and a page number.
    pages = []
    for k in (0, 2):
        lines = [TITLE.upper()] if k else [TITLE]
        for s in _sentences(sup)[k:k + 2]:
            lines += textwrap.wrap(s, 78) + [""]
        for n in (k + 1, k + 2):
            lines += textwrap.wrap(f"{n} {NOTES[n - 1]}", 78)
        lines += ["", f"— {k // 2 + 1} —"]
        pages.append("\n".join(lines))
    yield "page-foot notes", ("\f".join(pages), "txt")
    wrapped = "\n".join(textwrap.wrap(" ".join(_sentences(dot)[:2]), 72)) + "\n\n" + \
        "\n".join(textwrap.wrap(" ".join(_sentences(dot)[2:]), 72)) + "\n\nNOTES\n\n" + \
        "\n".join(line for n, t in enumerate(NOTES, 1) for line in textwrap.wrap(f"{n}. {t}", 60))
    yield "hard-wrapped", (f"{TITLE}\n\n{wrapped}", "txt")


LAYOUTS = dict(_layouts())


def _notes_of(source: str, fmt: str):
    if fmt == "html":
        from corpus.pipeline.readers.html import read_html
        source = read_html(source).text
    elif fmt == "md":
        from corpus.pipeline.readers.markdown import read_markdown
        source = read_markdown(source).text
    docs = clean(frame("documents", [{"doc_id": "d", "source_file": f"d.{fmt}", "text": source, "status": "built",
                                      "title": TITLE, "format": fmt}]))
    _, paragraphs, _ = segment(docs)
    cites, refs = citations(docs, paragraphs)
    text = docs["text"].iloc[0]
    for r in refs.itertuples():
        assert text[r.char_start:r.char_end] == r.text
    notes = {r.note_number: " ".join(r.text.split()).rstrip(".") for r in refs.itertuples()}
    numbered = cites[cites["note_number"].notna()]
    return notes, sorted(numbered["note_number"]), bool(numbered["resolved"].all())


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_layout_gives_the_same_notes_and_markers(layout):
    notes, markers, resolved = _notes_of(*LAYOUTS[layout])
    expected = {n: re.sub(r"\s+", " ", t).rstrip(".") for n, t in enumerate(NOTES, 1)}
    assert notes == expected
    assert markers == [1, 2, 3, 4] and resolved
