"""Segment: built documents into sections, paragraphs and sentences, with offsets into `documents.text`.

Paragraphs are the blocks `clean` separated by blank lines. A heading opens a section, and so does each
article of a Chinese legal text (第一条 …: one section per article, its clauses the section's paragraphs).
Headings are the blocks the source marks up as such (`documents.heading_starts`, from HTML and Markdown),
and in unmarked text the title-case lines, the numbered Chinese ones (第一章, 第二节, 一、) and Markdown `#`
lines; a table row (cells joined by the readers' ` | `) is never one. Sentences come from spaCy's
English model, or end at 。！？；(with any closing quotes) in paragraphs written mostly in Chinese.
"""

from __future__ import annotations

import re

import pandas as pd

from ..nlp import english, model_info
from ..tables import frame
from ..text import HAN, script_counts, trim_spans
from .clean import NUMBERED_CAPTION, is_footnote_block, offsets
from .layer import Layer
from .readers.html import CELL_SEPARATOR

__all__ = ["segment", "paragraph_kind", "section_kind", "article_heading"]

_NOTE = re.compile(r"^\[\d{1,5}\]")
_NUMBERED_NOTE = re.compile(r"^\d{1,5}[.)]?\s+\S")
_LIST_ITEM = re.compile(r"^([-•*▪◦]|\d{1,3}[.)])\s+\S")
_NUMBERED_HEADING = re.compile(r"^\d{1,2}(?:[.,]\d{0,2})?\s+[A-Z]")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "on", "or",
                "over", "the", "to", "with", "via", "vs", "while", "post"}
_SECTION_KINDS = [
    ("abstract", r"abstract|summary"), ("introduction", r"(\d+\W*)?introduction"),
    ("conclusion", r"(\d+\W*)?(conclusions?|concluding remarks)\b.*"),
    ("notes", r"(end)?notes"), ("footnotes", r"footnotes"),
    ("contributor", r"about the (contributor|author)s?|(the )?authors?|contributors?"),
    ("references", r"references|bibliography|works cited|sources"),
]
_CHINESE_SENTENCE_END = re.compile(r"[^。！？；!?]*[。！？；!?]+[”’」』\"')）]*|[^。！？；!?]+$")
_ZH_NUMBER = "[一二三四五六七八九十百千零〇两0-9０-９]+"
# 第一编/章/节 (a Markdown '#' may precede): a division of a Chinese legal text.
_ZH_DIVISION = re.compile(rf"^(?:#{{1,6}}\s*)?第{_ZH_NUMBER}[编章节]")
# 一、总体要求: a numbered heading of a notice; 【…】 a bracketed one.
_ZH_NUMBERED_HEADING = re.compile(r"^(?:#{1,6}\s*)?(?:[一二三四五六七八九十]+、|【[^】]{1,30}】$)")
# An article, optionally after the division it opens (pkulaw puts 第一章 总则 第一条 … on one line).
_ARTICLE = re.compile(rf"^(?:第{_ZH_NUMBER}[编章节][^\S\n]*[{HAN}][{HAN}\s]{{0,29}}?[^\S\n]+)?第{_ZH_NUMBER}条(?:之{_ZH_NUMBER})?")
# spaCy's tokenizer peels punctuation off a token one character at a time, quadratic in the token's
# length: long punctuation runs and very long space-free runs reach it as same-length words of 'x'.
_UNTOKENIZABLE = re.compile(r"[^\w\s]{20,}|\S{200,}")
_HAN_CHAR = re.compile(f"[{HAN}]")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+\S")
_FINAL_PUNCTUATION = re.compile(r"[.!?;:。！？；：，,]$")


def _is_heading(text: str) -> bool:
    if len(text) > 120 or "\n" in text or CELL_SEPARATOR in text or text.endswith((".", ",", ";", ":")) and not text.endswith("etc."):
        return False
    if _NUMBERED_HEADING.match(text):
        return True
    if text.endswith(("?", "!", "”", '"')):
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w’'\-–]*", text) if w.lower() not in _SMALL_WORDS]
    if not words or len(words) > 14:
        return False
    capitalised = sum(w[0].isupper() for w in words)
    return capitalised / len(words) >= 0.6


def _is_chinese_heading(text: str) -> bool:
    """A numbered Chinese heading or a Markdown heading: one short line without final punctuation."""
    if len(text) > 60 or "\n" in text or CELL_SEPARATOR in text or _FINAL_PUNCTUATION.search(text):
        return False
    return bool(_ZH_DIVISION.match(text) or _ZH_NUMBERED_HEADING.match(text) or _MARKDOWN_HEADING.match(text))


def article_heading(text: str) -> str | None:
    """The article number (with the division it opens, if on the same line) that begins `text`, e.g. 第三条."""
    m = _ARTICLE.match(text)
    return m.group() if m else None


def paragraph_kind(text: str, position: int, title: str | None, authors: str | None, marked: bool = False) -> str:
    """The kind of one paragraph; `position` counts from 0 in its document; `marked`: the source marks it
    up as a heading (a table row the extractor marked is still not one)."""
    if _NOTE.match(text):
        return "note"
    bare = text.lstrip("#").strip()
    shortest = 6 if _HAN_CHAR.search(bare[:1]) else 12  # a Chinese title says in 6 characters what English says in 12
    if position < 6 and title and len(bare) >= shortest and title.casefold().startswith(bare.casefold()):
        return "title"
    if marked and CELL_SEPARATOR not in text or _is_chinese_heading(text):
        return "heading"
    if position < 6 and authors and len(text) < 120 and any(
            a.split()[-1].casefold() in text.casefold() for a in authors.split("; ") if a.split()):
        return "byline"
    if _LIST_ITEM.match(text):
        return "list_item"
    if NUMBERED_CAPTION.match(text):
        return "caption"
    if _is_heading(text):
        return "heading"
    if text[:1] in "\"“‘" and re.search(r"[\"”’]\s*(\([^)]{0,100}\))?\.?$", text):
        return "quote"
    if len(text) < 60 and not re.search(r"[.!?:。！？：]$", text):
        return "caption"
    return "body"


def section_kind(heading: str | None, opener: str) -> str:
    if opener in ("title", "article"):
        return opener
    if heading is not None and _ZH_DIVISION.match(heading):
        return "chapter"
    if opener in ("note", "footnote"):
        return "notes" if opener == "note" else "footnotes"
    if heading is None:
        return "front_matter"
    for kind, pattern in _SECTION_KINDS:
        if re.fullmatch(pattern, heading.strip(), re.I):
            return kind
    return "body"


def _blocks(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text)]


def _footnote_tail(texts: list[str]) -> int:
    """Index of the first of the trailing page-bottom footnotes that `clean` moved to the end."""
    start = len(texts)
    while start > 0 and is_footnote_block(texts[start - 1]):
        start -= 1
    return start


def _is_chinese(text: str) -> bool:
    counts = script_counts(text)
    return counts["Hani"] + counts["Kana"] + counts["Hang"] > counts["Latn"] / 3


def _sentence_bounds(texts: list[str]) -> list[list[tuple[int, int]]]:
    """Sentence (start, end) within each paragraph text, whitespace trimmed."""
    bounds: list[list[tuple[int, int]] | None] = [None] * len(texts)
    english_idx = []
    for i, t in enumerate(texts):
        if _is_chinese(t):
            bounds[i] = [(m.start(), m.end()) for m in _CHINESE_SENTENCE_END.finditer(t) if m.group().strip()]
        else:
            english_idx.append(i)
    nlp = english("sentences")
    masked = (_UNTOKENIZABLE.sub(lambda m: "x" * len(m.group()), texts[i]) for i in english_idx)
    for i, doc in zip(english_idx, nlp.pipe(masked, batch_size=64)):
        bounds[i] = [(s.start_char, s.end_char) for s in doc.sents]
    return [trim_spans(t, spans) for t, spans in zip(texts, bounds)]


def segment(documents: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Split built documents into (sections, paragraphs, sentences).

    sections: section_id, doc_id, ordinal, heading, kind, text, char_start, char_end
    paragraphs: paragraph_id, doc_id, section_id, ordinal, kind, text, char_start, char_end
        (language and language_score are filled by the language stage)
    sentences: sentence_id, paragraph_id, doc_id, ordinal, text, char_start, char_end
    """
    sections, paragraphs = [], []
    for doc in documents[documents["status"] == "built"].itertuples(index=False):
        text, doc_id = doc.text, doc.doc_id
        blocks = _blocks(text)
        texts = [text[a:b] for a, b in blocks]
        tail = _footnote_tail(texts)
        marked = set(offsets(getattr(doc, "heading_starts", None)))
        current, doc_sections = None, []
        for n, ((a, b), t) in enumerate(zip(blocks, texts)):
            kind = "footnote" if n >= tail else paragraph_kind(t, n, doc.title, doc.authors, a in marked)
            if current is not None and current["kind"] in ("notes", "references") and kind != "heading" \
                    and _NUMBERED_NOTE.match(t):
                kind = "note"  # `12. Author, "Title," …` under a Notes heading
            opener = kind if kind in ("heading", "title") else None
            if kind in ("note", "footnote") and (current is None or current["kind"] not in ("notes", "footnotes")):
                opener = kind
            article = article_heading(t) if kind in ("body", "caption") else None
            if article:
                opener = "article"
            if current is None or opener:
                heading = t if kind in ("heading", "title") else article
                ordinal = len(doc_sections) + 1
                current = {"section_id": f"{doc_id}-s{ordinal:04d}", "doc_id": doc_id, "ordinal": ordinal,
                           "heading": heading, "kind": section_kind(heading, opener or kind), "char_start": a}
                doc_sections.append(current)
            current["char_end"] = b
            paragraphs.append({"paragraph_id": f"{doc_id}-p{n + 1:05d}", "doc_id": doc_id,
                               "section_id": current["section_id"], "ordinal": n + 1, "kind": kind,
                               "text": t, "char_start": a, "char_end": b})
        for s in doc_sections:
            s["text"] = text[s["char_start"]:s["char_end"]]
        sections.extend(doc_sections)
    sentences = []
    bounds = _sentence_bounds([p["text"] for p in paragraphs])
    for p, spans in zip(paragraphs, bounds):
        for k, (a, b) in enumerate(spans, 1):
            sentences.append({"sentence_id": f"{p['paragraph_id']}-t{k:03d}", "paragraph_id": p["paragraph_id"],
                              "doc_id": p["doc_id"], "ordinal": k, "text": p["text"][a:b],
                              "char_start": p["char_start"] + a, "char_end": p["char_start"] + b})
    return frame("sections", sections), frame("paragraphs", paragraphs), frame("sentences", sentences)


def _segment(tables, config):
    sections, paragraphs, sentences = segment(tables["documents"])
    return {"sections": sections, "paragraphs": paragraphs, "sentences": sentences}


LAYER = Layer("segment", needs=("documents",), produces=("sections", "paragraphs", "sentences"), run=_segment,
              tools=model_info)
