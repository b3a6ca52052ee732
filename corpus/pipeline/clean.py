"""Clean: Unicode NFC, boilerplate dropped, hard wraps rejoined, pages and page-foot notes set apart.

The cleaned text becomes `documents.text`, and every offset of every table refers to it.
Blocks (paragraphs) are separated by one blank line. Cleaning is idempotent and linear in the text.

- Paged text (form feeds, as the PDF reader and pdftotext write them): lines that recur at the top or
  foot of the pages (running headers, footers) and page numbers go; `page_starts` records where each
  page's running text begins.
- Plain text and PDF pages are re-wrapped: lines of a hard-wrapped text rejoin with a space, East Asian
  lines without one, words hyphenated at a line end whole when the document spells them so elsewhere;
  page-foot footnotes move after the running text. Where blank lines set paragraphs apart, a single line
  break inside a sentence (a web page's links each on a line of their own) rejoins the same way.
- HTML, Markdown, DOCX and PDF come as one block per line from their readers (the PDF reader has already
  removed the furniture and rejoined the paragraphs); lines marked `# ` are headings, recorded in
  `heading_starts`.
- Boilerplate: web chrome by what it says (share, follow, newsletter, cookie, tag and copyright lines),
  and, over a whole build (`drop_recurring`), blocks that recur in many documents.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from ..text import ZH_ORDINAL
from .layer import Layer

__all__ = ["clean", "block_frequency", "recurring_blocks", "drop_recurring", "keeps_text", "clean_text",
           "is_download_label", "is_footnote_block", "join_wrapped", "offsets", "NUMBERED_CAPTION"]

_MAX_CHROME_CHARS = 100
# What a link to a file says: `Download`, `Download the report`, `Download PDF (284KB)`, `PDF (1.2 MB)`.
_DOWNLOAD_LABEL = (r"download( (the )?(pdf|file|article|report|full text|document))?"
                   r"|(download|pdf|docx?|epub|file)\b[^()\n]{0,40}?\(?\d+([.,]\d+)?\s?(kb|mb|gb)\)?")
_DOWNLOAD_LABEL_RE = re.compile(_DOWNLOAD_LABEL, re.I)
# Web chrome, matched against a whole stripped line of at most _MAX_CHROME_CHARS (case-insensitive).
_CHROME = re.compile("|".join(f"(?:{p})" for p in (
    r"\[\s*/?[a-z]+[_\- ]?\d*\s*\]",                       # CMS shortcodes left in text: [ad_1], [embed]
    r"(back|return|skip|jump|scroll) to (the )?(top|main content|content|navigation|menu)( of (the )?page)?",
    r"(top|bottom|end) of (the )?page",
    r"(share|tweet|email|e-mail|print|save|pin)( (it|this|the))?( (article|post|story|page|link))?"
    r"( (on|via|to|with) [\w.]+( [\w.]+)?)?\s*:?",
    r"(follow|like|find|join) (us|me)( (on|at) .{1,40})?",
    r".{0,40}\b(sign up|subscribe|register|join)\b.{0,40}\b(newsletters?|mailing list|updates|alerts|inbox|digest)\b.{0,40}",
    r"(get|receive) (our|the) .{0,30}(newsletters?|updates|alerts) .{0,50}",
    r"(read|continue reading|see|view|show|load) (more|all|the full (story|article|report))( .{1,30})?",
    r"(related|recent|popular|trending|latest|most (read|popular|viewed))( (articles|posts|stories|news|content|reading|topics))?\s*:?",
    r"(advertisement|sponsored( content)?|ad)\s*:?",
    r"(\d+ )?comments?\s*(\(\d+\))?|leave a (reply|comment)|(no|\d+) responses?",
    r"(tags|tagged( with)?|filed under|categories|topics|keywords)\s*:.*",
    r"(source|via)( link)?\s*:?",
    # a notice (© 2023 X; Copyright (c) 2023 X; X. All rights reserved.), not a sentence about copyright
    r"(©|\(c\)\s*\d{4}|copyright\s*(©|\(c\)|\d{4})).{0,90}|(.{0,80}[.,;:|–—©-]\s*)?all rights reserved\b.{0,40}",
    r"(分享到|返回顶部|关闭窗口|打印本页|上一篇|下一篇|扫一扫|责任编辑)[:：]?.{0,30}",
    _DOWNLOAD_LABEL,
    r"[•·*=_~\-–—|]+",                                    # separators
)), re.I)
# Cookie banners and image licence attributions run long; they say what they are early or last.
_LONG_CHROME = re.compile(r"(we|this (web)?site|our (web)?site)( and our partners)? uses? cookies\b|"
                          r".{0,40}\bcookie (policy|settings|preferences|consent)\b|.{0,40}\baccept (all )?cookies\b|"
                          r".{0,300}\b(via|through|from) wikimedia commons\.?$", re.I)
_MAX_LONG_CHROME_CHARS = 400
# A long banner line with this much text before and after it is inside the running text: the article's own.
_RUNNING_TEXT_CHARS = 50
# Every _LONG_CHROME line names cookies or Wikimedia Commons: a cheap search (same case rules) finds the
# few lines worth the backtracking match.
_LONG_CHROME_WORD = re.compile(r"cookie|wikimedia commons", re.I)
# A credit line; when it ends in a colon, the attribution on the next line goes with it.
_CREDIT = re.compile(r"(photo|image|picture|cover|header|featured image)\s+(credits?|source|courtesy)\s*(of\s*)?:?(.*)",
                     re.I)

# Invisible characters that carry no meaning: zero-width space, word joiner, a BOM inside the text, soft
# hyphens. The zero-width (non-)joiners U+200C/U+200D stay: they spell Persian and Indic words and emoji
# sequences, and NFC keeps them.
_ZERO_WIDTH_CHARS = "\u200b\u2060\ufeff\u00ad"
_ZERO_WIDTH = dict.fromkeys(map(ord, _ZERO_WIDTH_CHARS), None)
# A line of zero-width characters only (a wiki's template marker) is no blank line: its neighbours touch.
_ZERO_WIDTH_LINE = re.compile(f"\n[{_ZERO_WIDTH_CHARS}\u200c\u200d]+(?=\n)")
# Control characters other than tab, line feed and form feed (a page break); vertical tabs end lines.
# C1 controls (U+0080-U+009F) stay: in decoded text they are cp1252 punctuation (\x92 an apostrophe,
# \x96 a dash) that a source carried through a Latin-1 step, and deleting them joins words (c'est -> cest).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_LIST_ITEM = re.compile(r"^\s*([-•*▪◦]|\d{1,3}[.)])\s+\S")
# A block ends a sentence: terminal punctuation, optionally inside closing quotes or brackets, and the
# note marker after it (¹, [12], a flattened 12): a short page-foot note below is no continuation of it.
_TERMINAL = re.compile(r"[.!?:;。！？…：；][\"”’')\]」』）]*(?:[¹²³⁴-⁹⁰]{1,5}|\[\d{1,5}\]|\d{1,5})?$")
# A numbered heading or list item (一、 （一） 第五条 一是 1. 2、), which starts a paragraph of its own.
_NUMBERED = re.compile(rf"第{ZH_ORDINAL}[条章节编款]|[一二三四五六七八九十]+[、是]|"
                       r"[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,3}[.、．](?!\d)")
# A line ending on these breaks off mid-clause; a line starting with _CLOSING carries on the one before.
_CLAUSE_OPEN = "，、《“‘（「『—…,([-"
_CLOSING = ",.;:!?)]}%）》」』〕】、，。；：！？"
_OPENING = "([{（《「『〔【"
_CAPTION = re.compile(r"(Figure|Fig\.|Table|Chart|Map|Source)\s", re.I)
# A numbered caption: `Table 3: …`, `Fig. 2`, `表1 …`.
NUMBERED_CAPTION = re.compile(r"^(Figure|Fig\.|Table|Chart|Map|Photo|Image|表|图|圖)\s*\d", re.I)
_NUMBER = re.compile(r"(\d+)")
# A page-bottom footnote: its number (or the glyph OCR made of it: L, %, §) then a capitalised sentence.
_FOOTNOTE = re.compile(r"^(?:\d{1,2}|[%§¶*†‡£L])\s+[A-Z\u4e00-\u9fff]")
_ROMAN = r"(?=[mdclxvi])m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})"
_PAGE_NUMBER = re.compile(rf"(page |p\. ?)?[-–—]? ?(#|{_ROMAN})( ?(of|/) ?#)? ?[-–—]?", re.I)
_HEADING_MARK = re.compile(r"^# +(?=\S)")
_HYPHENATED = re.compile(r"(\w+)[-‐]$")
_LINE_END_DASHES = ("-", "‐", "—", "–")
_WORD = re.compile(r"\w+")
# Lines within this many of a page's first or last line are where running headers and footers sit.
_PAGE_MARGIN_LINES = 2
# A line recurring in the margins of this share of the pages (and on 2 at least) is a running header/footer.
_RUNNING_SHARE = 0.4


def normalize(text: str) -> str:
    """NFC, LF line ends, no zero-width spaces or control characters, no trailing spaces; form feeds and the
    zero-width (non-)joiners kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("\u00ad\n", "")
    text = _ZERO_WIDTH_LINE.sub("", text)
    text = _CONTROL.sub("", text.translate(_ZERO_WIDTH).replace("\t", " ").replace("\u00a0", " ").replace("\u3000", " "))
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


@lru_cache(maxsize=4096)  # called per character of every line; few distinct characters
def _wide(ch: str) -> bool:
    """East Asian wide characters, written without spaces between words (Hangul is written with them)."""
    return unicodedata.east_asian_width(ch) in ("W", "F") and not "\uac00" <= ch <= "\ud7af"


def join_wrapped(left: str, right: str) -> str:
    """The separator that rejoins two wrapped pieces: none between East Asian wide characters, after an
    opening bracket or before closing punctuation, else a space."""
    if not (left and right):
        return " "
    return "" if _wide(left[-1]) and _wide(right[0]) or left[-1] in _OPENING or right[0] in _CLOSING else " "


# The characters that may be wide (none below U+1100).
_MAYBE_WIDE = re.compile("[\u1100-\U0010ffff]")


def _width(line: str) -> int:
    """Display width: East Asian wide characters take two columns."""
    if line.isascii():
        return len(line)
    return len(line) + sum(1 for ch in _MAYBE_WIDE.findall(line) if _wide(ch))


def is_download_label(text: str) -> bool:
    """The text of a link to a file rather than to reading: `Download PDF (284KB)`."""
    text = " ".join(text.split())
    return len(text) <= _MAX_CHROME_CHARS and _DOWNLOAD_LABEL_RE.fullmatch(text) is not None


def _is_chrome(line: str) -> bool:
    if len(line) <= _MAX_CHROME_CHARS and _CHROME.fullmatch(line):
        return True
    return len(line) <= _MAX_LONG_CHROME_CHARS and _LONG_CHROME_WORD.search(line) is not None \
        and _LONG_CHROME.match(line) is not None


@dataclass
class _Line:
    text: str
    page: int
    heading: bool = False
    break_before: bool = False  # starts a block of its own (a new OCR text frame, a page-foot note)
    foot_note: bool = False  # starts like a note in the lower half of its page


def _lines(text: str, markup: bool) -> tuple[list[_Line], int, int]:
    """(lines with their page, page count, lines of page furniture removed)."""
    raw_pages = [page.split("\n") for page in normalize(text).split("\f")]
    pages = [[l.strip() for l in page] for page in raw_pages]
    running = _running(pages) if len(pages) > 1 else set()
    lines, removed = [], 0
    for p, page in enumerate(pages):
        filled = [i for i, s in enumerate(page) if s]
        bottom = set(filled[len(filled) // 2:]) if len(pages) > 1 and len(filled) >= 3 else set()
        for i, s in enumerate(page):
            frame = raw_pages[p][i][:1] == " "  # OCR starts each text frame with a space
            if s and (p, i) in running:
                removed += 1
                continue
            heading = markup and _HEADING_MARK.match(s) is not None
            if heading:
                s = _HEADING_MARK.sub("", s)
            foot = i in bottom and _FOOTNOTE.match(s) is not None
            lines.append(_Line(s, p, heading, frame or foot, foot))
    return lines, len(pages), removed


def _running(pages: list[list[str]]) -> set[tuple[int, int]]:
    """(page, line) of the page numbers, running headers and footers in the margins of the pages.

    A running line is the same on the pages but for the page number: its text recurs exactly, or with one
    number that moves with the page (`Annual report 2023 | 7`, `8`, `9`). Lines that share their words but
    not their numbers otherwise (`Table 3: …` atop one page, `Table 4: …` atop the next) are the text's own."""
    margins: dict[tuple[int, int], str] = {}
    for p, page in enumerate(pages):
        filled = [i for i, s in enumerate(page) if s]
        top = [] if p == 0 else filled[:_PAGE_MARGIN_LINES]  # the first page's top is its title, not a header
        for i in top + filled[-_PAGE_MARGIN_LINES:]:
            margins[(p, i)] = " ".join(pages[p][i].split()).casefold()
    keys: dict[tuple[int, int], set] = {}
    for (p, i), line in margins.items():
        pieces = _NUMBER.split(line)  # words at even indexes, numbers at odd ones
        keys[(p, i)] = {line}
        if not NUMBERED_CAPTION.match(line):  # a caption's number is its own, even one table to a page
            for j in range(1, len(pieces), 2):  # the number j as its distance from the page's index
                keys[(p, i)].add((j, int(pieces[j][:9]) - p, *pieces[:j], *pieces[j + 1:]))
    pages_of: dict = {}
    for (p, _), found in keys.items():
        for key in found:
            pages_of.setdefault(key, set()).add(p)
    least = max(2, _RUNNING_SHARE * len(pages))
    return {at for at, found in keys.items()
            if any(len(pages_of[key]) >= least for key in found) or _PAGE_NUMBER.fullmatch(_NUMBER.sub("#", margins[at]))}


def _drop_boilerplate(lines: list[_Line], markup: bool) -> tuple[list[_Line], int]:
    """The lines without web chrome. Chrome is a line of its own: in hard-wrapped text, a line that continues
    the sentence above it is that paragraph's text. A long line that reads like a banner (cookies) is chrome
    only outside the running text: with text before and after it, it is the article's."""
    chrome = []
    width = None if markup else _wrap_width(lines)
    previous = ""  # the line above, when it is text (no blank line, no chrome between)
    for line in lines:
        s = line.text
        # as _wrapped_blocks rejoins them: a full line that ends mid-sentence goes on in the next one
        continues = width and _width(previous) >= 0.6 * width and not _TERMINAL.search(previous)
        chrome.append(bool(s) and not continues and _is_chrome(s))
        previous = s if s and not chrome[-1] else ""
    text_before = [0]
    for line, is_chrome in zip(lines, chrome):
        text_before.append(text_before[-1] + (0 if is_chrome else len(line.text)))
    kept, removed, skip_attribution = [], 0, False
    for n, line in enumerate(lines):
        s = line.text
        if not s:
            kept.append(line)
            continue
        if skip_attribution:
            skip_attribution = False
            if len(s) <= 200:
                removed += 1
                continue
        credit = _CREDIT.fullmatch(s)
        if credit and len(s) <= 200:
            skip_attribution = not credit.group(4).strip()
            removed += 1
            continue
        inside = min(text_before[n], text_before[-1] - text_before[n + 1]) >= _RUNNING_TEXT_CHARS
        if chrome[n] and not (len(s) > _MAX_CHROME_CHARS and inside):
            removed += 1
        else:
            kept.append(line)
    return kept, removed


def _wrap_width(lines: list[_Line]) -> int | None:
    """The column a hard-wrapped (OCR, e-mail, PDF) text was wrapped at, or None for one-line paragraphs."""
    lengths = sorted(_width(l.text) for l in lines if l.text)
    if len(lengths) < 8:
        return None
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if not 30 <= width <= 150:
        return None
    near = sum(1 for n in lengths if 0.75 * width <= n <= 1.15 * width)
    return width if near >= 0.5 * len(lengths) else None


class _Block:
    """A paragraph being rejoined from pieces, in linear time: pieces are joined once, at the end."""

    __slots__ = ("parts", "pages", "foot_note")

    def __init__(self, line: _Line):
        self.foot_note = line.foot_note
        self.parts: list[str] = [line.text]
        self.pages: list[tuple[int, int]] = [(line.page, 0)]  # (page, index of its first part)

    def add(self, text: str, page: int, vocabulary: "_Vocabulary") -> None:
        last = self.parts[-1]
        if last.endswith(_LINE_END_DASHES) and last[-2:-1].isalnum():
            hyphen = _HYPHENATED.search(last)
            next_word = _WORD.match(text)
            # a word split at the line end is whole when the document writes it so elsewhere; compounds
            # (cross-regional) and dashes keep their mark, without a space
            if hyphen and next_word and text[:1].islower() and \
                    (hyphen.group(1) + next_word.group()).casefold() in vocabulary:
                self.parts[-1] = last[:-1]
        else:
            self.parts.append(join_wrapped(last, text))
        if page != self.pages[-1][0]:
            self.pages.append((page, len(self.parts)))
        self.parts.append(text)

    def extend(self, other: "_Block", vocabulary: "_Vocabulary") -> None:
        first, *rest = other.parts
        self.add(first, other.pages[0][0], vocabulary)
        shift = len(self.parts) - 1  # where other's first part now sits
        self.parts.extend(rest)
        for page, index in other.pages[1:]:
            if page != self.pages[-1][0]:
                self.pages.append((page, shift + index))

    @property
    def first(self) -> str:
        return self.parts[0]

    @property
    def last(self) -> str:
        return self.parts[-1]

    def text(self) -> str:
        return "".join(self.parts)


def is_footnote_block(block: str) -> bool:
    """A footnote body as OCR leaves it at a page foot: `2 In the latter half … .`"""
    return bool(_FOOTNOTE.match(block)) and len(block) >= 30 and block.rstrip().endswith((".", ")", "”", '"'))


class _Vocabulary:
    """The casefolded words of a document's lines, made on the first look-up: most texts never split a
    word at a line end, and listing their words was a tenth of clean's time."""

    __slots__ = ("lines", "words")

    def __init__(self, lines: list[_Line]):
        self.lines, self.words = lines, None

    def __contains__(self, word: str) -> bool:
        if self.words is None:
            self.words = {w.casefold() for l in self.lines for w in _WORD.findall(l.text)}
        return word in self.words


def _wrapped_blocks(lines: list[_Line], width: int) -> tuple[list[_Block], list[_Block]]:
    """(running blocks, page-foot footnotes) of a hard-wrapped text."""
    vocabulary = _Vocabulary(lines)
    raw: list[_Block] = []
    open_ = False
    for line in lines:
        s = line.text
        if not s:
            open_ = False
            continue
        # a page ends its blocks: the running text rejoins below, a page-foot note stays whole
        starts = not open_ or line.break_before or _LIST_ITEM.match(s) or line.page != raw[-1].pages[-1][0]
        if starts:
            raw.append(_Block(line))
        else:
            raw[-1].add(s, line.page, vocabulary)
        open_ = _width(s) >= 0.6 * width  # a short line ends its paragraph
    body: list[_Block] = []
    footnotes: list[_Block] = []
    previous_full = False  # did the last running block end on a full-width line?
    for block in raw:
        text = block.text()
        if len(text) <= 2 or re.fullmatch(r"\d{1,4}", text):
            continue  # page numbers and stray glyphs
        if is_footnote_block(text) or (block.foot_note and _TERMINAL.search(text)):  # `3 Ibid., 52.` too
            footnotes.append(block)
            continue
        first = block.first[:1]
        continues = first.islower() or first.isdigit() or first in "\"“(,;)]" or previous_full
        if body and continues and not _TERMINAL.search(body[-1].last):
            body[-1].extend(block, vocabulary)  # a paragraph broken by a page, a footnote or a blank line
        else:
            body.append(block)
        previous_full = _width(block.last) >= 0.75 * width and not _CAPTION.match(text)
    return body, footnotes


def _paragraphed(lines: list[_Line]) -> bool:
    """Does the text set its paragraphs apart with blank lines? Then a single line break is no paragraph end."""
    filled = [i for i, l in enumerate(lines) if l.text]
    return bool(filled) and any(not l.text for l in lines[filled[0]:filled[-1]])


def _fragment(line: str) -> bool:
    """Punctuation only, as a link cut out of its sentence leaves around it: `《`, `》、《`, `——`."""
    return not any(ch.isalnum() for ch in line)


def _continues(line: str, heading: bool) -> bool:
    """Does a line of a paragraphed text leave its sentence open: no sentence end, and no numbered heading
    unless it is the bare number (`一是`) or breaks off mid-clause (`一要继续……，`)?"""
    if heading or _TERMINAL.search(line):
        return False
    return _fragment(line) or not _NUMBERED.match(line) or _NUMBERED.fullmatch(line) is not None \
        or line[-1] in _CLAUSE_OPEN


def _short_blocks(lines: list[_Line]) -> list[_Block]:
    """Blocks of a text too short to measure its wrap width: a line rejoins the next only where the wrap
    shows, a full-width line cut mid-sentence (East Asian, or before a lower-case word), or, in a text whose
    paragraphs blank lines set apart, any line that leaves its sentence open (a web page's links each on a
    line of their own) before one that carries it on."""
    widest = max((_width(l.text) for l in lines if l.text), default=0)
    paragraphed = _paragraphed(lines)
    blocks: list[_Block] = []
    open_ = continued = fragment = False
    vocabulary = _Vocabulary(lines)
    for line in lines:
        s = line.text
        if not s:
            open_ = continued = False
            continue
        carries_on = _wide(s[0]) or s[0].islower()
        if open_ and carries_on or continued and (carries_on or fragment or _fragment(s) or s[0] in _CLOSING) \
                and not _NUMBERED.match(s):
            blocks[-1].add(s, line.page, vocabulary)
        else:
            blocks.append(_Block(line))
        open_ = (widest >= 20 and _width(s) >= 0.85 * widest and not _TERMINAL.search(s) and not line.heading
                 and (_wide(s[-1]) or s[-1].isalpha() or s[-1] in ",-‐"))
        continued, fragment = paragraphed and _continues(s, line.heading), _fragment(s)
    return blocks


def _line_blocks(lines: list[_Line]) -> list[_Block]:
    return [_Block(_Line(" ".join(l.text.split()), l.page, l.heading)) for l in lines if l.text]


@dataclass(frozen=True)
class Cleaned:
    text: str
    boilerplate_lines: int
    page_starts: str | None  # offsets where each page's running text begins, space-separated
    heading_starts: str | None  # offsets of the blocks the source marks up as headings


def _clean(text: str, fmt: str = "txt") -> Cleaned:
    markup = fmt in ("html", "md", "pdf", "docx")  # their readers give blocks, one a line (the PDF reader laid out)
    lines, pages, furniture = _lines(text, markup)
    lines, removed = _drop_boilerplate(lines, markup)
    footnotes: list[_Block] = []
    headings: list[bool] = []
    if markup:
        filled = [l for l in lines if l.text]
        body, headings = _line_blocks(filled), [l.heading for l in filled]
    elif width := _wrap_width(lines):
        body, footnotes = _wrapped_blocks(lines, width)
    else:
        body = _short_blocks(lines)
    out, page_at, heading_at, at = [], {}, [], 0
    for n, block in enumerate(body + footnotes):
        at += 2 if n else 0
        if n < len(headings) and headings[n]:
            heading_at.append(at)
        part_at = [at]
        for part in block.parts:
            part_at.append(part_at[-1] + len(part))
        if n < len(body):
            for page, index in block.pages:
                page_at.setdefault(page, part_at[index])
        out.append(block.text())
        at = part_at[-1]
    page_starts = None
    if pages > 1:
        body_end = len("\n\n".join(out[:len(body)]))
        starts, following = [], body_end
        for page in range(pages - 1, -1, -1):  # a page without running text starts where the next one does
            following = page_at.get(page, following)
            starts.append(following)
        page_starts = " ".join(map(str, reversed(starts)))
    return Cleaned("\n\n".join(out), removed + furniture, page_starts,
                   " ".join(map(str, heading_at)) if heading_at else None)


def offsets(column: str | None) -> list[int]:
    """The offsets of a `page_starts` or `heading_starts` value."""
    return [int(n) for n in column.split()] if column else []


def clean_text(text: str, fmt: str = "txt") -> str:
    """The cleaned text of one document (`fmt` as in documents.format): blocks separated by one blank line."""
    return _clean(text, fmt).text


# A first block longer than this, or holding a full stop, is the text's first paragraph, not its title.
_MAX_INFERRED_TITLE = 120


def infer_title(text: str) -> str | None:
    """The text's first block when it reads as a title (short, no sentence in it, not a navigation trail, a
    copyright line or a time stamp); else None."""
    from .readers.pagemeta import is_plausible_title

    first = next((b for b in text.split("\n\n") if b.strip()), None)
    if first is None:
        return None
    first = first.lstrip("•·*-# ").strip()
    if len(first) > _MAX_INFERRED_TITLE or "。" in first or not is_plausible_title(first):
        return None
    return first


def clean(documents: pd.DataFrame) -> pd.DataFrame:
    """Replace `text` with the cleaned text of every built document; set `boilerplate_lines` (lines of
    chrome and page furniture removed), `page_starts` and `heading_starts`. Per document: it runs on any
    partition of a build; `drop_recurring` then needs the whole build.

    A document whose cleaned text is empty (it held only boilerplate) is rejected, reason `only_boilerplate`.
    """
    documents = documents.copy()
    built = documents["status"] == "built"
    cleaned = [_clean(t, f) for t, f in zip(documents.loc[built, "text"], documents.loc[built, "format"])]
    documents.loc[built, "text"] = [c.text for c in cleaned]
    documents.loc[built, "boilerplate_lines"] = [c.boilerplate_lines for c in cleaned]
    documents.loc[built, "page_starts"] = pd.Series([c.page_starts for c in cleaned], index=documents.index[built],
                                                    dtype=object)
    documents.loc[built, "heading_starts"] = pd.Series([c.heading_starts for c in cleaned],
                                                       index=documents.index[built], dtype=object)
    return _reject_emptied(documents)


def _reject_emptied(documents: pd.DataFrame) -> pd.DataFrame:
    emptied = (documents["status"] == "built") & (documents["text"].str.len() == 0)
    documents.loc[emptied, ["status", "reject_reason"]] = ["rejected", "only_boilerplate"]
    return documents


# A block in this many built documents (and in more documents than the rest of its own document's blocks,
# so copies of one article keep their text) is a site's chrome when it leads or ends its document.
_RECURRING_DOCUMENTS = 3


def _block_key(block: str) -> int:
    """A block's identity across documents (whitespace and case aside), as 64 bits: partitions of a build
    send their counts of these to one place, so they stay small and the same in every process."""
    normal = " ".join(block.split()).casefold()
    return int.from_bytes(hashlib.blake2b(normal.encode("utf-8"), digest_size=8).digest(), "big")


def block_frequency(documents: pd.DataFrame) -> Counter:
    """In how many of the built `documents` each block (text between blank lines) occurs; the counts of
    several partitions add up to the build's."""
    built = documents.loc[documents["status"] == "built", "text"]
    return Counter(k for text in built for k in {_block_key(b) for b in text.split("\n\n")})


def recurring_blocks(frequency: Counter) -> dict[int, int]:
    """The build's blocks that can be chrome (in at least _RECURRING_DOCUMENTS documents), with their counts.

    The rarer blocks need no count: drop_recurring compares a block's count with its document's weighted
    median count only where the block itself recurs, and counting the rare ones as 0 leaves every such
    comparison as it was (the median moves below the threshold exactly when it was below it)."""
    return {k: n for k, n in frequency.items() if n >= _RECURRING_DOCUMENTS}


def keeps_text(text: str, recurring: dict[int, int]) -> bool:
    """Whether drop_recurring leaves `text` as it is: it drops leading and trailing blocks that recur, so a
    text whose first and last blocks do not recur keeps every block (a cheap look for callers that need the
    texts only)."""
    blocks = text.split("\n\n")
    return _block_key(blocks[0]) not in recurring and _block_key(blocks[-1]) not in recurring


def drop_recurring(documents: pd.DataFrame, recurring: dict[int, int] | None = None) -> pd.DataFrame:
    """Drop the leading and trailing blocks of each document not rejected that recur in many documents of the
    build (`recurring`, from recurring_blocks over the whole build; by default, over `documents`): a site's
    navigation, sign-off and footer that its extractor kept. Count them in `boilerplate_lines`, reject
    documents left empty, and infer missing titles from the first block.
    """
    if recurring is None:
        recurring = recurring_blocks(block_frequency(documents))
    documents = documents.copy()
    # duplicates too: their text is published, and whether a document was a duplicate is known only
    # after dedup, which a streaming build runs between counting the blocks and dropping them
    present = documents.index[documents["status"] != "rejected"]
    blocks = {i: documents.at[i, "text"].split("\n\n") for i in present}
    for i in present:
        parts = blocks[i]
        counts = [recurring.get(_block_key(b), 0) for b in parts]
        typical = _weighted_median(counts, [len(b) for b in parts])
        headings = set(offsets(documents.at[i, "heading_starts"]))
        chrome = [c >= _RECURRING_DOCUMENTS and c > typical for c in counts]
        starts = [0]
        for b in parts[:-1]:
            starts.append(starts[-1] + len(b) + 2)
        first = 0
        while first < len(parts) and chrome[first] and starts[first] not in headings:
            first += 1
        last = len(parts)
        while last > first and chrome[last - 1] and starts[last - 1] not in headings:
            last -= 1
        if first == 0 and last == len(parts):
            continue
        shift = starts[first] if first < len(parts) else 0
        text = "\n\n".join(parts[first:last])
        documents.at[i, "text"] = text
        documents.at[i, "boilerplate_lines"] += len(parts) - (last - first)
        for column in ("page_starts", "heading_starts"):
            kept = [min(max(n - shift, 0), len(text)) for n in offsets(documents.at[i, column])]
            if column == "heading_starts":
                kept = [n for n in kept if text[n:n + 1] and (n == 0 or text[n - 2:n] == "\n\n")]
            documents.at[i, column] = " ".join(map(str, kept)) if kept else None
    documents = _reject_emptied(documents)
    missing = documents["status"].ne("rejected") & documents["title"].isna()
    documents.loc[missing, "title"] = [infer_title(t) for t in documents.loc[missing, "text"]]
    if "title_source" in documents:
        documents.loc[missing & documents["title"].notna(), "title_source"] = "text"
    return documents


def _weighted_median(values: list[int], weights: list[int]) -> int:
    """The value at the middle of the document's characters."""
    total, seen = sum(weights), 0
    for value, weight in sorted(zip(values, weights)):
        seen += weight
        if 2 * seen >= total:
            return value
    return 0


LAYER = Layer("clean", needs=("documents",))
