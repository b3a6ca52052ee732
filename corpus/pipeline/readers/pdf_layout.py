"""The layout of a PDF's pages, from its characters' boxes, sizes and weights, as the text a reader sees.

Every rule here is about the page's structure, measured on the document itself: the body size (the size
of the lines that carry note markers, else the size most text above the notes is set in), the line pitch
of each size, what recurs in the same margin of the pages.

- Lines: characters in content order, split where pdfium breaks lines or the next character goes back
  to the left, joined again where a piece continues on the same level at a like size; cut in two at a
  gutter that many lines share near the page's middle (pdfium reads two columns across). A digit set
  smaller and raised above the baseline is a note marker, written as a Unicode superscript (¹²) so that
  the citations layer reads it as one.
- Furniture: lines among the four highest or lowest of a page whose text recurs on 30 % of the pages
  (two at least), the same or with a number that moves with the page in the same margin; bare page
  numbers; and margin lines that start with a running line (a stamp beside it), wherever the stream
  draws them.
- Table of contents: a page most of whose lines end in dot leaders goes, as furniture does.
- Page-foot notes: the lines set smaller than the body below all of a page's body lines (wherever the
  stream puts them), from the first that starts with its number (raised, circled, or the next number of
  the sequence). Unnumbered lines above it continue the previous page's last note when that one was left
  open. Notes are gathered at the end of the text, one per block: `[n] text`, in page order.
- Headings: lines set larger than the body, or bold throughout at the body size; consecutive lines of one
  heading style are one heading, written `# heading`; the first heading (the title) repeated later is
  dropped.
- Paragraphs: a pitch larger than the size's usual one, a new column (the next line sits higher), a
  change of size, a bullet or a numbered note outside the foot starts one; a paragraph that a column or
  page cuts before its sentence ends goes on in the next column; columns drawn across are reordered. A
  word hyphenated at a line end is whole when the document writes it so elsewhere; a URL cut at a line
  end rejoins without a space, East Asian lines without one; a drop cap starts its paragraph again.

The text: blocks separated by blank lines, pages by form feeds (a page starts with its first new block;
a paragraph carried over from the page before stays on the page it started on), headings marked `# `,
the notes after the last page's blocks.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from ..clean import join_wrapped

__all__ = ["Char", "Line", "layout_text", "page_lines"]


@dataclass(frozen=True, slots=True)
class Char:
    text: str
    x0: float
    top: float  # y measured down from the page's top
    x1: float
    bottom: float
    size: float
    bold: bool
    generated: bool = False  # a space pdfium inserted where it saw a gap


_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT = str.maketrans("0123456789", _SUPERSCRIPT_DIGITS)
# A raised digit is at most this share of its line's size, and its foot this share of the size above the baseline.
_RAISED_SIZE = 0.85
_RAISED_BY = 0.2
# A gap between two pieces of one line wider than this share of their size is a space. (Within a piece,
# pdfium's own generated spaces are right: character boxes are the ink's, and the gap between two narrow
# digits' ink is wider than a word space.)
_SPACE_GAP = 0.15


@dataclass
class Line:
    page: int
    chars: list[Char]
    text: str = ""
    label: int | None = None  # the number a page-foot note starts with
    size: float = 0.0
    bold: bool = False
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    baseline: float = 0.0

    def measure(self) -> "Line":
        visible = [c for c in self.chars if c.text.strip() and c.x1 > c.x0]
        if not visible:
            self.text = ""
            return self
        sizes = Counter(c.size for c in visible)
        self.size = sizes.most_common(1)[0][0]
        main = [c for c in visible if c.size >= 0.9 * self.size] or visible
        self.baseline = statistics.median(c.bottom for c in main)
        self.x0, self.x1 = min(c.x0 for c in visible), max(c.x1 for c in visible)
        self.top, self.bottom = min(c.top for c in main), max(c.bottom for c in main)
        letters = [c for c in visible if c.text.isalpha()]
        self.bold = bool(letters) and sum(c.bold for c in letters) >= 0.9 * len(letters)
        self._text()
        return self

    def _raised(self, c: Char, letters: bool = False) -> bool:
        return (c.text.isalpha() if letters else c.text.isdigit()) and c.size <= _RAISED_SIZE * self.size and \
            c.bottom <= self.baseline - _RAISED_BY * self.size

    def _text(self) -> None:
        parts: list[str] = []
        label = []
        at_start = True
        for c in self.chars:
            if not c.text.strip():
                if parts and parts[-1] not in (" ", _GAP) and not at_start:
                    parts.append(_GAP if c.generated else " ")
                continue
            if c.x1 <= c.x0:  # no box: nothing to place it by
                parts.append(c.text)
                continue
            raised = self._raised(c)
            if at_start and raised:
                label.append(c.text)
                continue
            at_start = False
            if c.text.isalpha() and len(parts) > 1 and parts[-1] == " " and parts[-2][-1:].isdigit() \
                    and self._raised(c, letters=True):
                parts.pop()  # the ordinal's raised suffix pdfium set apart: 1 st -> 1st
            if parts[-1:] == [_GAP]:  # a gap pdfium saw: a space, but between East Asian characters
                parts[-1] = "" if _wide(parts[-2][-1:]) and _wide(c.text[:1]) else " "
            if raised and parts[-1:] == [" "] and parts[-2:-1] != [] and parts[-2] not in _SUPERSCRIPT_DIGITS:
                parts.pop()  # a marker set apart from its word: `Regulations. ⁷` -> `Regulations.⁷`
            parts.append(c.text.translate(_SUPERSCRIPT) if raised else c.text)
        self.text = " ".join("".join(parts).replace(_GAP, " ").split())
        if label and self.text:
            self.label = int("".join(label))
        elif label:
            self.text = "".join(label)


_GAP = "\x00"  # where pdfium generated a space, until the next character says whether it is one


def _wide(text: str) -> bool:
    """An East Asian wide character, written without spaces between words."""
    return bool(text) and unicodedata.east_asian_width(text) in ("W", "F") and not "\uac00" <= text <= "\ud7af"


# Two characters in a row whose sizes differ this much are on two lines (a drop cap beside its paragraph);
# a raised note marker is about 0.6 of its line's size.
_SPLIT_SIZE = 2.5


def _segments(chars: list[Char | None]) -> list[list[Char]]:
    """The pieces of lines: between pdfium's line breaks, and where the next character starts to the left
    of the last one (pdfium joins the two lines of a word hyphenated at the line end, and puts a drop cap
    drawn last on the line before it)."""
    segments, current = [], []
    last: Char | None = None
    for c in chars:
        if c is None:
            if current:
                segments.append(current)
            current, last = [], None
            continue
        if c.x1 > c.x0 and c.text.strip():
            if last is not None and (c.x0 < last.x0 - 0.5 * min(c.size, last.size)  # back to the left: a new line
                                     or max(c.size, last.size) > _SPLIT_SIZE * min(c.size, last.size)):
                segments.append(current)
                current = []
            last = c
        current.append(c)
    if current:
        segments.append(current)
    return segments


def _box(chars: list[Char]) -> tuple[float, float, float, float] | None:
    boxed = [c for c in chars if c.text.strip() and c.x1 > c.x0]
    if not boxed:
        return None
    return min(c.x0 for c in boxed), min(c.top for c in boxed), max(c.x1 for c in boxed), max(c.bottom for c in boxed)


def page_lines(page: int, chars: list[Char | None]) -> list[Line]:
    """The lines of one page in content order: pdfium's pieces, a piece joined to the line before when it
    goes on to its right on the same level (pdfium breaks a line after a raised note marker)."""
    lines: list[list[Char]] = []
    last_box = None
    for piece in _segments(chars):
        box = _box(piece)
        if box is None:
            if lines:
                lines[-1].extend(piece)
            continue
        if last_box is not None:
            overlap = min(box[3], last_box[3]) - max(box[1], last_box[1])
            height = min(box[3] - box[1], last_box[3] - last_box[1])
            sizes = (max(c.size for c in piece), max(c.size for c in lines[-1]))
            # on the same level, to the right, and of a like size (not a drop cap beside its lines)
            if 0 < height and max(sizes) < _SPLIT_SIZE * min(sizes) and overlap >= 0.5 * height \
                    and box[0] >= last_box[2] - 1:
                if box[0] - last_box[2] > _SPACE_GAP * height:
                    lines[-1].append(Char(" ", box[0], box[1], box[0], box[1], 0.0, False, True))
                lines[-1].extend(piece)
                last_box = (last_box[0], min(box[1], last_box[1]), box[2], max(box[3], last_box[3]))
                continue
        lines.append(list(piece))
        last_box = box
    return [line for line in (Line(page, cs).measure() for cs in lines) if line.text]


# ---------------------------------------------------------------- furniture and the table of contents

_MARGIN_LINES = 4  # a footer may take three lines (a name, an address, an identifier) over a page number
_RUNNING_SHARE = 0.3
_MIN_RUNNING_CHARS = 12  # a running line that other margin lines may start with
_ROMAN = r"(?=[ivxlcdm])m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})"
# A page number's key (its digits are gone from it): `#`, `- -`, `page of`, `iv`.
_PAGE_NUMBER = re.compile(rf"#|(page|p\.)?\s*[-–—]?\s*({_ROMAN})?\s*[-–—]?\s*((of|/)\s*)?", re.I)
_LEADER = re.compile(r"(?:\.\s?){4,}\s*\S{0,6}$|…{2,}\s*\S{0,6}$")


def _key(text: str) -> str:
    """A margin line's text as it recurs: the page's numbers (`Report 2`, `Report 1 1`) left out."""
    return " ".join(re.sub(r"\d+", " ", text.casefold()).split()) or "#"


def _page_number(text: str) -> int | None:
    """The last number of a line, its digits rejoined where pdfium set them apart (`1 1` for 11)."""
    found = re.findall(r"\d+(?: \d+)*", text)
    return int(found[-1].replace(" ", "")[:9]) if found else None


def _furniture(pages: list[list[Line]]) -> set[int]:
    """id() of the running headers, footers and page numbers: a margin line whose text recurs on enough
    pages, the same or with a number that moves with the page (`Report | 7`, `8`, `9`: lines that share
    their words but not a page's number, `Table 3` atop one page and `Table 4` atop the next, are the
    text's own); a bare page number; and a margin line that starts with a running one (a stamp beside it)."""
    margins: list[list[Line]] = []
    top: set[int] = set()
    for lines in pages:
        by_height = sorted(lines, key=lambda l: l.top)
        margins.append([l for l in by_height[:_MARGIN_LINES] + by_height[-_MARGIN_LINES:] if l.label is None])
        top |= {id(l) for l in by_height[:_MARGIN_LINES]}
    exact: dict[str, set[int]] = {}
    moving: dict[tuple[str, bool, int], set[int]] = {}
    for p, lines in enumerate(margins):
        for line in lines:
            exact.setdefault(" ".join(line.text.casefold().split()), set()).add(p)
            number = _page_number(line.text)
            if number is not None:
                moving.setdefault((_key(line.text), id(line) in top, number - p), set()).add(p)
    least = max(2, _RUNNING_SHARE * len(pages))

    def running(line: Line, p: int) -> bool:
        number = _page_number(line.text)
        return len(exact[" ".join(line.text.casefold().split())]) >= least or \
            number is not None and len(moving[(_key(line.text), id(line) in top, number - p)]) >= least

    found = {id(line) for p, lines in enumerate(margins) for line in lines if running(line, p)}
    keys = {_key(line.text) for lines in margins for line in lines if id(line) in found}
    keys = {key for key in keys if len(key) >= _MIN_RUNNING_CHARS}
    # the running line with a stamp of this page beside it (`Congressional Research Service R48907 · VERSION 2`)
    stamped = re.compile("|".join(re.escape(key) + r"\b" for key in sorted(keys)) or r"(?!)")
    return found | {id(line) for lines in margins for line in lines
                    if _PAGE_NUMBER.fullmatch(_key(line.text)) or stamped.match(_key(line.text))}


def _contents_page(lines: list[Line]) -> bool:
    """Most lines end in dot leaders (`Introduction ........ 1`): a table of contents, figures or tables."""
    leaders = sum(bool(_LEADER.search(l.text)) for l in lines)
    return leaders >= 3 and leaders >= 0.3 * len(lines)


# ---------------------------------------------------------------- page-foot notes

_SMALL = 0.92  # a line set at most this share of the body size is smaller than the body
_FOOT_ZONE = 0.25  # page-foot notes start below this share of the page's height
_SEQUENCE_LABEL = re.compile(r"(\d{1,4})\s+(?=\S)")
_CIRCLED = "".join(map(chr, range(0x2460, 0x2474)))  # ① to ⑳, how Chinese texts number their notes
# What a word processor writes under a note that goes on on the next page.
_CONTINUED = re.compile(r"\(?\s*continued\W*\)?", re.I)
_TERMINAL = re.compile(r"[.!?:;…。！？：；][\"”’')\]]*[¹²³⁴-⁹⁰]*$")


@dataclass
class _Notes:
    notes: list[list] = field(default_factory=list)  # [number, [lines], page]

    def last_number(self) -> int:
        return self.notes[-1][0] if self.notes else 0


def _foot_zone(lines: list[Line], body_size: float, height: float, page: int, notes: _Notes) -> set[int]:
    """id() of the lines of the page-foot notes (lines set smaller than the body below all of the page's
    body-size lines, wherever the stream puts them, from the first numbered one); the notes found are added
    to `notes`."""
    small = [l for l in lines if l.size <= _SMALL * body_size]
    lowest_body = max((l.bottom for l in lines if l.size > _SMALL * body_size), default=0.0)
    zone = sorted((l for l in small if l.top >= lowest_body - 1 and l.top >= _FOOT_ZONE * height),
                  key=lambda l: l.top)
    expected = notes.last_number() + 1
    first_label = None
    for k, line in enumerate(zone):
        m = _SEQUENCE_LABEL.match(line.text) if line.label is None else None
        if m and int(m.group(1)) == expected:  # a number set like the note's text: the next one only
            line.label, line.text = expected, line.text[m.end():]
        elif line.label is None and line.text and line.text[0] in _CIRCLED:  # ① 民政部…
            line.label, line.text = _CIRCLED.index(line.text[0]) + 1, line.text[1:].lstrip()
        if line.label is not None:
            first_label = k if first_label is None else first_label
            expected = line.label + 1
    if first_label is None:
        return set()
    lead = zone[:first_label]
    carried = notes.notes and notes.notes[-1][2] == page - 1 and lead and (
        not _TERMINAL.search(_joined_plain(notes.notes[-1][1])) or lead[0].text[:1].islower())
    if lead and not carried:
        zone = zone[first_label:]  # small lines above the first note are the page's own (a caption)
    for line in zone:
        if line.label is not None:
            notes.notes.append([line.label, [line], page])
        elif not _CONTINUED.fullmatch(line.text):
            notes.notes[-1][1].append(line)
    return {id(l) for l in zone}


def _joined_plain(lines: list[Line]) -> str:
    return " ".join(l.text for l in lines)


# ---------------------------------------------------------------- blocks

_HEADING_SIZE = 1.15
_MAX_HEADING_CHARS = 250
_MAX_HEADING_LINES = 3
_PARAGRAPH_PITCH = 1.3
_BULLET = re.compile(r"^[•●▪◦■□–\-*]\s")
_DROP_CAP_SIZE = 1.8


@dataclass
class _Block:
    lines: list[Line]
    heading: bool
    page: int
    region_start: bool  # the first block of a column or page: may continue the paragraph before

    @property
    def size(self) -> float:
        return self.lines[0].size


# A gap in a line at least this share of its size, near the page's middle and at the same place in this
# share of the page's lines, is a gutter between two columns the stream draws line by line across.
_GUTTER_GAP = 1.0
_GUTTER_SHARE = 0.3
_GUTTER_BUCKET = 6.0


def _gaps(line: Line) -> list[tuple[float, float]]:
    visible = [c for c in line.chars if c.text.strip() and c.x1 > c.x0]
    return [(a.x1, b.x0) for a, b in zip(visible, visible[1:]) if b.x0 - a.x1 >= _GUTTER_GAP * line.size]


def _split_at_gutter(lines: list[Line], width: float) -> list[Line]:
    """Lines that run across a gutter (pdfium joins the two columns' lines level with each other) cut in two."""
    middles = Counter()
    for line in lines:
        for a, b in _gaps(line):
            if 0.3 * width < (a + b) / 2 < 0.7 * width:
                middles[round((a + b) / 2 / _GUTTER_BUCKET)] += 1
    if not middles:
        return lines
    bucket, _ = middles.most_common(1)[0]
    if sum(middles[bucket + k] for k in (-1, 0, 1)) < max(_MIN_INTERLEAVED, _GUTTER_SHARE * len(lines)):
        return lines
    gutter = bucket * _GUTTER_BUCKET
    out = []
    for line in lines:
        cut = next(((a, b) for a, b in _gaps(line) if a - _GUTTER_BUCKET <= gutter <= b + _GUTTER_BUCKET), None)
        if cut is None:
            out.append(line)
            continue
        left = [c for c in line.chars if c.x1 <= cut[0] + 0.01 or not c.text.strip() and c.x0 < cut[0]]
        right = [c for c in line.chars if c.x0 >= cut[1] - 0.01]
        out += [part for part in (Line(line.page, left).measure(), Line(line.page, right).measure()) if part.text]
    return out


_MIN_INTERLEAVED = 3  # line pairs side by side in a row of the stream that show it reads across the columns


def _in_columns(lines: list[Line]) -> list[Line]:
    """The lines of a page column by column, where the content stream runs across the columns (a line of
    the left column, then the line level with it on the right): between lines that span the gutter, the
    left column's lines top to bottom, then the right column's. A page whose stream already reads column
    by column is left as it is."""
    side_by_side = sum(1 for a, b in zip(lines, lines[1:])
                       if abs(a.baseline - b.baseline) < 0.5 * a.size and (b.x0 > a.x1 or a.x0 > b.x1))
    if side_by_side < _MIN_INTERLEAVED:
        return lines
    pairs = [(a, b) if a.x0 < b.x0 else (b, a) for a, b in zip(lines, lines[1:])
             if abs(a.baseline - b.baseline) < 0.5 * a.size and (b.x0 > a.x1 or a.x0 > b.x1)]
    gutter = statistics.median((left.x1 + right.x0) / 2 for left, right in pairs)
    ordered: list[Line] = []
    band: list[Line] = []

    def flush() -> None:
        ordered.extend(sorted(band, key=lambda l: (l.x0 >= gutter, l.top)))
        band.clear()

    for line in sorted(lines, key=lambda l: (l.top, l.x0)):
        if line.x0 < gutter < line.x1:  # spans both columns: a title, a figure's caption across the page
            flush()
            ordered.append(line)
        else:
            band.append(line)
    flush()
    return ordered


def _without_drop_caps(lines: list[Line], body_size: float) -> list[Line]:
    """The lines of a page, a drop cap (one letter set several lines high, wherever the stream puts it)
    given back to the line beside its top as that line's first letter."""
    caps = {id(l): l for l in lines if len(l.text) == 1 and l.text.isalpha() and l.size >= _DROP_CAP_SIZE * body_size}
    for cap in caps.values():
        beside = [l for l in lines if id(l) not in caps and l.x0 >= cap.x1 - 1 and l.x0 - cap.x1 < cap.size
                  and cap.top - body_size <= l.top <= cap.bottom]
        if beside:
            first = min(beside, key=lambda l: l.top)
            first.text = cap.text + first.text
    return [l for l in lines if id(l) not in caps] if caps else lines


def _is_heading_style(line: Line, body_size: float) -> bool:
    if not re.search(r"[^\W\d_]", line.text) or _LEADER.search(line.text):
        return False
    return line.size >= _HEADING_SIZE * body_size or (line.bold and line.size >= 0.95 * body_size)


def _pitches(pages: list[list[Line]]) -> dict[float, float]:
    """The usual baseline-to-baseline distance of each font size's consecutive lines."""
    found: dict[float, list[float]] = {}
    for lines in pages:
        for a, b in zip(lines, lines[1:]):
            pitch = b.baseline - a.baseline
            if a.size == b.size and 0.8 * a.size <= pitch <= 3 * a.size:
                found.setdefault(a.size, []).append(pitch)
    return {size: statistics.median(values) for size, values in found.items()}


def _blocks(page: int, lines: list[Line], body_size: float, pitches: dict[float, float]) -> list[_Block]:
    blocks: list[_Block] = []
    previous: Line | None = None
    for line in lines:
        numbered = line.label is not None
        if numbered:  # a numbered note outside the page's foot (endnotes): its number kept, a block of its own
            line.text, line.label = f"{str(line.label).translate(_SUPERSCRIPT)} {line.text}", None
        heading = _is_heading_style(line, body_size)
        new_region = previous is None or line.top < previous.top - 1 or line.x0 > previous.x1
        if numbered:
            blocks.append(_Block([line], heading, page, False))
        elif previous is None or heading != blocks[-1].heading or new_region:
            blocks.append(_Block([line], heading, page, new_region))
        elif heading:
            same_style = abs(line.size - previous.size) < 0.5 and line.bold == previous.bold
            if same_style and line.baseline - previous.baseline <= 1.6 * line.size:
                blocks[-1].lines.append(line)
            else:
                blocks.append(_Block([line], True, page, False))
        else:
            pitch = line.baseline - previous.baseline
            usual = pitches.get(line.size, 1.2 * line.size)
            if abs(line.size - previous.size) > 0.5 or pitch > _PARAGRAPH_PITCH * usual or _BULLET.match(line.text):
                blocks.append(_Block([line], False, page, False))
            else:
                blocks[-1].lines.append(line)
        previous = line
    return blocks


# ---------------------------------------------------------------- joining lines

_WORD = re.compile(r"[^\W\d_]+")
_URL_END = re.compile(r"(?:https?://|www\.)\S*[/\-_.=?&#%]$")


class _Joiner:
    """Joins lines into paragraphs: hyphenated words whole when the document writes them so elsewhere."""

    def __init__(self, lines: list[Line]):
        self.words = {w.casefold() for l in lines for w in _WORD.findall(l.text)}

    def join(self, texts: list[str]) -> str:
        out = ""
        for text in texts:
            if not out:
                out = text
                continue
            hyphen = re.search(r"([^\W\d_]+)-$", out)
            following = _WORD.match(text)
            if hyphen and following and text[:1].islower():
                whole = (hyphen.group(1) + following.group()).casefold() in self.words
                out = out[:-1] + text if whole else out + text
            elif _URL_END.search(out) or re.search(r"\w-$", out) and text[:1].isdigit():  # P.L. 111-|321
                out += text
            else:
                out += join_wrapped(out, text) + text  # East Asian lines rejoin without a space
        return out


_MARKER = re.compile(f"[{_SUPERSCRIPT_DIGITS}]")
_MIN_MARKING_LINES = 3


def _body_size(pages: list[list[Line]]) -> float:
    """The size of the lines that carry note markers; without them, the size most of the text above the
    page-foot notes is set in (a report can have more words in its notes, or in its tables, than in its
    running text)."""
    marking = Counter(l.size for lines in pages for l in lines if l.label is None and _MARKER.search(l.text))
    if sum(marking.values()) >= _MIN_MARKING_LINES:  # the text that carries the note markers is the body
        return marking.most_common(1)[0][0]
    sizes: Counter = Counter()
    for lines in pages:
        first_note = min((l.top for l in lines if l.label is not None), default=float("inf"))
        for line in lines:
            if line.top < first_note:
                sizes[line.size] += len(line.text)
    if not sizes:
        for line in (l for lines in pages for l in lines):
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def layout_text(pages: list[tuple[float, float, list[Char | None]]]) -> str:
    """The text of a document's pages, each given as (width, height, characters in content order; None
    where pdfium breaks a line)."""
    all_lines = [_split_at_gutter(page_lines(p, chars), width) for p, (width, _, chars) in enumerate(pages)]
    furniture = _furniture(all_lines)
    kept = [[l for l in lines if id(l) not in furniture] for lines in all_lines]
    body_size = _body_size(kept)  # the furniture's words aside: on a short page they may outnumber the text's
    kept = [[] if _contents_page(lines) else _in_columns(_without_drop_caps(lines, body_size)) for lines in kept]
    pitches = _pitches(kept)
    notes = _Notes()
    blocks: list[_Block] = []
    for p, lines in enumerate(kept):
        foot = _foot_zone(lines, body_size, pages[p][1], p, notes)
        blocks.extend(_blocks(p, [l for l in lines if id(l) not in foot], body_size, pitches))
    joiner = _Joiner([l for lines in kept for l in lines])
    paragraphs: list[list] = []  # [page, heading, [line texts], size]
    for block in blocks:
        texts = [l.text for l in block.lines]
        last = paragraphs[-1] if paragraphs else None
        if block.region_start and last and not block.heading and not last[1] and abs(last[3] - block.size) < 0.5 \
                and not _TERMINAL.search(last[2][-1]) and not _BULLET.match(texts[0]):
            last[2].extend(texts)  # a paragraph the column or page cut before its sentence ended
            continue
        paragraphs.append([block.page, block.heading, texts, block.size])
    page_texts: list[list[str]] = [[] for _ in pages]
    title = None
    for page, heading, texts, _ in paragraphs:
        text = joiner.join(texts)
        # longer: a paragraph set large (a lead)
        heading = heading and len(texts) <= _MAX_HEADING_LINES and len(text) <= _MAX_HEADING_CHARS
        if heading and title is None:
            title = text
        elif heading and text == title:
            continue  # the title again, atop the summary or the first page of the text
        page_texts[page].append(f"# {text}" if heading else text)
    if notes.notes and page_texts:
        page_texts[-1].extend(f"[{n}] {joiner.join([l.text for l in lines])}" for n, lines, _ in notes.notes)
    return "\f".join("\n\n".join(texts) for texts in page_texts)
