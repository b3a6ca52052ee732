"""Entities: named entities of English sentences (spaCy) and of Chinese runs (the shipped character CRF).

English: citation markers ([6], glued note numbers, author-year brackets), Chinese runs and long
whitespace-free strings are masked with spaces before NER, so offsets stay exact and no entity swallows
them; entities lose a leading determiner and a trailing possessive. Chinese: every Han run of a paragraph
(whole Chinese documents and Chinese phrases inside English alike) is tagged by the character CRF of
corpus/models/ner-zh/, then names of the gazetteer (`data/zh_entities.tsv`) the model left untagged are
added. `normalized` links the variants of one entity within a document, across scripts (see `_normalizer`).
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..card import md_table
from ..errors import MissingExtraError
from ..nlp import (_model_name, bio_spans, english, model_info, zh_char_features, zh_gazetteer, zh_gazetteer_spans,
                   zh_model_info, zh_tagger)
from ..tables import frame
from ..text import HAN, non_latin_runs
from .layer import Layer, Mark, SiteMarks, dists

__all__ = ["entities", "chinese_entities", "mask_markers", "normalizer"]

_MARKERS = re.compile(
    r"\[\d{1,3}\]"                                          # [6]
    r"|(?<=[A-Za-z.,;:’”)])\d{1,3}(?=[\s.,;:)]|$)"          # level.20, documents2.
    r"|\((?:[^()]{0,80}?\b(?:1[89]|20)\d\d[a-z]?)\)"        # (Xu, Kostka, and Cao 2022)
)
# No name is this long without a space; spaCy's tokenizer is quadratic on such strings (100 KB of '[').
_LONG_STRING = re.compile(r"\S{80,}")
# spaCy sees sentences in pieces of at most this many characters, cut at whitespace.
_SPACY_MAX_CHARS = 5_000
# The CRF tags Chinese text in pieces of at most this many characters, cut after sentence punctuation.
_ZH_MAX_CHARS = 400
_WHITESPACE = re.compile(r"\s")
_ZH_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
_DETERMINER = re.compile(r"^(?:the|a|an|The|A|An)\s+")
_POSSESSIVE = re.compile(r"[’']s?$")
# A final period that belongs to the name: U.S., U.N., Corp., Inc., Fla.
_ABBREVIATION_END = re.compile(r"(?:^|\s)(?:(?:[A-Za-z]\.){2,}|[A-Z][a-z]{1,3}\.)$")
_SKIP_LABELS = {"CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY", "TIME"}
# The labels of names, which keep one label per document and are tagged at every mention.
_NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"}
_HAN_CHAR = re.compile(f"[{HAN}]")
# A Chinese place the model tags LOC is a GPE (spaCy's label for countries, provinces, cities) when the
# gazetteer says so, when it is a one-character country or province abbreviation (中美, 京), or when it
# ends in an administrative unit.
_ADMIN_SUFFIX = ("国", "省", "市", "县", "区", "州", "镇", "乡", "村", "盟", "旗")
_ZH_LABELS = {"PER": "PERSON", "ORG": "ORG"}
_DATA = Path(__file__).parent / "data"


def mask_markers(text: str) -> str:
    """`text` with citation markers, East Asian runs and whitespace-free strings of 80+ characters replaced
    by spaces (same length)."""
    chars = list(text)
    spans = [(m.start(), m.end()) for rx in (_MARKERS, _LONG_STRING) for m in rx.finditer(text)]
    spans += [(a, b) for a, b, _ in non_latin_runs(text)]
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _trim(text: str, masked: str, start: int, end: int) -> tuple[int, int]:
    """Cut the span at the first masked character (marker or Chinese run), then drop a leading
    determiner, a trailing possessive and punctuation at either end."""
    hole = next((i for i in range(start, end) if masked[i] == " " and text[i] != " "), end)
    end = hole
    span = text[start:end]
    det = _DETERMINER.match(span)
    if det and len(span) > det.end():
        start += det.end()
    span = text[start:end]
    poss = _POSSESSIVE.search(span)
    if poss and poss.start() > 0:
        end = start + poss.start()
    while end > start and not text[end - 1].isalnum() and not _ABBREVIATION_END.search(text[start:end]):
        end -= 1
    while start < end and not text[start].isalnum():
        start += 1
    return start, end


def _pieces(text: str, limit: int, cut: re.Pattern) -> list[tuple[int, int]]:
    """(start, end) pieces of `text`, each at most `limit` long, ending after the last `cut` match inside
    the limit (or at the limit when there is none). Linear: each character is scanned once per piece."""
    out, start, n = [], 0, len(text)
    while start < n:
        end = min(n, start + limit)
        if end < n:
            last = None
            for m in cut.finditer(text, start, end):
                last = m
            if last is not None and last.end() > start:
                end = last.end()
        out.append((start, end))
        start = end
    return out


def _zh_label(name: str, label: str) -> str:
    if label != "LOC":
        return _ZH_LABELS.get(label, label)
    known = zh_gazetteer().get(name)
    if known:
        return known
    return "GPE" if len(name) == 1 or name.endswith(_ADMIN_SUFFIX) else "LOC"


def chinese_entities(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, label, source) of persons, places and organisations in a Chinese string.

    source is the model's name for what the CRF found, 'zh-dict' for gazetteer names it left untagged.
    """
    tagger, model = zh_tagger(), zh_model_info()["zh_ner_model"]
    found, taken = [], [False] * len(text)
    for a, b in _pieces(text, _ZH_MAX_CHARS, _ZH_SENTENCE_END):
        for x, y, label in bio_spans(tagger.tag(zh_char_features(text[a:b]))):
            found.append((a + x, a + y, _zh_label(text[a + x:a + y], label), model))
            taken[a + x:a + y] = [True] * (y - x)
    for x, y, label in zh_gazetteer_spans(text):
        if not any(taken[x:y]):
            found.append((x, y, label, "zh-dict"))
    return sorted(found)


@lru_cache(maxsize=1)
def _person_names() -> dict[str, list]:
    """Titles, two-character surnames and surname readings (data/person_names.tsv)."""
    out: dict[str, list] = {"title_en": [], "title_zh": [], "surname": [], "surname2": [], "reading": []}
    for line in (_DATA / "person_names.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            kind, *values = line.split("\t")
            out[kind].append(values[0] if len(values) == 1 else tuple(values))
    for kind in ("title_en", "title_zh"):
        out[kind].sort(key=len, reverse=True)
    return out


def _romanized(name: str) -> str:
    """A Chinese person's name in pinyin, surname apart: 习近平 -> 'Xi Jinping', 欧阳修 -> 'Ouyang Xiu'."""
    try:
        from pypinyin import lazy_pinyin
    except ImportError:
        raise MissingExtraError("pypinyin", "build", "Normalizing Chinese person names") from None
    names = _person_names()
    readings = dict(names["reading"])
    size = 2 if name[:2] in names["surname2"] else 1
    surname, given = name[:size], name[size:]
    parts = [readings.get(surname) or "".join(lazy_pinyin(surname))]
    if given:
        parts.append("".join(lazy_pinyin(given)))
    return " ".join(p.capitalize() for p in parts)


def _person_base(text: str) -> str:
    """A person's name without its title, Chinese names romanized: 'President Xi' -> 'Xi', 习总书记 -> 'Xi'."""
    names = _person_names()
    if _HAN_CHAR.search(text):
        for title in names["title_zh"]:
            if text.endswith(title) and len(text) > len(title):
                text = text[:-len(title)]
                break
        return _romanized(text) if len(text) <= 4 and _HAN_CHAR.fullmatch(text[0]) else text
    for title in names["title_en"]:
        if text.startswith(title + " ") and len(text) > len(title) + 1:
            return text[len(title) + 1:]
    return text


def normalizer(rows: list[dict], glossary: dict[str, str], acronyms: dict[str, str]):
    """normalize(text, label) -> the key shared by the variants of one entity in a document.

    The document's glossary turns a Chinese name into its English pair; an acronym the text defines turns
    into its expansion; a person loses titles (President, 总书记), a Chinese name is romanized (习近平 ->
    xi jinping), and a name of one word (Xi, 习) becomes the document's only full name containing it.
    Keys are case-folded with single spaces.
    """
    def base(text: str, label: str) -> str:
        text = acronyms.get(text, glossary.get(text, text))
        return _person_base(text) if label == "PERSON" else text

    full_names: dict[str, set[str]] = {}
    for r in rows:
        if r["label"] == "PERSON":
            name = base(r["text"], "PERSON").casefold()
            if " " in name:
                for word in name.split():
                    full_names.setdefault(word, set()).add(name)

    def normalize(text: str, label: str) -> str:
        key = re.sub(r"\s+", " ", base(text, label)).strip().casefold()
        if label == "PERSON" and " " not in key and len(full_names.get(key, ())) == 1:
            key = next(iter(full_names[key]))
        return key

    return normalize


def _glossaries(terms: pd.DataFrame | None) -> dict[str, dict[str, str]]:
    """Per document, each Chinese term's English gloss: the most frequent, then the shortest, then A-Z.

    Per document, so that a document's entities never depend on which other documents share its build.
    """
    if terms is None or terms.empty:
        return {}
    counts = terms.groupby(["doc_id", "chinese", "english"]).size().rename("n").reset_index()
    counts["length"] = counts["english"].str.len()
    best = counts.sort_values(["doc_id", "chinese", "n", "length", "english"], ascending=[True, True, False, True, True])
    best = best.drop_duplicates(["doc_id", "chinese"])
    out: dict[str, dict[str, str]] = {}
    for doc_id, chinese, english in zip(best["doc_id"], best["chinese"], best["english"]):
        out.setdefault(doc_id, {})[chinese] = english
    return out


_ACRONYM = re.compile(r"((?:[A-Z][\w’'\-]*[ \t]+(?:(?:and|of|for|the|&)[ \t]+)*){1,8})\(([A-Z]{2,8})\)")


def _acronyms(text: str) -> dict[str, str]:
    """Acronyms the text defines: `China Banking and Regulatory Commission (CBRC)`."""
    out = {}
    for m in _ACRONYM.finditer(text):
        words = [w for w in m.group(1).split() if w[0].isupper()]
        if words and "".join(w[0] for w in words[-len(m.group(2)):]) == m.group(2):
            out[m.group(2)] = m.group(1).strip()
    return out


def _english_rows(sentences: pd.DataFrame, source: str) -> list[dict]:
    nlp = english("entities")
    sent = sentences[~sentences["language"].fillna("").str.startswith(("zh", "ja", "ko"))]
    masked = [mask_markers(t) for t in sent["text"]]
    pieces = [(s, m, a, b) for s, m in zip(sent.itertuples(index=False), masked)
              for a, b in _pieces(m, _SPACY_MAX_CHARS, _WHITESPACE)]
    rows = []
    docs = nlp.pipe((_case_for_model(m[a:b]) for _, m, a, b in pieces), batch_size=64)
    for (s, m, offset, _), doc in zip(pieces, docs):
        for ent in doc.ents:
            if ent.label_ not in _SKIP_LABELS:
                rows.append(_english_row(s, m, offset + ent.start_char, offset + ent.end_char, ent.label_, source))
    rows = [r for r in rows if r]
    return rows + _document_consistency(rows, sent, masked)


def _case_for_model(text: str) -> str:
    """Text in capitals (headlines, datelines: BEIJING 1996-08-22) title-cased, which the model was trained
    on; other text as it is. Same length, so offsets hold."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 4 or sum(c.isupper() for c in letters) < 0.8 * len(letters):
        return text
    titled = text.title()
    return titled if len(titled) == len(text) else text


def _english_row(s, masked: str, start: int, end: int, label: str, source: str) -> dict | None:
    a, b = _trim(s.text, masked, start, end)
    if b <= a or "\n" in s.text[a:b]:
        return None
    return {"doc_id": s.doc_id, "paragraph_id": s.paragraph_id, "sentence_id": s.sentence_id,
            "text": s.text[a:b], "label": label, "char_start": s.char_start + a, "char_end": s.char_start + b,
            "source": source}


def _document_consistency(rows: list[dict], sent: pd.DataFrame, masked: list[str]) -> list[dict]:
    """One label per name within a document, and every mention of it tagged (a name is tagged the same
    way throughout a news story; Krishnan and Manning 2006).

    A one-word name that is a word of a person's full name in the document is that person; other names
    take the label the model gave them most often in the document. Occurrences the model missed, outside
    masked text and other entities, are added. Only names (_NAME_LABELS) take part, not dates or laws.
    Returns the added rows; `rows` are relabelled in place.
    """
    by_doc: dict[str, list[dict]] = {}
    for r in rows:
        if r["label"] in _NAME_LABELS:
            by_doc.setdefault(r["doc_id"], []).append(r)
    labels: dict[str, dict[str, str]] = {}
    for doc_id, doc_rows in by_doc.items():
        person_words = {w for r in doc_rows if r["label"] == "PERSON" and " " in r["text"]
                        for w in r["text"].split()[1:] if w[:1].isupper()}
        votes: dict[str, dict[str, int]] = {}
        for r in doc_rows:
            votes.setdefault(r["text"], {}).setdefault(r["label"], 0)
            votes[r["text"]][r["label"]] += 1
        labels[doc_id] = {text: "PERSON" if text in person_words else min(v, key=lambda k: (-v[k], k))
                          for text, v in votes.items()}
        for r in doc_rows:
            r["label"] = labels[doc_id][r["text"]]
    covered: dict[str, list[tuple[int, int]]] = {}
    for r in rows:
        covered.setdefault(r["sentence_id"], []).append((r["char_start"], r["char_end"]))
    patterns = {}
    for doc_id, names in labels.items():
        names = sorted((t for t in names if len(t) > 1 and t[0].isupper()), key=lambda t: (-len(t), t))
        if names:
            patterns[doc_id] = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")
    added = []
    source = rows[0]["source"] if rows else ""
    for s, m in zip(sent.itertuples(index=False), masked):
        hits = list(patterns[s.doc_id].finditer(m)) if s.doc_id in patterns else []
        if not hits:
            continue
        taken = bytearray(len(m))
        for a, b in covered.get(s.sentence_id, ()):
            taken[a - s.char_start:b - s.char_start] = b"\x01" * (b - a)
        for hit in hits:
            if not any(taken[hit.start():hit.end()]):
                row = _english_row(s, m, hit.start(), hit.end(), labels[s.doc_id][hit.group()], source)
                if row:
                    added.append(row)
    return added


def _chinese_rows(paragraphs: pd.DataFrame, sentences: pd.DataFrame) -> list[dict]:
    with_han = [p for p in paragraphs.itertuples(index=False) if _HAN_CHAR.search(p.text)]
    wanted = {p.paragraph_id for p in with_han}
    starts: dict[str, list[tuple[int, str]]] = {}
    for pid, start, sid in zip(sentences["paragraph_id"], sentences["char_start"], sentences["sentence_id"]):
        if pid in wanted:
            starts.setdefault(pid, []).append((int(start), sid))
    rows = []
    for p in with_han:
        sentence_starts = sorted(starts.get(p.paragraph_id, []))
        for a, b, script in non_latin_runs(p.text):
            if script != "Hani":
                continue
            for x, y, label, how in chinese_entities(p.text[a:b]):
                start = p.char_start + a + x
                k = bisect.bisect_right(sentence_starts, (start, "\uffff")) - 1
                rows.append({"doc_id": p.doc_id, "paragraph_id": p.paragraph_id,
                             "sentence_id": sentence_starts[k][1] if k >= 0 else None,
                             "text": p.text[a + x:a + y], "label": label, "char_start": start,
                             "char_end": p.char_start + a + y, "source": how})
    return rows


def entities(paragraphs: pd.DataFrame, sentences: pd.DataFrame, terms: pd.DataFrame | None = None,
             model_source: str | None = None) -> pd.DataFrame:
    """entities: entity_id, doc_id, paragraph_id, sentence_id, text, label, char_start, char_end, normalized, source."""
    rows = _english_rows(sentences, model_source or _model_name()) + _chinese_rows(paragraphs, sentences)
    glossaries = _glossaries(terms)
    doc_texts = paragraphs.groupby("doc_id", sort=False)["text"].agg(" ".join).to_dict()
    by_doc: dict[str, list[dict]] = {}
    for r in rows:
        by_doc.setdefault(r["doc_id"], []).append(r)
    for doc_id, doc_rows in by_doc.items():
        normalize = normalizer(doc_rows, glossaries.get(doc_id, {}), _acronyms(doc_texts.get(doc_id, "")))
        for r in doc_rows:
            r["normalized"] = normalize(r["text"], r["label"])
            r["entity_id"] = f"{doc_id}-e{r['char_start']:07d}-{r['char_end']:07d}"
    unique = {r["entity_id"]: r for r in rows}
    return frame("entities", list(unique.values()))


def _entities(tables, config):
    return {"entities": entities(tables["paragraphs"], tables["sentences"], tables.get("terms"))}


def _tools() -> dict:
    return {**model_info(), **dists("jieba", "python-crfsuite")(), **zh_model_info()}


def _card(tables, baselines) -> dict[str, str]:
    if "top_entities" not in baselines:
        return {}
    return {"entities": "Most named persons and organisations per document (`baselines/top_entities.csv`):\n\n"
                        + md_table(baselines["top_entities"])}


def _site_marks(doc_id: str, by_doc: dict, titles: dict) -> list[Mark]:
    marks = []
    for e in by_doc["entities"].get(doc_id, ()):
        title = e["label"] + (f": {e['normalized']}" if e.get("normalized") and e["normalized"] != e["text"] else "")
        marks.append(Mark(e["char_start"], e["char_end"], "mark",
                          (("class", "entity"), ("data-label", e["label"]), ("title", title)), rank=3))
    return marks


LAYER = Layer("entities", needs=("paragraphs", "sentences", "terms"), produces=("entities",), run=_entities,
              tools=_tools, card=_card,
              site=(SiteMarks("entities", ("doc_id", "text", "label", "char_start", "char_end", "normalized"),
                              _site_marks, ("entity", "Entities")),))
