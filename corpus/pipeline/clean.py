"""Clean: Unicode NFC, scrape boilerplate dropped, OCR hard wraps rejoined, page-bottom footnotes set apart.

The cleaned text becomes `documents.text`, and every offset of every table refers to it.
Blocks (paragraphs) are separated by one blank line. Cleaning is idempotent.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

__all__ = ["clean", "clean_text", "is_footnote_block"]

# Scrape chrome, matched against a whole stripped line (case-insensitive), so article prose never matches.
_BOILERPLATE = re.compile("|".join(f"(?:{p})" for p in (
    r"\[\s*[a-z]+[_\- ]?\d*\s*\]",                       # CMS placeholders: [ad_1], [embed]
    r"(top|bottom|end|back to (the )?top) of (the )?page",
    r"(back to top|skip to (main )?content|scroll to top|jump to navigation)",
    r"(source( link)?|read more|continue reading|share( this)?( article| post| story)?|print( this)?( article)?|"
    r"related( articles| posts| stories)?|recent( articles| posts| stories)|more (articles|stories)|"
    r"advertisement|sponsored( content)?|subscribe( now)?|comments?|leave a (reply|comment))\s*:?",
    r"download( (the )?(pdf|file|article|report|full text))?\b.*\b\d+([.,]\d+)?\s?(kb|mb|gb)",
    r"[•·*=_~\-–—|]+",                                    # separators
)), re.I)
# A credit line; when it ends in a colon, the attribution on the next line goes with it.
_CREDIT = re.compile(r"(photo|image|picture|cover|header|featured image)\s+(credit score|credits|credit|source)\s*:?(.*)", re.I)
_MAX_CHROME_CHARS = 80

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LIST_ITEM = re.compile(r"^\s*([-•*▪◦]|\d{1,3}[.)])\s+\S")
# A block ends a sentence: terminal punctuation, optionally inside closing quotes or brackets.
_TERMINAL = re.compile(r"[.!?:;。！？…][\"”’')\]」』]*$")
_CAPTION = re.compile(r"(Figure|Fig\.|Table|Chart|Map|Source)\s", re.I)
# A page-bottom footnote: its number (or the glyph OCR made of it: L, %, §) then a capitalised sentence.
_FOOTNOTE = re.compile(r"^(?:\d{1,2}|[%§¶*†‡£L])\s+[A-Z\u4e00-\u9fff]")


def normalize(text: str) -> str:
    """NFC, LF line ends, no zero-width or control characters, no trailing spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_ZERO_WIDTH)
    text = _CONTROL.sub("", text.replace("\t", " ").replace("\u00a0", " ").replace("\u3000", " "))
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _is_chrome(line: str) -> bool:
    s = line.strip()
    return len(s) <= _MAX_CHROME_CHARS and _BOILERPLATE.fullmatch(s) is not None


def _drop_boilerplate(lines: list[str]) -> list[str]:
    kept, skip_attribution = [], False
    for line in lines:
        s = line.strip()
        if skip_attribution and s:
            skip_attribution = False
            if len(s) <= 200:
                continue
        if not s:
            kept.append(line)
            continue
        credit = _CREDIT.fullmatch(s)
        if credit and len(s) <= 200:
            skip_attribution = not credit.group(3).strip()
            continue
        if not _is_chrome(s):
            kept.append(line)
    return kept


def _wrap_width(lines: list[str]) -> int | None:
    """The column a hard-wrapped (OCR, e-mail) text was wrapped at, or None for one-line paragraphs."""
    lengths = sorted(len(l.strip()) for l in lines if l.strip())
    if len(lengths) < 8:
        return None
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if not 30 <= width <= 150:
        return None
    near = sum(1 for n in lengths if 0.75 * width <= n <= 1.15 * width)
    return width if near >= 0.5 * len(lengths) else None


def _join(a: str, b: str) -> str:
    if re.search(r"[A-Za-z][-‐—–]$", a):  # keep the hyphen: compounds (cross-regional) outnumber split words
        return a + b
    return f"{a} {b}"


def is_footnote_block(block: str) -> bool:
    """A footnote body as OCR leaves it at a page foot: `2 In the latter half … .`"""
    return bool(_FOOTNOTE.match(block)) and len(block) >= 30 and block.rstrip().endswith((".", ")", "”", '"'))


def _wrapped_blocks(lines: list[str], width: int) -> list[str]:
    """Rejoin hard-wrapped lines into paragraphs; move page-bottom footnotes after the running text."""
    raw: list[list[str]] = [[]]
    for line in lines:
        s = line.strip()
        if not s or (line[:1] == " " and raw[-1]) or (_LIST_ITEM.match(line) and raw[-1]):
            raw.append([])  # blank line, a line starting a new text frame, or a list item
        if s:
            raw[-1].append(s)
            if len(s) < 0.6 * width:
                raw.append([])  # a short line ends its paragraph
    body, footnotes = [], []
    previous_full = False  # did the last running block end on a full-width line?
    for lines_ in filter(None, raw):
        block = lines_[0]
        for nxt in lines_[1:]:
            block = _join(block, nxt)
        if len(block) <= 2 or re.fullmatch(r"\d{1,4}", block):
            continue  # page numbers and stray glyphs
        if is_footnote_block(block):
            footnotes.append(block)
            continue
        continues = block[:1].islower() or block[:1].isdigit() or block[:1] in "\"“(,;)]" or previous_full
        if body and continues and not _TERMINAL.search(body[-1]):
            body[-1] = _join(body[-1], block)  # a paragraph broken by a page, a footnote or a blank line
        else:
            body.append(block)
        previous_full = len(lines_[-1]) >= 0.75 * width and not _CAPTION.match(block)
    return body + footnotes


def clean_text(text: str) -> str:
    """The cleaned text of one document: blocks separated by one blank line."""
    return _clean(text)[0]


def _clean(text: str) -> tuple[str, int]:
    """(cleaned text, number of boilerplate lines removed)."""
    raw_lines = normalize(text).split("\n")
    lines = _drop_boilerplate(raw_lines)
    removed = sum(1 for l in raw_lines if l.strip()) - sum(1 for l in lines if l.strip())
    width = _wrap_width(lines)
    if width:
        blocks = _wrapped_blocks(lines, width)
    else:
        blocks = [re.sub(r"\s+", " ", l).strip() for l in lines if l.strip()]
        blocks = [b for b in blocks if b]
    return "\n\n".join(blocks), removed


def infer_title(text: str) -> str | None:
    first = next((b for b in text.split("\n\n") if b.strip()), None)
    return None if first is None else first.lstrip("•·*- ").strip()[:200]


def clean(documents: pd.DataFrame) -> pd.DataFrame:
    """Replace `text` with the cleaned text of every built document, count the boilerplate lines
    removed (`boilerplate_lines`), and infer missing titles from the first line.

    A document whose cleaned text is empty (it held only boilerplate) is rejected, reason `only_boilerplate`.
    """
    documents = documents.copy()
    built = documents["status"] == "built"
    cleaned = [_clean(t) for t in documents.loc[built, "text"]]
    documents.loc[built, "text"] = [c[0] for c in cleaned]
    documents.loc[built, "boilerplate_lines"] = [c[1] for c in cleaned]
    emptied = built & (documents["text"].str.len() == 0)
    documents.loc[emptied, ["status", "reject_reason"]] = ["rejected", "only_boilerplate"]
    missing = documents["status"].eq("built") & documents["title"].isna()
    documents.loc[missing, "title"] = [infer_title(t) for t in documents.loc[missing, "text"]]
    return documents
