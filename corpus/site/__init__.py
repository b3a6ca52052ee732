"""`corpus site`: a release as a static site that opens from the file system.

index.html lists the built documents with facets; documents/<doc_id>.html shows one text with its
annotation layers in place; tables.html is the card with its figures and tables; search.html searches
titles and texts through search-index.js (see `corpus.site.search` for why an index script and not
Pagefind). Every page is plain HTML that reads without JavaScript; scripts only filter, sort and search.

Hooks for tests and users' scripts: entities are `<mark class="entity" data-label=...>`, citation markers
that resolve `<a class="citation" href="#ref-<reference_id>">` with the reference's `id="ref-<reference_id>"`
on the same page, glossary terms `class="term"`; a fragment continuing a span split by nesting carries
`data-continued`.
"""

from __future__ import annotations

import bisect
import os
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pyarrow.dataset as ds

from ..errors import MissingExtraError, SchemaError
from ..load import check_schema, table_paths
from ..pipeline import layers, reuse
from ..untrusted import file_name, member, refuse_inside_release
from .markup import Mark, attrs, render
from .search import index_script, texts_script

__all__ = ["write_site", "SiteResult", "REUSE_COLUMNS"]

STATIC = Path(__file__).resolve().parent / "static"
# The reuse table (text shared by distinct documents) exists only in releases built with it.
REUSE_COLUMNS = ("reuse_id", "doc_id", "char_start", "char_end", "other_doc_id", "other_char_start",
                 "other_char_end", "similarity")
FACETS = (("genre", "Genre"), ("year", "Year"), ("issuer", "Issuer"), ("province", "Province"),
          ("language", "Language"))
# What the pages show of the tables they are built on (sentences are not shown; sections' and paragraphs'
# texts are slices of documents.text, so they are not read twice); each layer's marks (Layer.site) add theirs.
COLUMNS = {
    "documents": None,
    "duplicates": None,
    "sections": ("section_id", "doc_id", "kind"),
    "paragraphs": ("paragraph_id", "doc_id", "section_id", "kind", "char_start", "char_end", "language"),
}
# The paragraphs' own switch, after those of the layers' marks.
LANGUAGE_SWITCH = ("lang", "Paragraph language")
PARAGRAPH_TAG = {"heading": "h2", "quote": "p", "list_item": "li", "note": "li", "footnote": "li"}
# The list each kind of item sits in: a run of notes is one ordered list, a note per line.
LIST_TAG = {"list_item": "ul", "note": 'ol class="notes"', "footnote": 'ol class="notes"'}
ERROR_HOOK = ("<script>window.onerror=function(m,s,l){var e=document.getElementById('script-errors');"
              "if(e)e.appendChild(document.createTextNode('Script error: '+m+' ('+s+':'+l+') '));};</script>")


@dataclass
class SiteResult:
    out: Path
    documents: int
    pages: int


def write_site(release: Path, out: Path) -> SiteResult:
    """Write the site of the release folder `release` into `out` (created; files of the same names replaced)."""
    release, out = Path(release), Path(out)
    version = release.name
    tables = {t: _rows(release, t, columns) for t, columns in COLUMNS.items()}
    for shown in _shown():
        tables[shown.table] = (_reuse_rows(release) if shown.table == "reuse"
                               else _rows(release, shown.table, shown.columns))
    docs = [d for d in tables["documents"] if d["status"] in ("built", "duplicate")]
    built = [d for d in docs if d["status"] == "built"]
    by_doc = {t: _group(rows) for t, rows in tables.items() if t != "documents"}
    by_doc["clusters"] = defaultdict(list)
    for row in tables["duplicates"]:
        by_doc["clusters"][row["cluster_id"]].append(row)
    titles = {d["doc_id"]: d["title"] or d["doc_id"] for d in docs}

    for doc in docs:  # a doc_id becomes a file name: refuse one that would leave documents/
        file_name(doc["doc_id"], "doc_id")
    refuse_inside_release(out, "the site folder")
    copied = [(member(release, f"{folder}/{name}", "release file"), f"{folder}/{name}")
              for folder in ("figures", "baselines") if (release / folder).is_dir() and not (release / folder).is_symlink()
              for name in sorted(os.listdir(release / folder))]

    (out / "documents").mkdir(parents=True, exist_ok=True)
    for name in ("site.css", "site.js", "search.js"):
        shutil.copyfile(STATIC / name, out / name)
    for source, name in copied:  # each checked above: no link, nothing outside the release
        if source.is_file():
            (out / name).parent.mkdir(exist_ok=True)
            shutil.copyfile(source, out / name)

    _write(out / "index.html", _index_page(built, version, len(docs) - len(built),
                                            sum(d["status"] == "rejected" for d in tables["documents"])))
    for doc in docs:
        _write(out / "documents" / f"{doc['doc_id']}.html", _document_page(doc, by_doc, titles, version))
    _write(out / "tables.html", _tables_page(release, version))
    _write(out / "search.html", _search_page(version))
    index = [{"id": d["doc_id"], "title": d["title"], "text": d["text"], "date": d["published"],
              "genre": d["genre"], "language": d["language"]} for d in built]
    _write(out / "search-index.js", index_script(index, version))
    _write(out / "search-texts.js", texts_script(index, version))
    return SiteResult(out=out, documents=len(built), pages=len(docs) + 3)


def _shown() -> list:
    """What the registered layers show on the document pages (Layer.site), in build order."""
    return [shown for layer in layers.LAYERS for shown in layer.site]


# --- reading -------------------------------------------------------------------------------------------

def _rows(release: Path, table: str, columns: tuple[str, ...] | None) -> list[dict]:
    """A table's rows as dicts, only `columns` (None: all) of those the file has (a column newer than the
    release is absent); None for nulls; [] when the release lacks the table."""
    paths = table_paths(release, table)
    if not paths:
        return []
    for path in paths:
        check_schema(path, table)
    dataset = ds.dataset([str(p) for p in paths], format="parquet")
    present = [c for c in columns if c in dataset.schema.names] if columns else None
    return dataset.to_table(columns=present).to_pylist()


def _reuse_rows(release: Path) -> list[dict]:
    paths = table_paths(release, "reuse")
    if not paths:
        return []
    dataset = ds.dataset([str(p) for p in paths], format="parquet")
    missing = [c for c in REUSE_COLUMNS if c not in dataset.schema.names]
    if missing:
        raise SchemaError("reuse", str(paths[0]), [f"column {c!r} is missing" for c in missing])
    names = [c for c in dataset.schema.names if c in (*REUSE_COLUMNS, "unit")]
    return dataset.to_table(columns=names).to_pylist()


def _group(rows: list[dict]) -> dict[str, list[dict]]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row["doc_id"]].append(row)
        if "other_doc_id" in row:  # a reuse row belongs to both documents' pages
            grouped[row["other_doc_id"]].append(row)
    return grouped


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


# --- common page parts ---------------------------------------------------------------------------------

def _page(title: str, body: str, version: str, root: str = "", main_class: str = "", scripts=("site.js",),
          lang: str = "en") -> str:
    script_tags = "".join(f'<script src="{root}{s}"></script>' for s in scripts)
    return (f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)} · corpus {escape(version)}</title>"
            f'<link rel="stylesheet" href="{root}site.css">{ERROR_HOOK}</head>\n<body>'
            f'<a class="skip" href="#main">Skip to content</a>'
            f'<header class="site"><a class="name" href="{root}index.html">Corpus {escape(version)}</a>'
            f'<nav aria-label="Site"><a href="{root}index.html">Documents</a><a href="{root}tables.html">Tables and figures</a>'
            f'<a href="{root}search.html">Search</a></nav>'
            f'<form role="search" action="{root}search.html" method="get"><label class="skip" for="site-q">Search</label>'
            f'<input id="site-q" name="q" type="search" placeholder="Search titles and texts"><button>Search</button></form>'
            f'</header><p id="script-errors" role="alert"></p>\n'
            f'<main id="main"{attrs([("class", main_class or None)])}>{body}</main>{script_tags}</body></html>\n')


def _link(doc_id: str, titles: dict, root: str = "") -> str:
    return f'<a href="{root}documents/{escape(doc_id)}.html">{escape(titles.get(doc_id, doc_id))}</a>'


def _facet_values(doc: dict) -> dict[str, list[str]]:
    split = lambda v: [x.strip() for x in (v or "").split(";") if x.strip()]  # noqa: E731 - issuers are '; '-separated
    return {"genre": split(doc.get("genre")), "year": [doc["published"][:4]] if doc.get("published") else [],
            "issuer": split(doc.get("issuer")), "province": split(doc.get("province")),
            "language": split(doc.get("language"))}


# --- index ---------------------------------------------------------------------------------------------

def _index_page(built: list[dict], version: str, duplicates: int, rejected: int) -> str:
    built = sorted(built, key=lambda d: (d["title"] or "", d["doc_id"]))
    values = [_facet_values(d) for d in built]
    facets = []
    for key, label in FACETS:
        counts: dict[str, int] = defaultdict(int)
        for v in values:
            for x in v[key]:
                counts[x] += 1
        items = "".join(
            f'<li><label><input type="checkbox" name="{key}" value="{escape(x)}"> {escape(x)}</label> '
            f'<span class="count">{c}</span></li>'
            for x, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]) if key != "year" else (kv[0], 0)))
        facets.append(f'<fieldset><legend>{label}</legend><ul>{items}</ul></fieldset>')
    head = "".join(f'<th scope="col" data-key="{k}"><button type="button">{label}</button></th>'
                   for k, label in (("title", "Title"), ("date", "Date"), ("genre", "Genre"), ("issuer", "Issuer"),
                                    ("province", "Province"), ("language", "Language")))
    rows = []
    for d, v in zip(built, values):
        data = [("data-title", d["title"] or ""), ("data-date", d.get("published") or "")]
        data += [(f"data-{k}", "; ".join(v[k])) for k, _ in FACETS]
        cells = [f'<a href="documents/{escape(d["doc_id"])}.html">{escape(d["title"] or d["doc_id"])}</a>',
                 escape(d.get("published") or ""), escape(d.get("genre") or ""), escape(d.get("issuer") or ""),
                 escape(d.get("province") or ""), escape(d.get("language") or "")]
        rows.append(f"<tr{attrs(data)}>" + "".join(f"<td{attrs([('class', 'date' if k == 1 else None)])}>{c}</td>"
                                                    for k, c in enumerate(cells)) + "</tr>")
    others = []
    if duplicates:
        others.append(f"{duplicates} duplicate cop{'y' if duplicates == 1 else 'ies'} (linked from {'its' if duplicates == 1 else 'their'} canonical documents)")
    if rejected:
        others.append(f"{rejected} rejected file{'s' if rejected != 1 else ''}")
    note = f' Not listed: {", ".join(others)}.' if others else ""
    body = (f"<h1>Documents of release {escape(version)}</h1>"
            f'<p><span id="shown">{len(built)}</span> of {len(built)} built documents shown.{escape(note)}</p>'
            f'<div class="browse"><form class="facets" id="facet-form" aria-label="Filter documents">'
            f'<p><label for="title-filter">Title contains</label><br><input id="title-filter" type="search"></p>'
            f'{"".join(facets)}</form>'
            f'<table id="documents"><caption class="skip">Built documents; the column buttons sort.</caption>'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
            "<noscript><p>Filtering and sorting need JavaScript; without it the counts beside each value are "
            "those of all documents.</p></noscript>"
            "<p class=\"muted\">Filters and sort order are kept in the address (<code>?genre=law&amp;sort=-date</code>), "
            "so a view can be shared.</p>")
    return _page("Documents", body, version)


# --- document pages ------------------------------------------------------------------------------------

def _marks(doc_id: str, by_doc: dict, titles: dict) -> list[Mark]:
    """Every inline span of one document, as marks over documents.text offsets."""
    return [m for shown in _shown() for m in shown.marks(doc_id, by_doc, titles)]


def _document_page(doc: dict, by_doc: dict, titles: dict, version: str) -> str:
    doc_id, text = doc["doc_id"], doc["text"] or ""
    paragraphs = sorted(by_doc["paragraphs"].get(doc_id, ()), key=lambda p: p["char_start"])
    if not paragraphs:  # a duplicate copy is not segmented: its text in blank-line blocks
        paragraphs, pos = [], 0
        for block in text.split("\n\n"):
            if block.strip():
                paragraphs.append({"paragraph_id": f"{doc_id}-b{len(paragraphs) + 1:05d}", "char_start": pos,
                                   "char_end": pos + len(block), "kind": "body", "language": None})
            pos += len(block) + 2
    marks = _marks(doc_id, by_doc, titles)
    # Each mark to the paragraphs it overlaps (found by bisection, so the work is linear in the spans).
    ends = [p["char_end"] for p in paragraphs]
    per_paragraph = defaultdict(list)
    for m in marks:
        i = bisect.bisect_right(ends, m.start)
        while i < len(paragraphs) and paragraphs[i]["char_start"] < m.end:
            per_paragraph[i].append(m)
            i += 1
    refs_by_start = defaultdict(list)
    for r in by_doc["references"].get(doc_id, ()):
        refs_by_start[bisect.bisect_right(ends, r["char_start"])].append(r)
    known = {r["reference_id"] for r in by_doc["references"].get(doc_id, ())}
    cites_of = defaultdict(list)
    for c in sorted(by_doc["citations"].get(doc_id, ()), key=lambda c: c["char_start"]):
        if c.get("reference_id") in known:
            cites_of[c["reference_id"]].append(c)

    sections = {s["section_id"]: s for s in by_doc["sections"].get(doc_id, ())}
    out, current_section, in_list = [], None, None
    doc_lang = doc.get("language")
    for i, p in enumerate(paragraphs):
        section = p.get("section_id")
        if section != current_section:
            if in_list:
                out.append(f"</{in_list.split()[0]}>")
                in_list = None
            if current_section is not None:
                out.append("</section>")
            s = sections.get(section, {})
            out.append(f"<section{attrs([('id', section), ('data-kind', s.get('kind'))])}>")
            current_section = section
        kind = p.get("kind") or "body"
        if LIST_TAG.get(kind) != in_list:
            if in_list:
                out.append(f"</{in_list.split()[0]}>")
            if LIST_TAG.get(kind):
                out.append(f"<{LIST_TAG[kind]}>")
            in_list = LIST_TAG.get(kind)
        tag = PARAGRAPH_TAG.get(kind, "p")
        lang = p.get("language")
        classes = f"para kind-{kind}" + (" lang-other" if lang and doc_lang and lang != doc_lang and lang != "und" else "")
        pieces = (_note_pieces(text, p, refs_by_start.get(i, [])) if kind in ("note", "footnote")
                  else [(p["char_start"], p["char_end"], refs_by_start.get(i, []))])
        for n, (start, end, refs) in enumerate(pieces):
            inner = render(text[start:end], per_paragraph.get(i, []), base=start)
            shown = [("id", p["paragraph_id"] + (f"-{n}" if n else "")), ("class", classes), ("data-lang", lang),
                     ("lang", lang if lang and lang != "und" else None)]
            parsed = _parsed_references(refs, cites_of, known) if refs else ""
            if tag == "li":  # a list holds only items: what belongs to the item goes inside it
                inner, parsed = inner + parsed, ""
            element = f"<{tag}{attrs(shown)}>{inner}</{tag}>"
            out.append(f"<blockquote>{element}</blockquote>" if kind == "quote" else element)
            out.append(parsed)
    if in_list:
        out.append(f"</{in_list.split()[0]}>")
    if current_section is not None:
        out.append("</section>")

    body = [f"<h1{attrs([('lang', doc_lang)])}>{escape(doc['title'] or doc_id)}</h1>", _metadata(doc),
            _duplicates(doc, by_doc, titles), _legend(doc_id, by_doc, marks),
            f'<article class="text" aria-label="Text"{attrs([("lang", doc_lang)])}>{"".join(out)}</article>',
            _glossary(doc_id, by_doc), _reuse_list(doc_id, by_doc, titles)]
    return _page(doc["title"] or doc_id, "".join(body), version, root="../", main_class="reading")


# A note's number before its first work: "[12] ", "12. ", "12 ".
_NOTE_NUMBER = re.compile(r"(?:\[\s*\d+\s*\]|\d+[.)]?)\s*$")


def _note_pieces(text: str, paragraph: dict, refs: list[dict]) -> list[tuple[int, int, list[dict]]]:
    """(start, end, references) of each note in a paragraph of notes: a scrape that ran its notes together
    ("[1] … [2] …") still shows one note per line. A note starts at its number, before its first parsed work."""
    starts: dict[int, int] = {}
    for r in refs:
        starts[r["note_number"]] = min(starts.get(r["note_number"], r["char_start"]), r["char_start"])
    for number, start in starts.items():
        marker = _NOTE_NUMBER.search(text, max(paragraph["char_start"], start - 12), start)
        starts[number] = marker.start() if marker else start
    first, last = paragraph["char_start"], paragraph["char_end"]
    bounds = [first, *sorted({v for v in starts.values() if first < v < last}), last]
    pieces = [(a, b, []) for a, b in zip(bounds, bounds[1:])]
    for r in refs:  # under the piece that holds its note's start
        pieces[min(max(bisect.bisect_right(bounds, starts[r["note_number"]]) - 1, 0), len(pieces) - 1)][2].append(r)
    return pieces


def _metadata(doc: dict) -> str:
    fields = [("Authors", doc.get("authors")), ("Publisher", doc.get("publisher")), ("Published", doc.get("published")),
              ("Genre", doc.get("genre")), ("Issuer", doc.get("issuer")), ("Issuer level", doc.get("issuer_level")),
              ("Province", doc.get("province")), ("Language", doc.get("language")), ("Licence", doc.get("license")),
              ("Source file", doc.get("source_file")), ("Document ID", doc["doc_id"]), ("Status", doc["status"])]
    items = "".join(f"<dt>{k}</dt><dd>{escape(str(v))}</dd>" for k, v in fields if v)
    if doc.get("url"):
        items += f"<dt>URL</dt><dd>{_url(doc['url'])}</dd>"
    return f'<dl class="meta">{items}</dl>'


def _duplicates(doc: dict, by_doc: dict, titles: dict) -> str:
    mine = by_doc["duplicates"].get(doc["doc_id"], [])
    if not mine:
        return ""
    cluster = mine[0]["cluster_id"]
    items = []
    for r in sorted(by_doc["clusters"][cluster], key=lambda r: r["doc_id"]):
        if r["doc_id"] != doc["doc_id"]:
            how = "canonical copy" if r["relation"] == "canonical" else f"{r['relation']} copy, similarity {r['similarity']:.2f}"
            items.append(f"<li>{_link(r['doc_id'], titles, '../')} ({escape(how)})</li>")
    role = "the canonical copy" if mine[0]["relation"] == "canonical" else f"a {mine[0]['relation']} copy"
    return (f'<section class="duplicates" aria-labelledby="dup-h"><h2 id="dup-h">Duplicates</h2>'
            f"<p>This document is {escape(role)} in duplicate cluster {escape(cluster)}.</p><ul>{''.join(items)}</ul></section>")


def _legend(doc_id: str, by_doc: dict, marks: list[Mark]) -> str:
    labels: dict[str, int] = defaultdict(int)
    for e in by_doc["entities"].get(doc_id, ()):
        labels[e["label"]] += 1
    counts = {"term": len(by_doc["terms"].get(doc_id, ())), "citation": len(by_doc["citations"].get(doc_id, ())),
              "reference": len(by_doc["references"].get(doc_id, ())), "reuse": len(by_doc["reuse"].get(doc_id, ()))}
    entity_list = " ".join(f'<span class="swatch" data-label="{escape(k)}">{escape(k)}</span> {v}'
                           for k, v in sorted(labels.items(), key=lambda kv: (-kv[1], kv[0])))
    switches = "".join(f'<label><input type="checkbox" value="{escape(k)}" checked> {escape(label)}</label>'
                       for k, label in [s.switch for s in _shown() if s.switch] + [LANGUAGE_SWITCH])
    return (f'<p class="legend">Entities by label: {entity_list or "none"}. Glossary terms: {counts["term"]}; '
            f'citation markers: {counts["citation"]}; parsed references: '
            f'{counts["reference"]}; shared passages: {counts["reuse"]}.</p>'
            f'<form class="layers" id="layers" hidden aria-label="Annotation layers"><strong>Show:</strong> {switches}</form>')


def _url(url: str) -> str:
    """A link for a web address; any other scheme (javascript:, file:) stays text."""
    if re.match(r"https?://", url, re.I):
        return f'<a href="{escape(url)}">{escape(url)}</a>'
    return escape(url)


def _parsed_references(refs: list[dict], cites_of: dict, known: set[str]) -> str:
    """Under a note: links back to the markers citing it (always shown) and the parsed fields (folded)."""
    items, back = [], []
    for r in sorted(refs, key=lambda r: (r["note_number"], r["ordinal"])):
        fields = [("Kind", r.get("kind")), ("Authors", r.get("authors")), ("Title", r.get("title")),
                  ("In", r.get("container")), ("Date", r.get("date")), ("Volume", r.get("volume")),
                  ("Issue", r.get("issue")), ("Pages", r.get("pages")), ("DOI", r.get("doi")),
                  ("Language", r.get("language"))]
        dl = "".join(f"<dt>{k}</dt><dd>{escape(str(v))}</dd>" for k, v in fields if v)
        if r.get("url"):
            dl += f"<dt>URL</dt><dd>{_url(r['url'])}</dd>"
        if r.get("refers_to") in known:
            dl += f'<dt>Refers to</dt><dd><a href="#ref-{escape(r["refers_to"])}">the full reference</a></dd>'
        items.append(f'<div><strong>Note {r["note_number"]}, work {r["ordinal"]}</strong><dl>{dl}</dl></div>')
        back += [f'<a class="backref" href="#cite-{escape(c["citation_id"])}">↩ marker {escape(c["text"])}</a>'
                 for c in cites_of.get(r["reference_id"], [])]
    cited = f'<p>Cited in the text at: {", ".join(back)}</p>' if back else "<p>No marker in the text cites this note.</p>"
    plural = "s" if len(refs) > 1 else ""
    return f'<div class="parsed">{cited}<details><summary>Parsed reference{plural}</summary>{"".join(items)}</details></div>'


def _glossary(doc_id: str, by_doc: dict) -> str:
    terms = sorted(by_doc["terms"].get(doc_id, ()), key=lambda t: t["char_start"])
    if not terms:
        return ""
    rows = "".join(f'<tr><td><a href="#term-{escape(t["term_id"])}">{escape(t["english"])}</a></td>'
                   f'<td lang="{escape(t.get("variant") or "zh")}">{escape(t["chinese"])}</td>'
                   f'<td>{escape(t.get("pinyin") or "")}</td><td>{escape(t.get("kind") or "")}</td></tr>' for t in terms)
    return (f'<section aria-labelledby="gloss-h"><h2 id="gloss-h">Glossary of this document</h2><table>'
            f'<thead><tr><th scope="col">English</th><th scope="col">Chinese</th><th scope="col">Pinyin</th>'
            f'<th scope="col">Kind</th></tr></thead><tbody>{rows}</tbody></table></section>')


def _reuse_list(doc_id: str, by_doc: dict, titles: dict) -> str:
    rows = by_doc["reuse"].get(doc_id, ())
    if not rows:
        return ""
    items = []
    for r in sorted(rows, key=lambda r: (r["char_start"] if r["doc_id"] == doc_id else r["other_char_start"], r["reuse_id"])):
        mine = r["doc_id"] == doc_id
        other = r["other_doc_id"] if mine else r["doc_id"]
        unit = f", {r['unit']}" if r.get("unit") else ""
        items.append(f'<tr><td><a href="#{escape(reuse.anchor(r, mine))}">passage</a></td>'
                     f'<td>{_link(other, titles, "../")} (<a href="{escape(other)}.html#{escape(reuse.anchor(r, not mine))}">'
                     f'its passage</a>)</td><td>{r["similarity"]:.2f}{escape(unit)}</td></tr>')
    return (f'<section aria-labelledby="reuse-h"><h2 id="reuse-h">Text shared with other documents</h2><table>'
            f'<thead><tr><th scope="col">Here</th><th scope="col">Other document</th><th scope="col">Similarity</th>'
            f'</tr></thead><tbody>{"".join(items)}</tbody></table></section>')


# --- card and search -----------------------------------------------------------------------------------

def _tables_page(release: Path, version: str) -> str:
    card = member(release, "README.md", "release file")
    if not card.is_file():
        return _page("Tables and figures", "<h1>Tables and figures</h1><p>This release has no card.</p>", version)
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        raise MissingExtraError("markdown-it-py", "site", "corpus site (the card's page)") from None
    text = card.read_text(encoding="utf-8")
    if text.startswith("---\n"):  # the Hugging Face front matter is for machines
        end = text.find("\n---\n", 4)
        text = text[end + 5:] if end >= 0 else text
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)  # the card template's block markers
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens, contents = md.parse(text), []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            anchor = f"card-{len(contents) + 1}"
            token.attrSet("id", anchor)
            contents.append(f'<li class="{token.tag}"><a href="#{anchor}">{escape(tokens[i + 1].content)}</a></li>')
    toc = f'<nav aria-label="Contents of the card"><h2>Contents</h2><ul class="toc">{"".join(contents)}</ul></nav>'
    html = md.renderer.render(tokens, md.options, {})
    html = html.replace("</h1>", "</h1>" + toc, 1) if "</h1>" in html else toc + html  # contents under the title
    return _page("Tables and figures", f'<div class="card">{html}</div>', version)


def _search_page(version: str) -> str:
    body = ('<h1>Search</h1><form role="search" method="get" action="search.html">'
            '<label for="q">Words (English or Chinese)</label> <input id="q" name="q" type="search" autofocus> '
            '<button>Search</button></form><p id="status" role="status" aria-live="polite"></p><ol id="results"></ol>'
            '<noscript><p>Search needs JavaScript.</p></noscript>')
    return _page("Search", body, version, scripts=("search-index.js", "search-texts.js", "search.js"))
