"""Documents rendered in random note layouts, with the label of every paragraph known.

One document (title, body paragraphs, the notes its markers point to) is rendered in a layout drawn from
a seeded random generator: heading words and numbers in any form or none, glued to note 1 or not, note
numbering `1.` `1)` `[1]` `1` `¹` `^1` `注1：` or Markdown table rows, markers flattened, superscript,
bracketed, caret, LaTeX or Markdown, notes at the end, after each chapter (numbering restarting) or at
each page's foot with running headers and page numbers, hard wraps at any width with hyphenation, and
distractors (numbered body lists, numbered headings, captions, tables). An author-year layout cites
works `(Surname 2017)` and lists them under a references heading, unnumbered.

`render` returns the source text, its format and the pieces it was made of; `paragraph_labels` aligns the
paragraphs the pipeline makes of that text (clean, then blank-line blocks) with those pieces. Used by
train_notes.py to make training data and by the metamorphic tests to draw layouts.
"""

from __future__ import annotations

import random
import re
import textwrap
from dataclasses import dataclass, field

__all__ = ["Document", "Piece", "render", "paragraph_labels", "normalized"]

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_NOTE_WORDS = ["Notes", "Endnotes", "Footnotes", "Notes and References", "Note", "Sources", "Notes and Sources"]
_REFERENCE_WORDS = ["References", "Bibliography", "Works Cited", "Literature", "Sources Cited", "Reference List"]
_ZH_NOTE_WORDS = ["注释", "注", "尾注", "参考文献", "注解", "附注"]
_CHAPTER_WORDS = ["Chapter", "CHAPTER", "Part", "Section", "Ch."]


@dataclass
class Piece:
    """One paragraph's worth of the rendered text and what it is: body, heading, note (its number),
    reference (an unnumbered reference-list entry), furniture, caption, table_row or list_item."""
    label: str
    text: str
    number: int | None = None


@dataclass
class Document:
    title: str
    body: list[str]
    notes: list[str]
    chapters: list[int] = field(default_factory=list)  # body paragraph index where each chapter starts


def normalized(text: str) -> str:
    """Letters and digits only, casefolded: what survives wraps, hyphenation and furniture removal."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _heading(rng: random.Random, chapter: int | None, references: bool = False) -> str | None:
    """A notes heading in one of the forms reports use, or None."""
    roll = rng.random()
    if roll < 0.12 and not references:
        return None
    if roll < 0.25:
        word = rng.choice(_ZH_NOTE_WORDS if not references else ["参考文献", "参考书目", "引用文献"])
        return word + (f"（第{chapter}章）" if chapter and rng.random() < 0.3 else "")
    word = rng.choice(_REFERENCE_WORDS if references else _NOTE_WORDS)
    if chapter is not None and rng.random() < 0.6 and not references:
        form = rng.choice(["{w} to {c} {k}", "{w} for {c} {k}", "{c} {k} {w}", "{w} ({c} {k})", "{w}, {c} {k}"])
        word = form.format(w=word, c=rng.choice(_CHAPTER_WORDS), k=chapter)
    case = rng.random()
    word = word.upper() if case < 0.35 else word.lower() if case < 0.4 else word
    decorate = rng.random()
    if decorate < 0.12:
        return f"# {word}"
    if decorate < 0.2:
        return f"## {word}"
    if decorate < 0.25:
        return f"**{word}**"
    if decorate < 0.3:
        return f"\\section*{{{word}}}"
    if decorate < 0.35:
        return word + ":"
    return word


def _label(style: str, n: int) -> str:
    return {"dot": f"{n}. ", "paren": f"{n}) ", "bracket": f"[{n}] ", "bare": f"{n} ", "sup": f"{str(n).translate(_SUPERSCRIPTS)} ",
            "caret": f"^{n} ", "caret_brace": f"^{{{n}}} ", "zh": f"注{n}：", "fwbracket": f"［{n}］", "table": f"| {n}. | ",
            "latex": f"$^{{{n}}}$ ", "dotnospace": f"{n}.", "parens": f"({n}) "}[style]


def _marker(style: str, n: int) -> str:
    return {"flat": str(n), "flat_space": f" {n}", "sup": str(n).translate(_SUPERSCRIPTS), "bracket": f"[{n}]",
            "caret": f"^{n}", "caret_brace": f"^{{{n}}}", "latex": f"$^{{{n}}}$", "fwbracket": f"［{n}］"}[style]


def _place_markers(paragraph: str, numbers: list[int], style: str, rng: random.Random) -> str:
    """The paragraph with markers for `numbers` after sentence ends or words, in order."""
    # after a clause's punctuation or a content word (a marker seldom follows `in` or `of`)
    ends = [m.end() for m in re.finditer(r"(?:[a-z]{4}|[\u4e00-\u9fff])[.,;:。，”\"’)]?(?=\s|$)|[a-z][.,;:。，”\"’)](?=\s|$)", paragraph)]
    if not ends:
        ends = [len(paragraph)]
    spots = sorted(rng.sample(ends, min(len(numbers), len(ends))))
    while len(spots) < len(numbers):
        spots.append(spots[-1])
    out, last = [], 0
    for at, n in zip(spots, numbers):
        mark = _marker(style, n)
        if style in ("flat", "flat_space") and rng.random() < 0.5 and paragraph[at - 1:at] in ".,;:":
            out.append(paragraph[last:at] + mark)  # after the punctuation, as most flattened reports do
        else:
            cut = at - 1 if paragraph[at - 1:at] in ".,;:" and rng.random() < 0.5 else at
            out.append(paragraph[last:cut] + mark + paragraph[cut:at])
        last = at
    out.append(paragraph[last:])
    return "".join(out)


def _distractor(rng: random.Random, words: list[str], k: int) -> list[Piece]:
    """Numbered things that are not notes: a short numbered list, a numbered heading, a caption, a table."""
    kind = rng.choice(["list", "heading", "caption", "table", "figure_list"])
    phrase = lambda m: " ".join(rng.choice(words) for _ in range(m))  # noqa: E731
    if kind == "list":
        start = rng.choice([1, 1, 1, 2])
        return [Piece("list_item", f"{n}{rng.choice(['.', ')'])} {phrase(rng.randint(4, 25)).capitalize()}.") for n in range(start, start + rng.randint(2, 5))]
    if kind == "heading":
        return [Piece("heading", f"{k}. {phrase(rng.randint(1, 5)).title()}")]
    if kind == "caption":
        return [Piece("caption", f"{rng.choice(['Figure', 'Table', 'Chart', '图', '表'])} {k}{rng.choice(['.', ':', ''])} {phrase(rng.randint(3, 9)).capitalize()}")]
    if kind == "table":
        rows = [f"| {phrase(1)} | {rng.randint(1, 2030)} | {rng.randint(1, 99)}% |" for _ in range(rng.randint(2, 5))]
        return [Piece("table_row", r) for r in rows]
    return [Piece("caption", f"Source: {phrase(rng.randint(3, 8)).capitalize()}, {rng.randint(1990, 2024)}.")]


def _wrap(text: str, width: int, rng: random.Random, hyphenate: bool) -> str:
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    if not hyphenate:
        return "\n".join(lines)
    out = []
    for k, line in enumerate(lines):
        if k + 1 < len(lines) and rng.random() < 0.3:
            nxt = lines[k + 1].split(" ", 1)
            word = nxt[0]
            if len(word) >= 7 and word.isalpha():
                cut = rng.randint(3, len(word) - 3)
                line, lines[k + 1] = f"{line} {word[:cut]}-", word[cut:] + (" " + nxt[1] if len(nxt) > 1 else "")
        out.append(line)
    return "\n".join(out)


def render(doc: Document, rng: random.Random, distractors: bool = True) -> tuple[str, str, list[Piece]]:
    """(source text, format, pieces) of `doc` in a layout drawn from `rng`; `distractors`: numbered lists,
    numbered headings, captions and tables among the body."""
    words = [w for p in doc.body for w in re.findall(r"[A-Za-z]{3,}", p)] or ["report", "policy", "county"]
    placement = rng.choices(["end", "chapters", "page_foot", "author_year", "none"], [0.35, 0.2, 0.3, 0.1, 0.05])[0]
    if placement == "author_year":  # a reference list holds works with an author and a year, once each
        cited = sorted({n for n in doc.notes if _surname(n) and _year(n)})
        if len(cited) < 2:
            placement = "end"
        else:
            doc = Document(doc.title, doc.body, rng.sample(cited, len(cited)), doc.chapters)
    label_style = rng.choice(["dot", "dot", "dot", "paren", "bracket", "bare", "bare", "sup", "caret", "caret_brace",
                              "zh", "fwbracket", "table", "latex", "dotnospace", "parens"])
    marker_style = rng.choice(["flat", "flat", "sup", "sup", "bracket", "caret", "caret_brace", "latex",
                               "fwbracket"])
    if label_style == "table":
        fmt = "md"
    else:
        fmt = "txt"
    notes_per_paragraph = [0] * len(doc.body)
    for k in range(len(doc.notes)):
        notes_per_paragraph[k * len(doc.body) // max(1, len(doc.notes))] += 1
    chapters = doc.chapters if placement == "chapters" and len(doc.chapters) > 1 else [0]
    pieces: list[Piece] = []
    title = doc.title
    pieces.append(Piece("heading", rng.choice([title, title.upper(), f"# {title}"]) if fmt == "md" or rng.random() < 0.5 else title))
    note_iter = iter(range(len(doc.notes)))
    chapter_notes: list[list[tuple[int, str]]] = []
    number = 0
    glue = rng.random() < 0.3
    after_each_chapter = rng.random() < 0.6
    page_break = rng.uniform(0.15, 0.7)
    pages: list[list[Piece]] = []
    page_notes: list[list[Piece]] = []
    for i, paragraph in enumerate(doc.body):
        if i in chapters:
            chapter_notes.append([])
            number = 0
            if placement == "chapters" or rng.random() < 0.3:
                k = chapters.index(i) + 1 if i in chapters else 1
                pieces.append(Piece("heading", rng.choice([f"{rng.choice(_CHAPTER_WORDS)} {k}", f"{k}. " + " ".join(rng.sample(words, min(3, len(words)))).title(), " ".join(rng.sample(words, min(4, len(words)))).title()])))
            if placement == "page_foot":
                pages.append([])
                page_notes.append([])
        numbers = []
        for _ in range(notes_per_paragraph[i]):
            note = next(note_iter)
            number += 1
            numbers.append(number)
            chapter_notes[-1].append((number, doc.notes[note]))
        if placement == "author_year":
            text = paragraph
            for n in numbers:
                surname = _surname(doc.notes[n - 1]) or rng.choice(words).title()
                year = _year(doc.notes[n - 1]) or str(rng.randint(1990, 2023))
                cite = rng.choice([f" ({surname} {year})", f" ({surname}, {year})", f" ({surname} {year}, {rng.randint(2, 300)})"])
                at = text.find(". ", rng.randint(0, max(0, len(text) - 2)))
                at = len(text) - 1 if at < 0 else at
                text = text[:at] + cite + text[at:]
        elif placement == "none":
            text = paragraph
        else:
            text = _place_markers(paragraph, numbers, marker_style, rng)
        piece = Piece("body", text)
        if rng.random() < 0.12 and distractors:
            (pages[-1] if placement == "page_foot" else pieces).extend(_distractor(rng, words, i + 1))
        if placement == "page_foot":
            pages[-1].append(piece)
            for n in numbers:
                page_notes[-1].append(Piece("note", _label(label_style if label_style != "table" else "bare", n) + chapter_notes[-1][n - 1 - (number - len(chapter_notes[-1]))][1], n))
            if rng.random() < page_break:
                pages.append([])
                page_notes.append([])
        else:
            pieces.append(piece)
        next_chapter = i + 1 in chapters or i + 1 == len(doc.body)
        if placement == "chapters" and next_chapter and after_each_chapter:
            pieces.extend(_notes_block(chapter_notes[-1], label_style, rng, len(chapter_notes), glue))
    if placement == "chapters" and not after_each_chapter:  # all chapters' notes at the end, each under its heading
        for k, block in enumerate(chapter_notes, 1):
            pieces.extend(_notes_block(block, label_style, rng, k, glue))
    if placement in ("end",):
        pieces.extend(_notes_block(chapter_notes[0] if len(chapter_notes) == 1 else [x for b in chapter_notes for x in b], label_style, rng, None, glue))
    if placement == "author_year":
        heading = _heading(rng, None, references=True)
        pieces.append(Piece("heading", heading))
        for note in sorted(doc.notes):
            pieces.append(Piece("reference", note))
    if placement == "page_foot":
        width = rng.randint(60, 100)
        header = rng.choice([title.upper(), title, f"{title[:40]} | Report"])
        texts = []
        for k, (page, foot) in enumerate(zip(pages, page_notes), 1):
            lines = [header] if k > 1 or rng.random() < 0.5 else []
            pieces.append(Piece("furniture", header))
            for p in page:
                lines += _wrap(p.text, width, rng, rng.random() < 0.3).split("\n") + [""]
                pieces.append(p)
            for note in foot:
                lines += _wrap(note.text, width, rng, False).split("\n")
                pieces.append(note)
            page_number = rng.choice([f"{k}", f"— {k} —", f"- {k} -", f"Page {k}", f"{k} | {header[:20]}"])
            lines += ["", page_number]
            pieces.append(Piece("furniture", page_number))
            texts.append("\n".join(lines))
        # pages apart by form feeds, or (a text copied out of a PDF viewer) by blank lines only
        return ("\f" if rng.random() < 0.5 else "\n\n").join(texts), "txt", pieces
    return _layout_text(pieces, rng, fmt), fmt, pieces


def _surname(note: str) -> str | None:
    m = re.match(r"\s*([A-Z][a-z]+)", note)
    return m.group(1) if m else None


def _year(note: str) -> str | None:
    m = re.search(r"(?<!\d)(19|20)\d\d(?!\d)", note)
    return m.group() if m else None


def _notes_block(notes: list[tuple[int, str]], style: str, rng: random.Random, chapter: int | None, glue: bool) -> list[Piece]:
    heading = _heading(rng, chapter)
    block = [Piece("note", _label(style, n) + text, n) for n, text in notes]
    if style == "table":
        block = [Piece("note", p.text.rstrip() + " |", p.number) for p in block]
        if heading is not None:
            heading = "# " + heading.lstrip("#* ").rstrip("*")
    if not block:
        return [Piece("heading", heading)] if heading else []
    if heading and glue and style not in ("table",):
        block[0] = Piece("note", f"{heading} {block[0].text}", block[0].number)
        return block
    return ([Piece("heading", heading)] if heading else []) + block


def _layout_text(pieces: list[Piece], rng: random.Random, fmt: str) -> str:
    """Pieces joined by blank lines, hard-wrapped at one width (with hyphenation) or one line each; note
    entries sometimes on consecutive lines with no blank line between them."""
    wrap = rng.random() < 0.35
    width = rng.randint(50, 100)
    hyphenate = wrap and rng.random() < 0.5
    tight_notes = rng.random() < 0.4
    split_entries = rng.choice([0.0, 0.0, 0.05, 0.2])
    indent = " " * rng.choice([0, 0, 2, 4]) if wrap else ""
    out = []
    for k, p in enumerate(pieces):
        text = _wrap(p.text, width, rng, hyphenate) if wrap and p.label in ("body", "note", "reference") else p.text
        if p.label == "note" and indent:
            text = text.replace("\n", "\n" + indent)  # hanging indent
        table_row = p.text.startswith("|")
        if p.label in ("note", "reference") and not table_row and rng.random() < split_entries:
            # a blank line inside an entry (a page break, a wrap the converter took for a paragraph end)
            cut = [m.end() for m in re.finditer(r"[,.;:] ", text[:len(text) * 3 // 4])][1:]
            if cut:
                at = rng.choice(cut)
                text = text[:at].rstrip() + "\n\n" + text[at:]
        tight = tight_notes or (table_row and pieces[k - 1].text.startswith("|"))  # a table's rows are lines
        if k and not (tight and p.label in ("note", "reference") and pieces[k - 1].label in ("note", "reference")):
            out.append("\n\n")
        elif k:
            out.append("\n")
        out.append(text)
    if fmt == "md" and any(p.label == "note" and p.text.startswith("|") for p in pieces):
        # a Markdown table needs its header row and rule; the notes rows follow them
        text = "".join(out)
        first = next(p.text for p in pieces if p.label == "note")
        return text.replace(first, "| No. | Note |\n|---|---|\n" + first, 1)
    return "".join(out)


def paragraph_labels(paragraphs: list[str], pieces: list[Piece]) -> list[str]:
    """The label of each paragraph of the cleaned text: the label of the piece its start lies in; a
    paragraph that starts inside a note (not at its label) continues it (`note_cont`)."""
    starts, stream, owner = [], [], []
    for k, p in enumerate(pieces):
        norm = normalized(p.text)
        starts.append(len(stream))
        stream.extend(norm)
        owner.extend([k] * len(norm))
    joined = "".join(stream)
    labels, cursor = [], 0
    for text in paragraphs:
        key = normalized(text)[:40]
        if not key:
            labels.append("furniture")
            continue
        at = _find_within_piece(joined, owner, key, cursor)
        if at < 0:
            at = _find_within_piece(joined, owner, key, 0)
        if at < 0:
            labels.append("body")
            continue
        cursor = at + 1
        piece = pieces[owner[at]]
        label = piece.label
        if label in ("note", "reference") and at > starts[owner[at]] + 2:
            label = "note_cont" if label == "note" else "reference_cont"
        labels.append(label)
    return labels


def _find_within_piece(joined: str, owner: list[int], key: str, start: int) -> int:
    """The first occurrence of `key` from `start` that lies inside one piece (a title made of a body
    paragraph's first words must not claim that paragraph), else the first occurrence, else -1."""
    first = at = joined.find(key, start)
    while at >= 0 and owner[at] != owner[at + len(key) - 1]:
        at = joined.find(key, at + 1)
    return at if at >= 0 else first
