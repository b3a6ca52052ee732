"""Citations: in-text markers (`citations`) and the works cited in notes (`references`).

Marker styles: `bracket` ([12]), `superscript` (note numbers flattened into the text: `level.20`),
`footnote` (OCR page-bottom footnotes: `documents2.` with `2 In the latter half…` at the page foot) and
`author_year` ((Pan 2017; Yuan 2019) gives one row per work). Superscripts are told from other numbers
by the note sequence: a candidate is kept only if it continues the run of note numbers (n+1 .. n+3).
Notes are found by kind (segment's `[n]` notes) and by structure in any layout: the structure model
(notes_model, a CRF trained on generated layouts) labels every paragraph body, heading, note entry, note
continuation, reference-list entry, furniture, caption, table row or list item, from its numbering and the
numbers around it, whatever heading stands before the notes (or none, or one glued to note 1), at the end,
after each section or at each page's foot. Numbering that starts again opens a new notes section, which
reference_id names. Entries of an unnumbered reference list (`References`, APA) are works with no note
number, which author-year citations resolve to.
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
from ..text import han_variant, script_counts, trim_spans
from .layer import Layer, Mark, SiteMarks, dists
from .notes_model import NOTE_LABEL, label_at, label_paragraphs, note_label
from .notes_model import model_info as structure_model_info
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
_MAX_MARKER_GAP = 3  # a chain of markers may skip two lost notes
_FOOTNOTE_MARK = re.compile(r"(?<=[a-z)])(\d|[®©?’†‡§](?=[.,]))(?=[.,;:\s)])")
_AUTHOR_YEAR_GROUP = re.compile(r"\(([^()]{1,200})\)")
# `Pan 2017`, `Pan 2017, 2019a`, with a page locator or not (`Pan 2017, 14`, `Pan 2017: 14–16`, `Pan 2017, p. 3`).
_AUTHOR_YEAR_WORK = re.compile(r"([^;]*?)\s*((?:(?:19|20)\d\d[a-z]?)(?:\s*,\s*(?:19|20)\d\d[a-z]?)*)"
                               r"(?:\s*[,:]\s*(?:pp?\.\s*)?\d{1,4}(?:\s*[-–]\s*\d{1,4})?)?\s*$")
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


def superscript_markers(texts: list[str], restart_after: int = 5,
                        confirmed: set[int] | None = None) -> list[tuple[int, int, int, int]]:
    """(paragraph index, note_number, start, end) of note numbers flattened into prose, found by agreement.

    Every number glued after a word or a sentence end is a candidate (not one before `percent`, after a
    code such as Q2 or H1N1 or a page word, or inside a URL). The markers are the candidates that form the
    best increasing chain in document order: each the next number after the one before (a lost note or two
    may be skipped), a new chapter's 1 after `restart_after` or more; a number glued after another number
    (1,317; 1.4 billion) only as exactly the next one. Where the notes are known (`confirmed`: their
    numbers), a candidate the notes confirm weighs four times one they do not.
    """
    candidates = []
    for i, text in enumerate(texts):
        for m in _SUPERSCRIPT.finditer(text):
            if re.match(r"\s*(percent|per cent|%)", text[m.end():]):
                continue
            before = text[max(0, m.start() - 12):m.start()]
            word = text[max(text.rfind(" ", 0, m.start()), text.rfind("\n", 0, m.start())) + 1:m.start()]
            if _CODE_BEFORE.search(before) or "/" in word:  # a code, a page, inside a URL or a path
                continue
            candidates.append((i, int(m.group(1)), m.start(1), m.end(1), bool(re.search(r"\d[,.]?\s?$", before))))
    best_ending: dict[int, tuple[float, int, int]] = {}  # number -> (score, length, candidate) of the best chain ending there
    overall = (0.0, 0, -1)
    back = [-1] * len(candidates)
    for k, (_, n, _, _, after_number) in enumerate(candidates):
        steps = (1,) if after_number else range(1, _MAX_MARKER_GAP + 1)
        options = [best_ending[n - d] for d in steps if n - d in best_ending]
        if n == 1 and overall[1] >= restart_after:
            options.append(overall)
        if not options and (n > _MAX_MARKER_GAP or (after_number and n != 1)):
            continue
        previous = max(options) if options else (0.0, 0, -1)
        weight = 1.0 if confirmed is None or n in confirmed else 0.25
        chain = (previous[0] + weight, previous[1] + 1, k)
        back[k] = previous[2]
        if n not in best_ending or chain[:2] > best_ending[n][:2]:
            best_ending[n] = chain
        if chain[:2] > overall[:2]:
            overall = chain
    kept, k = [], overall[2]
    while k >= 0:
        i, n, a, b, _ = candidates[k]
        kept.append((i, n, a, b))
        k = back[k]
    return kept[::-1]


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
            years = list(re.finditer(r"(?:19|20)\d\d[a-z]?", inner[a + work.start(2):a + work.end(2)]))
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


# Where a note joined to the one before it starts: a line start, or after a sentence's end.
_NEXT_LABEL = re.compile(r"(?:(?<=\n)|(?<=[.!?”\"')\]]\s)|(?<=[。！？]))(?:" + NOTE_LABEL.pattern + ")")


def structural_notes(paragraphs: list, labels: list[str] | None = None) -> dict[int, int]:
    """Paragraphs that are note entries by their structure, whatever heading they have (or none, or one
    glued to note 1) -> where the entry's label starts. The structure model (notes_model) labels every
    paragraph from its numbering and the numbers around it, its position, shape and neighbours; an entry
    it labels `note` starts at its label, after a heading glued before it on its line."""
    labels = labels if labels is not None else label_paragraphs([p.text for p in paragraphs])
    kept: dict[int, int] = {}
    for i, (p, label) in enumerate(zip(paragraphs, labels)):
        found = label_at(p.text) if label == "note" and p.kind != "title" else None
        if found:
            kept[i] = found[1]
    return kept


def _continuation_end(paragraphs: list, labels: list[str], i: int, start: int, entries: set[int]) -> int:
    """Index of the last paragraph that continues note paragraph `i`: the paragraphs after it the model
    labels continuations, running furniture between them skipped, and any that holds the next note's
    number after a sentence end (a wrap broke a note and the notes after it ran on in one block)."""
    last, numbers = i, [n for n, _, _ in parse_notes(paragraphs[i].text[start:])]
    for j in range(i + 1, len(labels)):
        if j in entries:
            break
        text = paragraphs[j].text
        following = [lab[0] for m in _NEXT_LABEL.finditer(text) if (lab := note_label(text, m.start()))]
        if labels[j] == "note_cont" or (numbers and numbers[-1] + 1 in following):
            last = j
            numbers += [n for n in following if n > (numbers[-1] if numbers else 0)]
        elif labels[j] != "furniture":
            break
    return last


_NEXT_TO_MARKED = 2


def _note_layout(paragraphs: list, labels: list[str]) -> dict[int, tuple[int, int]]:
    """Each note paragraph (by kind or by structure) -> (where its notes start in it, the last paragraph
    that continues it)."""
    starts = {i: 0 for i, p in enumerate(paragraphs) if p.kind == "note"}
    found = structural_notes(paragraphs, labels)
    if starts:  # notes the source marks as such (`[n]`, `[^n]`, a PDF's page-foot notes) come first: the
        # model adds only the entries among them or next to them (`# [2] …` that a converter took for a
        # heading, `Notes [1] …` glued to its heading)
        found = {i: s for i, s in found.items() if min(starts) - _NEXT_TO_MARKED <= i <= max(starts) + _NEXT_TO_MARKED}
    starts.update(found)
    return {i: (starts[i], _continuation_end(paragraphs, labels, i, starts[i], set(starts))) for i in sorted(starts)}


_MIN_REFERENCE_LIST = 2


def _reference_list(paragraphs: list, labels: list[str], notes: dict[int, tuple[int, int]]) -> list[tuple[int, int]]:
    """(first, last paragraph) of each entry of an unnumbered reference list (`Pan, L. (2017). Title…`); a
    title or a lone paragraph that reads like a reference is no list."""
    entries, taken = [], {k for i, (_, last) in notes.items() for k in range(i, last + 1)}
    for i, label in enumerate(labels):
        if i in taken or paragraphs[i].kind == "title":
            continue
        if label == "reference":
            entries.append([i, i])
        elif label == "reference_cont" and entries and entries[-1][1] == i - 1:
            entries[-1][1] = i
    return [(a, b) for a, b in entries] if len(entries) >= _MIN_REFERENCE_LIST else []


def _references(doc_id: str, paragraphs: list, text: str, layout: dict[int, tuple[int, int]],
                listed: list[tuple[int, int]]) -> list[dict]:
    refs: list[dict] = []
    previous = 0
    for i, p in enumerate(paragraphs):  # in order: an OCR footnote whose number is a glyph follows the footnote before it
        if i in layout:
            start, last = layout[i]
            end = paragraphs[last].char_end
            notes = parse_notes(text[p.char_start + start:end], p.char_start + start)
            for k, (n, s, e) in enumerate(notes):
                e = end if k == len(notes) - 1 else e
                _add_works(refs, doc_id, n, text[s:e], s)
            previous = notes[-1][0] if notes and p.kind == "footnote" else previous
        elif p.kind == "footnote":
            m = _FOOTNOTE_BODY.match(p.text)
            n = _note_number(m.group(1), previous)
            previous = n
            _add_works(refs, doc_id, n, p.text[m.end():], p.char_start + m.end(), whole=True)
    _number_sections(refs, doc_id)
    _link(refs)
    for k, (i, last) in enumerate(listed, 1):
        start = paragraphs[i].char_start
        entry = text[start:paragraphs[last].char_end].rstrip()
        refs.append({"reference_id": f"{doc_id}-r{k:04d}", "doc_id": doc_id, "note_number": None, "ordinal": 1,
                     "text": entry, "char_start": start, "char_end": start + len(entry), "url_from": None,
                     "refers_to": None, "section": None, **parse_work(entry)})
    return refs


def _cited_by_author_year(paragraphs: list, listed: list[tuple[int, int]], refs: list[dict]) -> bool:
    """Does the body cite a work of the reference list by author and year? A list is kept by agreement
    with the text that cites it, as note numbers are by their markers."""
    entries = [r for r in refs if r["note_number"] is None]
    inside = {k for i, last in listed for k in range(i, last + 1)}
    return any(_author_year_work(t, entries) for i, p in enumerate(paragraphs) if i not in inside
               for _, _, t, well_formed in author_year_markers(p.text) if well_formed)


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
    for r in (r for r in refs if r["note_number"] is not None):  # a reference list's entries have no number
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


def _markers(doc_id: str, paragraphs: list, refs: list[dict], layout: dict[int, tuple[int, int]],
             listed: list[tuple[int, int]]) -> list[dict]:
    first_work = {}
    for r in refs:
        first_work.setdefault((r["section"], r["note_number"]), r["reference_id"])
    has_notes = bool(refs)
    found_rows = []  # (paragraph, start, end, style, note_number, reference_id or None, ordinal)

    in_notes = {k for i, (_, last) in layout.items() for k in range(i, last + 1)}
    in_notes |= {k for i, last in listed for k in range(i, last + 1)}
    body = [p for i, p in enumerate(paragraphs) if p.kind not in ("note", "footnote") and i not in in_notes]
    brackets = any(_BRACKET.search(p.text) for p in body)
    # OCR page-foot footnotes the structure model did not take for numbered notes: markers glued to words
    footnotes = any(p.kind == "footnote" and i not in layout for i, p in enumerate(paragraphs))
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
        confirmed = {r["note_number"] for r in refs if r["note_number"] is not None} or None
        found = explicit_markers(texts) or superscript_markers(texts, 2 if chapters else 5, confirmed)
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
        labels = label_paragraphs([p.text for p in doc_paragraphs])
        layout = _note_layout(doc_paragraphs, labels)
        listed = _reference_list(doc_paragraphs, labels, layout)
        refs = _references(doc_id, doc_paragraphs, texts[doc_id], layout, listed)
        if listed and not _cited_by_author_year(doc_paragraphs, listed, refs):
            listed, refs = [], [r for r in refs if r["note_number"] is not None]
        for copy_id in copies.get(doc_id, []):
            _merge_urls(refs, _copy_notes(copy_id, texts[copy_id]), copy_id)
        markers.extend(_markers(doc_id, doc_paragraphs, refs, layout, listed))
        references.extend(refs)
    return frame("citations", markers), frame("references", references)


def _citations(tables, config):
    copies = tables.get("copies")
    documents = tables["documents"] if copies is None else pd.concat([tables["documents"], copies], ignore_index=True)
    found, references = citations(documents, tables["paragraphs"], tables.get("duplicates"))
    return {"citations": found, "references": references}


def _tools() -> dict:
    return {**dists("python-crfsuite", "dateparser")(), **model_info(), **structure_model_info()}


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
