"""The learned paragraph labeller for document structure (corpus/models/notes-structure).

A linear-chain CRF, as GROBID's segmenter, labels every paragraph of a document: body, heading, note (an
entry that starts with its number), note_cont (a note continued in the next paragraph), reference (an
unnumbered reference-list entry), reference_cont, furniture (running headers, page numbers), caption,
table_row or list_item. The features say what generalises across layouts: the number a paragraph starts
with (also after a short heading glued before it) and how it continues the numbers before and after it,
the length of the increasing run it belongs to, whether the body carries that number as a marker, the
position in the document, length, punctuation, year, URL and quote density, capitals, and the same for
the neighbours. Trained on generated layouts (corpus/training/train_notes.py).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

from ..nlp import crf_model_name, crf_tagger
from ..text import HAN

__all__ = ["LABELS", "MODEL_DIR", "note_label", "label_at", "paragraph_features", "label_paragraphs", "model_info"]

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "notes-structure"
LABELS = ("body", "heading", "note", "note_cont", "reference", "reference_cont", "furniture", "caption",
          "table_row", "list_item")

_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
# One definition of a note's label where its entry starts: [n] ［n］ ^n ^{n} 注n： ¹² $^{n}$ (n) n. n) or n before a
# capital; in a Markdown table's first cell or after a Markdown heading's marks (a converter's stray `# [2]`).
NOTE_LABEL = re.compile(rf"(?:\|\s?|\#{{1,6}}\s)?(?:\[(\d{{1,5}})\]|［(\d{{1,5}})］|\^\{{?(\d{{1,5}})\}}?(?!\d)|注\s?(\d{{1,5}})\s?[：:]|([¹²³⁴-⁹⁰]{{1,5}})(?=\s)"
                        rf"|\$\^\{{(\d{{1,5}})\}}\$|\((\d{{1,5}})\)\s|(\d{{1,5}})(?:[.)](?:\s|(?=[^\W\d_]))|\s(?=[A-Z\u00c0-\u00de“\"‘《\[(]|[{HAN}])))")
_LABEL_STYLES = ("bracket", "fwbracket", "caret", "zh", "sup", "latex", "parens", "number")
_MAX_GLUED_HEADING = 70
_SENTENCE_PUNCTUATION = re.compile(r"[.!?;。！？；]")
_YEAR = re.compile(r"(?<!\d)(?:1[6-9]|20)\d\d(?!\d)")
_URL = re.compile(r"https?://|www\.")
_QUOTES = re.compile(r"[“”\"《》«»]")
_PAGES = re.compile(r"\bpp?\.\s*\d|第\s*\d+\s*页|\b\d+\s*[–-]\s*\d+\b")
_REUSED = re.compile(r"\b(?:ibid|id|op\. cit|cit|idem|ebd)\.|同上|同前|前引", re.I)
_PUBLISHING = re.compile(r"\b(?:press|university|journal|review|publish\w*|eds?\.|vol\.|no\.|trans\.|retrieved|accessed)\b|出版社|杂志|学报", re.I)
_PAREN_YEAR = re.compile(r"\((?:1[6-9]|20)\d\d[a-z]?\)")
_SURNAME_START = re.compile(r"^[A-Z][\w'’-]+,\s(?:[A-Z]\.|[A-Z][a-z]+)")
_PAGE_NUMBER = re.compile(r"(?:page\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?|\d{1,4}\s*\|.*|.*\|\s*\d{1,4}", re.I)
_BODY_MARKER = re.compile(r"(?<=[A-Za-z.,;:’”\")\]\u4e00-\u9fff])(\d{1,3})(?=\s|$|[,;:)])|\[(\d{1,3})\]|\^\{?(\d{1,3})|([¹²³⁴-⁹⁰]{1,3})|［(\d{1,3})］")
_RUN_GAP = 3          # numbers a run may skip (a lost note)
_RUN_REACH = 60       # paragraphs a run may skip (pages of body between page-foot notes, furniture, continuations)
# A label inside a paragraph, where a note joined to the one before it starts: a line start or a sentence end.
_INNER_LABEL = re.compile(r"(?:(?<=\n)|(?<=[.!?”\"')\]]\s)|(?<=[。！？]))(?:" + NOTE_LABEL.pattern + ")")


def note_label(text: str, at: int = 0) -> tuple[int, int] | None:
    """(note number, end of the label) of a note label at `text[at]`, or None."""
    m = NOTE_LABEL.match(text, at)
    if not m:
        return None
    digits = next(g for g in m.groups() if g).translate(_SUPERSCRIPT_DIGITS)
    end = m.end()
    while end < len(text) and text[end] in " \t|":
        end += 1
    return (int(digits), end) if int(digits) else None


def label_at(text: str) -> tuple[int, int, int, str] | None:
    """(number, label start, body start, style) of the note label a paragraph starts with, at its start or
    after a short heading glued before it on its line (`ENDNOTES FOR CHAPTER 1 1. Susan Lawrence…`); the
    glued label is the first one after a few words with no sentence punctuation; None if there is none."""
    m = NOTE_LABEL.match(text)
    if m and int(next(g for g in m.groups() if g).translate(_SUPERSCRIPT_DIGITS)):
        number, body = note_label(text)
        return number, 0, body, _LABEL_STYLES[min(m.lastindex, 8) - 1]
    line = text[:_MAX_GLUED_HEADING].split("\n", 1)[0]
    for space in re.finditer(r"\s+", line):
        if _SENTENCE_PUNCTUATION.search(line[:space.start()]):
            break
        found = note_label(text, space.end())
        if found and space.start() >= 2:
            return found[0], space.end(), found[1], "glued"
    return None


def _bucket(value: float) -> str:
    return str(int(math.log2(value + 1)))


def _coarse(value: int) -> str:
    """0, 1-2 or 3+: how far apart or how long, where the exact size varies with the page and the layout."""
    return "0" if value <= 0 else "1-2" if value <= 2 else "3+"


def _text_features(text: str) -> dict[str, str | float]:
    stripped = text.strip()
    words = stripped.split()
    letters = [c for c in stripped if c.isalpha()]
    han = sum(1 for c in letters if "\u4e00" <= c <= "\u9fff")
    upper = sum(c.isupper() for c in letters)
    capitalised = sum(w[:1].isupper() for w in words)
    f: dict[str, str | float] = {
        "len": _bucket(len(stripped)), "words": _bucket(len(words)),
        "end": stripped[-1:] if stripped[-1:] in ".:;,!?。”\")|" else ("digit" if stripped[-1:].isdigit() else "other"),
        "years": min(3, len(_YEAR.findall(stripped))), "url": bool(_URL.search(stripped)),
        "quotes": min(3, len(_QUOTES.findall(stripped))), "pages": bool(_PAGES.search(stripped)),
        "reused": bool(_REUSED.search(stripped)), "publishing": bool(_PUBLISHING.search(stripped)),
        "paren_year": bool(_PAREN_YEAR.search(stripped)), "surname_start": bool(_SURNAME_START.match(stripped)),
        "page_number": bool(len(stripped) < 40 and _PAGE_NUMBER.fullmatch(stripped)),
        "upper": letters and upper / len(letters) > 0.8, "han": _bucket(10 * han / max(1, len(letters))),
        "capitalised": _bucket(4 * capitalised / max(1, len(words))), "lines": _bucket(text.count("\n")),
        "markup": stripped[:1] in "#*\\|", "pipes": min(3, stripped.count("|")),
        "sentences": _bucket(len(re.findall(r"[.!?。！？](?:\s|$)", stripped))),
        "digit_start": stripped[:1].isdigit(), "commas": _bucket(stripped.count(",") + stripped.count("，")),
    }
    if len(words) <= 6:  # what short lines (headings, furniture) say: learned, not listed
        for w in re.findall(r"[^\W\d_]+", stripped.casefold())[:4]:
            f[f"w={w}"] = 1.0
        if han:
            f[f"h={stripped.lstrip('#* ')[:2]}"] = 1.0
    return f


def paragraph_features(texts: list[str]) -> list[dict[str, str | float]]:
    """The features of each paragraph of one document (crfsuite item dicts)."""
    size = len(texts)
    labels = [label_at(t) for t in texts]
    numbers = [lab[0] if lab else None for lab in labels]
    # numbers the body carries as markers, paragraph by paragraph (labelled paragraphs excluded)
    carried: list[set[int]] = []
    for t, lab in zip(texts, labels):
        found = set()
        if lab is None or lab[3] == "glued":
            labels_inside = {m.start() for m in _INNER_LABEL.finditer(t)}  # notes run on in one block
            for m in _BODY_MARKER.finditer(t):
                if m.start() not in labels_inside:
                    found.add(int(next(g for g in m.groups() if g).translate(_SUPERSCRIPT_DIGITS)))
        carried.append(found)
    seen_before: list[set[int]] = []
    acc: set[int] = set()
    for found in carried:
        seen_before.append(set(acc))
        acc |= found
    back, previous = [1] * size, [None] * size
    for i in range(size):
        if numbers[i] is None:
            continue
        for j in range(i - 1, max(-1, i - _RUN_REACH - 1), -1):
            if numbers[j] is not None:
                previous[i] = j
                if numbers[j] < numbers[i] <= numbers[j] + _RUN_GAP:
                    back[i] = back[j] + 1
                    break
                if numbers[i] != 1:
                    continue  # a stray number between two entries of the run
                break
    # numbers of the notes joined inside each paragraph (after its first label), and whether a paragraph
    # holds the number that follows the last one seen before it
    inner: list[list[int]] = []
    for t, lab in zip(texts, labels):
        found = []
        for m in _INNER_LABEL.finditer(t, lab[2] if lab else 0):
            digits = next(g for g in m.groups() if g).translate(_SUPERSCRIPT_DIGITS)
            found.append(int(digits))
        inner.append(found)
    last_seen: list[int | None] = []
    latest = None
    for n, found in zip(numbers, inner):
        last_seen.append(latest)
        if n is not None or found:
            latest = max([x for x in [n, *found] if x is not None])
    forward = [1] * size
    following: list[int | None] = [None] * size
    for i in range(size - 1, -1, -1):
        if numbers[i] is None:
            continue
        for j in range(i + 1, min(size, i + _RUN_REACH + 1)):
            if numbers[j] is not None:
                following[i] = following[i] if following[i] is not None else j
                if numbers[i] < numbers[j] <= numbers[i] + _RUN_GAP:
                    forward[i] = forward[j] + 1
                    break
    items = []
    for i, t in enumerate(texts):
        f = _text_features(t)
        f["position"] = str(int(10 * i / max(1, size)))
        f["from_end"] = _bucket(size - 1 - i)
        lab, n = labels[i], numbers[i]
        before = last_seen[i]
        f["inner"] = _bucket(len(inner[i]))
        f["holds_next"] = before is not None and before + 1 in inner[i]
        f["carries"] = _bucket(len(carried[i]))
        f["carries_next"] = before is not None and any(before < x <= before + _RUN_GAP for x in carried[i])
        f["inner_rising"] = bool(inner[i]) and inner[i] == sorted(inner[i]) and (n is None or inner[i][0] > n)
        if lab is None:
            f["label"] = "none"
        else:
            f["label"] = lab[3]
            f["first"] = n == 1
            run = back[i] + forward[i] - 1
            f["run"] = "1" if run == 1 else "2" if run == 2 else "3-4" if run <= 4 else "5+"
            f["run_start"] = back[i] == 1
            f["run_end"] = forward[i] == 1
            p = previous[i]
            f["prev_step"] = "none" if p is None else _step(numbers[p], n)
            f["prev_gap"] = "none" if p is None else _coarse(i - p - 1)
            q = following[i]
            f["next_step"] = "none" if q is None else _step(n, numbers[q])
            f["next_gap"] = "none" if q is None else _coarse(q - i - 1)
            f["marker_before"] = n in seen_before[i]
            # page-foot notes: the body between the previous entry and this one carries this one's marker
            f["marker_between"] = "none" if p is None else str(any(n in carried[k] for k in range(p + 1, i)))
            f["marker_anywhere"] = n in acc
            f["body_len"] = _bucket(len(t) - lab[2])
            if lab[3] == "glued":
                f["glued_words"] = len(t[:lab[1]].split())
        items.append(f)
    for i, f in enumerate(items):
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if not 0 <= j < size:
                f[f"{offset}:edge"] = 1.0
                continue
            g = items[j]
            for key in ("label", "len", "end", "years", "page_number", "upper", "markup", "quotes", "publishing",
                        "first", "run", "surname_start", "paren_year", "holds_next", "prev_step", "carries_next", "marker_between"):
                if key in g:
                    f[f"{offset}:{key}"] = g[key]
    return [{k: (v if isinstance(v, float) else str(v)) for k, v in f.items()} for f in items]


def _step(before: int, after: int) -> str:
    if after == before + 1:
        return "next"
    if before < after <= before + _RUN_GAP:
        return "gap"
    if after == 1:
        return "restart"
    return "up" if after > before else "down"


def _tagger():
    return crf_tagger(MODEL_DIR, "document structure (notes)")  # loaded once per process (crf_tagger caches)


@lru_cache(maxsize=1)
def model_info() -> dict[str, str]:
    """Name and version of the shipped structure model, for the release manifest."""
    return {"notes-structure-model": crf_model_name(MODEL_DIR)}


def label_paragraphs(texts: list[str]) -> list[str]:
    """The label of each paragraph of one document (see LABELS)."""
    if not texts:
        return []
    return _tagger().tag(paragraph_features(texts))
