"""Citations: in-text markers (`citations`) and the works cited in notes (`references`).

Marker styles: `bracket` ([12]), `superscript` (note numbers flattened into the text: `level.20`),
`footnote` (OCR page-bottom footnotes: `documents2.` with `2 In the latter half…` at the page foot) and
`author_year` ((Pan 2017; Yuan 2019) gives one row per work). Superscripts are told from other numbers
by the note sequence: a candidate is kept only if it continues the run of note numbers (n+1 .. n+3).
Notes are found by kind (segment's `[n]` notes) and by structure in any layout (structural_notes: runs of
entries numbered from 1 under any heading, none, or one glued to note 1; at the end, after each section or
at each page's foot). Numbering that starts again opens a new notes section, which reference_id names.
Notes are split into works at top-level semicolons; each work is parsed into authors, title, container,
date, pages and URL. `Ibid.` and short forms point (`refers_to`) at the full reference. Notes of a
duplicate copy (dedup) are aligned by note number and give their URLs to the canonical copy's notes,
with `url_from` naming the copy. Every regex here is linear: no nested unbounded repetition.
"""

from __future__ import annotations

import re
import pandas as pd

from ..card import md_table
from ..tables import frame
from ..text import HAN, han_variant, script_counts, trim_spans
from .layer import Layer, Mark, SiteMarks, dists
from .refparse import model_info, parse_reference

__all__ = ["citations", "parse_notes", "parse_work", "structural_notes", "note_label", "superscript_markers", "explicit_markers", "footnote_markers", "author_year_markers"]

_NOTE_START = re.compile(r"[\[［](\d{1,5})[\]］]\s*")
_BRACKET = re.compile(r"(?<!footnotemark)[\[［](\d{1,5})[\]］]")
_SUPERSCRIPT = re.compile(r"(?<=[A-Za-z.,;:’”\")\]])(?:(?<=[.’”\"]) )?([1-9]\d{0,4})(?=\s|$|[,;:)]|[—–.](?!\d))")
# Markers written as superscripts: LaTeX-ish `$^{12}$`, `^{12}`, `\footnotemark[12]`, or Unicode ¹².
_EXPLICIT = re.compile(r"\$\^\{(\d{1,5})\}\$|\^\{(\d{1,5})\}|\^(\d{1,5})(?!\d)|\\footnotemark\[(\d{1,5})\]|(?<=\S)([¹²³⁴-⁹⁰]{1,5})(?![¹²³⁴-⁹⁰])")
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_UNIT_BEFORE = re.compile(r"(?:\b(?:m|km|cm|mm|ft|in|mi)|\d)$")
# A word that is a code, not prose: one capital letter (Q2, G4) or a word holding digits (H1N1); or the
# page word before a page number (p. 7, pp. 1–30).
_CODE_BEFORE = re.compile(r"(?:^|[\s(\[/-])(?:[A-Z]|\w*\d\w*)$|\bpp?\.\s?$")
_MIN_UNCONFIRMED_RUN = 5
_FOOTNOTE_MARK = re.compile(r"(?<=[a-z)])(\d|[®©?’†‡§](?=[.,]))(?=[.,;:\s)])")
_AUTHOR_YEAR_GROUP = re.compile(r"\(([^()]{1,200})\)")
_AUTHOR_YEAR_WORK = re.compile(r"([^;]*?)\s*((?:(?:19|20)\d\d[a-z]?)(?:\s*,\s*(?:19|20)\d\d[a-z]?)*)\s*$")
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’\-]*(?:['’\-][^\W\d_]+)*")
_NAME_JOINERS = re.compile(r"\s*(?:,|\band\b|&|\bet al\.?)\s*")
_NARRATIVE = re.compile(r"\b([A-ZÀ-Þ][a-zß-ÿ]+(?: (?:and|&) [A-ZÀ-Þ][a-zß-ÿ]+)?) \(((?:19|20)\d\d[a-z]?)\)")
_FOOTNOTE_BODY = re.compile(r"^(\d{1,2}|[%§¶*†‡£L])\s+")


_OPENERS, _CLOSERS = "“《（([「", "”》）)]」"


def _split_top_level(text: str, sep: str = ";；") -> list[tuple[int, int]]:
    """(start, end) of the parts of `text` split at `sep` outside quotes, 《》 and brackets; a separator
    followed by a digit (`2013;39:12`, Vancouver volume) does not split."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
        elif ch in sep and depth == 0 and not text[i + 1:i + 3].strip()[:1].isdigit():
            parts.append((start, i))
            start = i + 1
    parts.append((start, len(text)))
    return trim_spans(text, parts)


def parse_work(text: str) -> dict:
    """authors, title, container, date, pages, volume, issue, url, doi, language and kind of one cited work
    (see refparse.parse_reference); kind `commentary` for a note that names no work."""
    out = parse_reference(text)
    if out["title"]:
        counts = script_counts(out["title"])
        out["language"] = han_variant(out["title"]) if counts["Hani"] > counts["Latn"] / 3 else "en"
    else:
        out["language"] = None
    if out["kind"] == "source" and not (out["title"] or out["date"] or out["url"] or out["container"]):
        out["kind"] = "commentary"
    return out




def parse_notes(text: str, base: int = 0) -> list[tuple[int, int, int]]:
    """(note_number, start, end) of each note in a notes paragraph: `[n] …` (one per line or all on one
    line), or `n. …` / `n …` notes (the next number after a sentence end starts the next one). A `[n]` starts a note only where it continues the sequence (the next
    number, or a small gap at a line start): `[3] [7] T. Tiedje …` is note 3 quoting its source's number."""
    starts: list[tuple[int, int, int]] = []
    for m in _NOTE_START.finditer(text):
        n, line_start = int(m.group(1)), m.start() == 0 or text[m.start() - 1] == "\n"
        last = starts[-1][0] if starts else None
        if (last is None and line_start) or n == (last or 0) + 1 or (
                line_start and last is not None and last < n <= last + 3):
            starts.append((n, m.start(), m.end()))
    if not starts:
        first = note_label(text)
        if not first:
            return []
        starts = [(first[0], 0, first[1])]
        for m in _NEXT_LABEL.finditer(text, first[1]):  # notes a clean joined into one paragraph or one
            label = note_label(text, m.start())         # per line: the next number after a sentence end
            if label and label[0] == starts[-1][0] + 1:
                starts.append((label[0], m.start(), label[1]))
    notes = []
    for k, (n, s, body) in enumerate(starts):
        end = starts[k + 1][1] if k + 1 < len(starts) else len(text)
        notes.append((n, base + body, base + end))
    return notes


def superscript_markers(texts: list[str], restart_after: int = 5) -> list[tuple[int, int, int, int]]:
    """(paragraph index, note_number, start, end) of note numbers flattened into prose.

    A candidate is kept only when it continues the document's note sequence (last < n <= last + 3, or a
    new chapter's 1 after `restart_after` or more); a number glued after another number (1,317; 1.4 billion) must be
    exactly the next note, and one glued to a code (Q2, G4, H1N1) is no marker.
    """
    kept, last = [], 0
    for i, text in enumerate(texts):
        for m in _SUPERSCRIPT.finditer(text):
            n = int(m.group(1))
            restart = n == 1 and last >= restart_after
            if not (last < n <= last + 3 or restart) or re.match(r"\s*(percent|per cent|%)", text[m.end():]):
                continue
            before = text[max(0, m.start() - 12):m.start()]
            word = text[max(text.rfind(" ", 0, m.start()), text.rfind("\n", 0, m.start())) + 1:m.start()]
            if (re.search(r"\d[,.]?\s?$", before) and n != last + 1 and not restart) or _CODE_BEFORE.search(before) \
                    or "/" in word:  # inside a URL or a path
                continue
            kept.append((i, n, m.start(1), m.end(1)))
            last = n
    return kept


def explicit_markers(texts: list[str]) -> list[tuple[int, int, int, int]]:
    """(paragraph index, note_number, start, end) of markers written as superscripts: `$^{12}$`, `^{12}`,
    `\\footnotemark[12]`, or Unicode superscript digits (not after a unit or a number: km², 10³)."""
    found = []
    for i, text in enumerate(texts):
        for m in _EXPLICIT.finditer(text):
            if m.group(5) and _UNIT_BEFORE.search(text[max(0, m.start() - 3):m.start()]):
                continue
            digits = next(g for g in m.groups() if g).translate(_SUPERSCRIPT_DIGITS)
            if int(digits):
                found.append((i, int(digits), m.start(), m.end()))
    return found


def footnote_markers(texts: list[str], numbers: set[int]) -> list[tuple[int, int, int, int]]:
    """(paragraph index, note_number, start, end) of OCR footnote markers glued to a word: `documents2.`.

    Digit markers are kept when they follow the footnote sequence. OCR turns some digits into glyphs
    (®, ?, ’): each gap in the sequence is filled with the glyph markers glued to a word inside it, the
    ones nearest the next known marker first.
    """
    digits, glyphs, last = [], [], 0
    for i, text in enumerate(texts):
        for m in _FOOTNOTE_MARK.finditer(text):
            where = (i, m.start(1), m.end(1))
            if not m.group(1).isdigit():
                glyphs.append(where)
            elif int(m.group(1)) in numbers and last < int(m.group(1)) <= last + 3:
                last = int(m.group(1))
                digits.append((last, *where))
    kept = [(i, n, a, b) for n, i, a, b in digits]
    bounds = [(0, (-1, -1))] + [(n, (i, a)) for n, i, a, b in digits] + [(max(numbers, default=0) + 1, (len(texts), 0))]
    for (n0, p0), (n1, p1) in zip(bounds, bounds[1:]):
        missing = [n for n in range(n0 + 1, n1) if n in numbers]
        inside = [g for g in glyphs if p0 < g[:2] < p1]
        if not missing or not inside:
            continue
        chosen = inside[-len(missing):] if n1 <= max(numbers, default=0) else inside[:len(missing)]
        kept.extend((i, n, a, b) for n, (i, a, b) in zip(missing[-len(chosen):], chosen))
    return sorted(kept)


def _is_name(author: str) -> bool:
    """Names of authors in any alphabet (Müller, Ó Gráda, 王): capitalised words joined by `,`, `and`, `&`."""
    words = [w for part in _NAME_JOINERS.split(author) for w in part.split()]
    particles = {"van", "von", "de", "der", "den", "du", "da", "di", "le", "la", "al", "bin", "ibn"}
    return bool(words) and all(_NAME_WORD.fullmatch(w) and (not w[0].islower() or w in particles) for w in words)


def author_year_markers(text: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, text, resolved) of each cited work in author-year brackets and narrative citations."""
    found = []
    for group in _AUTHOR_YEAR_GROUP.finditer(text):
        inner, offset = group.group(1), group.start(1)
        if not re.search(r"(?:19|20)\d\d", inner) or re.fullmatch(r"[\d\s\-–/]+", inner):
            continue
        for a, b in _split_top_level(inner):
            work = _AUTHOR_YEAR_WORK.match(inner[a:b])
            if not work:
                continue
            author = work.group(1).strip(" ,")
            if not author:
                continue
            resolved = _is_name(author)
            years = list(re.finditer(r"(?:19|20)\d\d[a-z]?", inner[a + work.start(2):b]))
            for k, year in enumerate(years):
                if k == 0:
                    s, e = offset + a, offset + a + work.start(2) + year.end()
                else:
                    s, e = offset + a + work.start(2) + year.start(), offset + a + work.start(2) + year.end()
                found.append((s, e, text[s:e], resolved))
    for m in _NARRATIVE.finditer(text):
        found.append((m.start(), m.end(), m.group(0), True))
    return sorted(set(found))


def _note_number(token: str, previous: int) -> int:
    return int(token) if token.isdigit() else previous + 1  # OCR made 1 into L and 6 into %


def _surname(authors: str | None) -> str:
    first = (authors or "").split(";")[0].split(",")[0].split()
    return first[-1] if first else ""


def _full_reference(r: dict, full: list[dict]) -> dict | None:
    """The latest full reference a short form names: its title starts with the short title, and its
    authors hold the short form's surname (`Shambaugh, China's Leaders`, `T. Kuehn, op. cit.`)."""
    short = re.sub(r"[….]+$", "", r["title"] or "").strip(" ,.").casefold()
    surname = _surname(r["authors"])
    for f in reversed(full):
        if (not short or (f["title"] or "").casefold().startswith(short)) and (
                not surname or surname in (f["authors"] or "")) and (short or surname):
            return f
    return None


def _link(refs: list[dict]) -> None:
    """Point Ibid. at the previous note's work and short forms at the full reference, in document order
    (chapters may number their notes afresh)."""
    full: list[dict] = []
    previous_note: list[dict] = []
    notes: list[list[dict]] = []
    for r in refs:
        if notes and notes[-1][0]["note_number"] == r["note_number"]:
            notes[-1].append(r)
        else:
            notes.append([r])
    for note in notes:
        for r in note:
            if r["kind"] == "ibid" and previous_note:
                target = previous_note[0]
                r["refers_to"] = target.get("refers_to") or target["reference_id"]
            elif r["kind"] == "short_form" or (r["title"] and not r["date"] and not r["url"]):
                target = _full_reference(r, full)
                if target is not None:
                    r["refers_to"], r["kind"] = target["reference_id"], "short_form"
            if r["kind"] == "source" and r["title"]:
                full.append(r)
        previous_note = note


# What a note's entry says that body text seldom does: a year, a URL, a quoted or 《》 title, Ibid., op. cit.,
# pages, a translator's note, `See …`.
_REFERENCE_LIKE = re.compile(r"(?<!\d)(?:1[6-9]|20)\d\d(?!\d)|https?://|www\.|[“”\"《》]|\b(?:ibid|id|op\. cit|cit)\.|同上|"
                             r"\bpp?\.\s*\d|\b(?:translator|editor)[’']?s note\b|^(?:see|cf\.?)\s|出版社|第\s*\d+\s*页", re.I)
_MIN_NOTE_RUN = 3
# One definition of a note's label where its entry starts: [n] ［n］ ^n ^{n} 注n： ¹² n. n) or n before a capital.
_NOTE_LABEL = re.compile(rf"\[(\d{{1,5}})\]|［(\d{{1,5}})］|\^\{{?(\d{{1,5}})\}}?(?!\d)|注\s?(\d{{1,5}})\s?[：:]|([¹²³⁴-⁹⁰]{{1,5}})(?=\s)"
                         rf"|(\d{{1,5}})(?:[.)]\s|\s(?=[A-Z\u00c0-\u00de“\"‘《\[(]|[{HAN}]))")
# Where a note joined to the one before it starts: a line start, or after a sentence's end.
_NEXT_LABEL = re.compile(r"(?:(?<=\n)|(?<=[.!?”\"')\]]\s)|(?<=[。！？]))(?:" + _NOTE_LABEL.pattern + ")")
# A heading glued before note 1 on its line (`ENDNOTES FOR CHAPTER 1 1. Author…`): a few words, no sentence.
_GLUED_HEADING = re.compile(r"[^\n.!?;,。！？；，:：]{2,60}?\s(?=1[.)]?\s)")


def note_label(text: str, at: int = 0) -> tuple[int, int] | None:
    """(note number, end of the label) of a note label at `text[at]`, or None."""
    m = _NOTE_LABEL.match(text, at)
    if not m:
        return None
    digits = next(g for g in m.groups() if g).translate(_SUPERSCRIPT_DIGITS)
    end = m.end()
    while end < len(text) and text[end] in " \t":
        end += 1
    return (int(digits), end) if int(digits) else None


def _candidates(paragraphs: list) -> list[tuple[int, int, int, int]]:
    """(paragraph index, note number, label start, body start) of every paragraph that starts like a note
    entry, or whose short heading-like first words stand before a note 1."""
    found = []
    for i, p in enumerate(paragraphs):
        if p.kind == "title":
            continue
        label = note_label(p.text)
        if label:
            found.append((i, label[0], 0, label[1]))
            continue
        glued = _GLUED_HEADING.match(p.text)
        label = note_label(p.text, glued.end()) if glued else None
        if label and label[0] == 1:
            found.append((i, 1, glued.end(), label[1]))
    return found


def _runs_of(candidates: list[tuple[int, int, int, int]]) -> list[list[tuple[int, int, int, int]]]:
    """Runs of candidates numbered 1, 2, 3 … (a gap of a lost note or two allowed), in document order;
    the paragraphs between entries (page numbers, running headers, the body between page-foot notes) do
    not break a run."""
    runs: list[list] = []
    for c in candidates:
        n = c[1]
        if n == 1:
            runs.append([c])
        elif runs and runs[-1][-1][1] < n <= runs[-1][-1][1] + 3:
            runs[-1].append(c)
    return runs


def _marker_numbers(paragraphs: list, skip: set[int]) -> set[int]:
    """Numbers the body's explicit markers (^n, ¹, $^{n}$, [n]) and flattened note numbers carry."""
    texts = [p.text for i, p in enumerate(paragraphs) if i not in skip and p.kind not in ("note", "footnote")]
    numbers = {n for _, n, _, _ in explicit_markers(texts)}
    numbers |= {int(m.group(1)) for t in texts for m in _BRACKET.finditer(t)}
    return numbers | {n for _, n, _, _ in superscript_markers(texts)}


def structural_notes(paragraphs: list) -> dict[int, int]:
    """Paragraphs that are note entries by their structure, whatever heading they have (or none, or one
    glued to note 1) -> where the entry's text starts. A run of entries numbered from 1 (at least three;
    see _runs_of) is notes when most entries read like references, near the end of the document, or
    anywhere when the body's markers carry most of its numbers or there are several runs (chapters with
    their own numbering, notes after each section, notes at each page's foot)."""
    runs = [r for r in _runs_of(_candidates(paragraphs)) if len(r) >= _MIN_NOTE_RUN]
    if not runs:
        return {}
    size = len(paragraphs)
    entries = {c[0] for r in runs for c in r}
    markers = _marker_numbers(paragraphs, entries)
    kept: dict[int, int] = {}
    for run in runs:
        like = sum(bool(_REFERENCE_LIKE.search(paragraphs[i].text[body:])) for i, _, _, body in run)
        agree = sum(n in markers for _, n, _, _ in run)
        near_end = run[0][0] >= size // 2 or size - run[-1][0] <= max(5, size // 4)
        if like * 2 >= len(run) and (near_end or len(runs) > 1 or agree * 2 >= len(run)):
            kept.update({i: start for i, _, start, _ in run})
    return kept


_PAGE_NUMBER = re.compile(r"\d{1,4}|[-–—]\s*\d{1,4}\s*[-–—]")
_MAX_CONTINUATION = 3


def _continuation_end(paragraphs: list, i: int, start: int, entries: set[int]) -> int:
    """Index of the last paragraph that continues note paragraph `i` (a reference hard-wrapped over blank
    lines): short paragraphs up to the next note, skipping page numbers, stopping at headings; a long one
    only where it holds the next note's label after a sentence end (the wrap broke a note and the notes
    after it ran on in one block)."""
    last, numbers = i, [n for n, _, _ in parse_notes(paragraphs[i].text[start:])]
    for j in range(i + 1, min(len(paragraphs), i + 1 + _MAX_CONTINUATION)):
        p = paragraphs[j]
        if j in entries or p.kind in ("heading", "title", "footnote") or note_label(p.text):
            break
        following = [lab[0] for m in _NEXT_LABEL.finditer(p.text) if (lab := note_label(p.text, m.start()))]
        if len(p.text) > 300 and not (numbers and numbers[-1] + 1 in following):
            break
        if not _PAGE_NUMBER.fullmatch(p.text.strip()):
            last = j
            numbers += [n for n in following if n > (numbers[-1] if numbers else 0)]
    return last


def _note_layout(paragraphs: list) -> dict[int, tuple[int, int]]:
    """Each note paragraph (by kind or by structure) -> (where its notes start in it, the last paragraph
    that continues it)."""
    starts = {i: 0 for i, p in enumerate(paragraphs) if p.kind == "note"}
    starts.update(structural_notes(paragraphs))
    return {i: (starts[i], _continuation_end(paragraphs, i, starts[i], set(starts))) for i in sorted(starts)}


def _references(doc_id: str, paragraphs: list, text: str, layout: dict[int, int]) -> list[dict]:
    refs = []
    for i, (start, last) in layout.items():
        p = paragraphs[i]
        end = paragraphs[last].char_end
        notes = parse_notes(text[p.char_start + start:end], p.char_start + start)
        for k, (n, s, e) in enumerate(notes):
            e = end if k == len(notes) - 1 else e
            _add_works(refs, doc_id, n, text[s:e], s)
    previous = 0
    for p in (p for i, p in enumerate(paragraphs) if p.kind == "footnote" and i not in layout):
        m = _FOOTNOTE_BODY.match(p.text)
        n = _note_number(m.group(1), previous)
        previous = n
        _add_works(refs, doc_id, n, p.text[m.end():], p.char_start + m.end(), whole=True)
    _number_sections(refs, doc_id)
    _link(refs)
    return refs


def _number_sections(refs: list[dict], doc_id: str) -> None:
    """Give every work its notes section: numbering that starts again (per chapter, per page) opens the
    next one. reference_id names the section from the second on, so the IDs stay unique."""
    section, last = 1, 0
    for r in refs:
        if r["ordinal"] == 1 and r["note_number"] <= last:
            section += 1
        last = r["note_number"]
        r["section"] = section
        r["reference_id"] = _reference_id(doc_id, section, r["note_number"], r["ordinal"])


def _reference_id(doc_id: str, section: int, n: int, ordinal: int) -> str:
    return f"{doc_id}-n{n:04d}-{ordinal}" if section == 1 else f"{doc_id}-s{section:03d}-n{n:04d}-{ordinal}"


def _add_works(refs: list[dict], doc_id: str, n: int, body: str, start: int, whole: bool = False) -> None:
    parts = [(0, len(body.rstrip()))] if whole else _split_top_level(body)
    for k, (a, b) in enumerate(parts, 1):
        work = body[a:b]
        refs.append({"reference_id": _reference_id(doc_id, 1, n, k), "doc_id": doc_id, "note_number": n, "ordinal": k,
                     "text": work, "char_start": start + a, "char_end": start + b, "url_from": None,
                     "refers_to": None, **parse_work(work)})


def _merge_urls(refs: list[dict], copy_refs: list[dict], copy_id: str) -> None:
    """Give the canonical copy's works the URLs that only a duplicate copy kept, aligned by note and ordinal."""
    by_key = {(r["section"], r["note_number"], r["ordinal"]): r for r in copy_refs}
    for r in refs:
        other = by_key.get((r["section"], r["note_number"], r["ordinal"]))
        if r["url"] is None and other is not None and other["url"]:
            r["url"], r["url_from"] = other["url"], copy_id


def _copy_notes(doc_id: str, text: str) -> list[dict]:
    """Parse the notes of a duplicate copy (not segmented) straight from its text."""
    refs = []
    for m in re.finditer(r"(?m)^\[\d{1,5}\].*$", text):
        for n, s, e in parse_notes(m.group(), m.start()):
            _add_works(refs, doc_id, n, text[s:e], s)
    _number_sections(refs, doc_id)
    return refs


def _sections_of(markers: list[tuple[int, int]], refs: list[dict]) -> list[int]:
    """The notes section each numbered marker (char_start, note_number; in document order) points into.

    One section: all of them. Several (chapters numbering their notes afresh): the marker sequence starts
    again as often as the notes do, so the k-th run of markers is the k-th section; where the counts
    differ, the first section after the marker that holds its number (notes after each chapter), else
    the last one before it."""
    sections: dict[int, tuple[int, set[int]]] = {}
    for r in refs:
        start, numbers = sections.setdefault(r["section"], (r["char_start"], set()))
        numbers.add(r["note_number"])
    if len(sections) <= 1:
        return [1] * len(markers)
    runs, run, last = [], 1, 0
    for _, n in markers:
        run += n < last
        runs.append(run)
        last = n
    if runs and runs[-1] == len(sections):
        return runs
    chosen = []
    for at, n in markers:
        holding = [k for k, (start, numbers) in sorted(sections.items()) if n in numbers]
        after = [k for k in holding if sections[k][0] > at]
        chosen.append(after[0] if after else holding[-1] if holding else 1)
    return chosen


def _author_year_work(marker: str, refs: list[dict]) -> str | None:
    """The reference an author-year citation names: a work whose authors hold its surname and whose date
    has its year (a references list of `Pan, L. (2017). Title…`)."""
    year = re.search(r"(?:19|20)\d\d", marker)
    words = _NAME_WORD.findall(marker[:year.start()]) if year else []
    if not words:
        return None
    surname = words[0].casefold()
    for r in refs:
        if (r["date"] or "").startswith(year.group()) and surname in (r["authors"] or "").casefold():
            return r["reference_id"]
    return None


def _markers(doc_id: str, paragraphs: list, refs: list[dict], layout: dict[int, int]) -> list[dict]:
    first_work = {}
    for r in refs:
        first_work.setdefault((r["section"], r["note_number"]), r["reference_id"])
    has_notes = bool(refs)
    found_rows = []  # (paragraph, start, end, style, note_number, reference_id or None, ordinal)

    in_notes = {k for i, (_, last) in layout.items() for k in range(i, last + 1)}
    body = [p for i, p in enumerate(paragraphs) if p.kind not in ("note", "footnote") and i not in in_notes]
    brackets = any(_BRACKET.search(p.text) for p in body)
    footnotes = any(p.kind == "footnote" for p in paragraphs)
    for p in body:
        for m in _BRACKET.finditer(p.text):
            found_rows.append((p, m.start(), m.end(), "bracket", int(m.group(1)), None, 1))
        for k, (a, b, t, well_formed) in enumerate(author_year_markers(p.text), 1):
            found_rows.append((p, a, b, "author_year", None, _author_year_work(t, refs) if well_formed else None, k))
    texts = [p.text for p in body]
    style = "superscript"
    if footnotes:  # superscripts written as such first; else the digits OCR glued to the words
        found = explicit_markers(texts) or footnote_markers(texts, {r["note_number"] for r in refs})
        style = "superscript" if found and _EXPLICIT.match(texts[found[0][0]], found[0][2]) else "footnote"
    elif brackets:  # superscripts still, where they outnumber the bracketed numbers (a quoted `section [401]`)
        found = explicit_markers(texts)
        found = found if len(found) > sum(len(_BRACKET.findall(t)) for t in texts) else []
    else:
        chapters = sum(r["note_number"] == 1 and r["ordinal"] == 1 for r in refs) > 1  # numbering restarts
        found = explicit_markers(texts) or superscript_markers(texts, 2 if chapters else 5)
        if not has_notes and found and (len(found) < _MIN_UNCONFIRMED_RUN or found[0][1] > 2):
            found = []  # no notes to confirm them, and too short a run to be notes on its own
    for i, n, a, b in found:
        found_rows.append((body[i], a, b, style, n, None, 1))
    found_rows.sort(key=lambda row: (row[0].char_start + row[1], row[6]))
    numbered = [(p.char_start + a, n) for p, a, _, _, n, _, _ in found_rows if n is not None]
    sections = iter(_sections_of(numbered, refs))
    rows = []
    for p, a, b, style, n, reference_id, k in found_rows:
        if n is not None:
            reference_id = first_work.get((next(sections), n))
        rows.append({"citation_id": f"{doc_id}-c{p.char_start + a:07d}-{k}", "doc_id": doc_id,
                     "paragraph_id": p.paragraph_id, "text": p.text[a:b], "char_start": p.char_start + a,
                     "char_end": p.char_start + b, "style": style, "note_number": n,
                     "reference_id": reference_id, "resolved": reference_id is not None})
    return rows


def citations(documents: pd.DataFrame, paragraphs: pd.DataFrame, duplicates: pd.DataFrame | None = None):
    """Returns (citations, references).

    citations: citation_id, doc_id, paragraph_id, text, char_start, char_end, style, note_number, reference_id, resolved
    references: reference_id, doc_id, note_number, ordinal, text, char_start, char_end, authors, title, container,
        date, pages, url, url_from, language, kind, refers_to
    """
    markers, references = [], []
    copies = {} if duplicates is None else {
        canonical: sorted(g.loc[g["relation"] != "canonical", "doc_id"])
        for canonical, g in duplicates.groupby("canonical_doc_id")}
    texts = dict(zip(documents["doc_id"], documents["text"]))
    by_doc: dict[str, list] = {}
    for p in paragraphs.sort_values("paragraph_id").itertuples(index=False):
        by_doc.setdefault(p.doc_id, []).append(p)
    for doc_id, doc_paragraphs in sorted(by_doc.items()):
        layout = _note_layout(doc_paragraphs)
        refs = _references(doc_id, doc_paragraphs, texts[doc_id], layout)
        for copy_id in copies.get(doc_id, []):
            _merge_urls(refs, _copy_notes(copy_id, texts[copy_id]), copy_id)
        markers.extend(_markers(doc_id, doc_paragraphs, refs, layout))
        references.extend(refs)
    return frame("citations", markers), frame("references", references)


def _citations(tables, config):
    copies = tables.get("copies")
    documents = tables["documents"] if copies is None else pd.concat([tables["documents"], copies], ignore_index=True)
    found, references = citations(documents, tables["paragraphs"], tables.get("duplicates"))
    return {"citations": found, "references": references}


def _tools() -> dict:
    return {**dists("python-crfsuite", "dateparser")(), **model_info()}


def _card(tables, baselines) -> dict[str, str]:
    if "sources" not in baselines:
        return {}
    return {"sources": "Cited works per document by title language, with URLs and the share archived "
                       "(`baselines/sources.csv`):\n\n" + md_table(baselines["sources"])
                       + "\nBy kind of container (`baselines/sources_by_kind.csv`):\n\n"
                       + md_table(baselines["sources_by_kind"])}


def _reference_marks(doc_id: str, by_doc: dict, titles: dict) -> list[Mark]:
    return [Mark(r["char_start"], r["char_end"], "span", (("class", "reference"), ("data-kind", r.get("kind"))),
                 (("id", f"ref-{r['reference_id']}"),), rank=1)
            for r in by_doc["references"].get(doc_id, ())]


def _citation_marks(doc_id: str, by_doc: dict, titles: dict) -> list[Mark]:
    """A marker links to its reference when that is on the page; else it says why not."""
    known = {r["reference_id"] for r in by_doc["references"].get(doc_id, ())}
    marks = []
    for c in by_doc["citations"].get(doc_id, ()):
        if c.get("reference_id") in known:
            marks.append(Mark(c["char_start"], c["char_end"], "a",
                              (("class", "citation"), ("href", f"#ref-{c['reference_id']}"),
                               ("data-note", c.get("note_number"))),
                              (("id", f"cite-{c['citation_id']}"),), rank=5))
        else:
            why = "not resolved" if not c.get("resolved") else "note not parsed into a reference"
            marks.append(Mark(c["char_start"], c["char_end"], "span",
                              (("class", "citation unresolved"), ("data-note", c.get("note_number")),
                               ("title", f"citation marker ({why})")),
                              (("id", f"cite-{c['citation_id']}"),), rank=5))
    return marks


LAYER = Layer("citations", needs=("documents", "paragraphs", "copies", "duplicates"), produces=("citations", "references"),
              run=_citations, context=("documents", "copies", "duplicates"), tools=_tools, card=_card,
              site=(SiteMarks("references", None, _reference_marks), SiteMarks("citations", None, _citation_marks)))
