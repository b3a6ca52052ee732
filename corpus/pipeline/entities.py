"""Entities: named entities of English sentences (spaCy) and of Chinese runs (dictionary, rules, jieba).

English: citation markers ([6], glued note numbers, author-year brackets) and Chinese runs are masked
with spaces before NER, so offsets stay exact and no entity swallows them; entities lose a leading
determiner and a trailing possessive. Chinese: a dictionary of outlets, party-state bodies and places
(`data/zh_entities.tsv`), organisation suffixes (委员会, 办公厅, 局, 报, 社, ...), then jieba.posseg's
nr/ns/nt tags. `normalized` links variants (see DATACARD).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import MissingExtraError
from ..tables import frame
from .scripts import non_latin_runs

__all__ = ["entities", "chinese_entities", "mask_markers"]

_MARKERS = re.compile(
    r"\[\d{1,3}\]"                                          # [6]
    r"|(?<=[A-Za-z.,;:’”)])\d{1,3}(?=[\s.,;:)]|$)"          # level.20, documents2.
    r"|\((?:[^()]{0,80}?\b(?:1[89]|20)\d\d[a-z]?)\)"        # (Xu, Kostka, and Cao 2022)
)
_DETERMINER = re.compile(r"^(?:the|a|an|The|A|An)\s+")
_POSSESSIVE = re.compile(r"[’']s?$")
_SKIP_LABELS = {"CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY", "TIME"}
_ORG_SUFFIXES = ("委员会", "办公厅", "办公室", "公安厅", "公安局", "人民政府", "政府", "局", "部", "厅", "院", "报", "社", "台",
                 "周刊", "月刊", "学报", "杂志", "法院", "银行", "集团", "公司", "大学", "委", "署", "会", "所", "中心")
_JIEBA_LABELS = {"nr": "PERSON", "nrfg": "PERSON", "nrt": "PERSON", "ns": "GPE", "nt": "ORG"}


def mask_markers(text: str) -> str:
    """`text` with citation markers and East Asian runs replaced by spaces (same length)."""
    chars = list(text)
    spans = [(m.start(), m.end()) for m in _MARKERS.finditer(text)] + [(a, b) for a, b, _ in non_latin_runs(text)]
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
    while end > start and not text[end - 1].isalnum():
        end -= 1
    while start < end and not text[start].isalnum():
        start += 1
    return start, end


@lru_cache(maxsize=1)
def _dictionary() -> dict[str, str]:
    rows = (Path(__file__).parent / "data" / "zh_entities.tsv").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t") for line in rows if line and not line.startswith("#"))


def chinese_entities(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, label, source) of persons, places and organisations in a Chinese string."""
    try:
        import jieba
        import jieba.posseg as posseg
    except ImportError:
        raise MissingExtraError("jieba", "build", "Chinese entity tagging") from None
    jieba.setLogLevel(60)
    dictionary = _dictionary()
    found, taken = [], [False] * len(text)
    tokens, pos = [], 0
    for word, flag in posseg.lcut(text, HMM=True):
        tokens.append((pos, pos + len(word), word, flag))
        pos += len(word)
    # 1. Organisations by suffix, with the place or name words before them: 北京市/ns 公安局/n → 北京市公安局.
    for k, (start, end, word, flag) in enumerate(tokens):
        if not (word.endswith(_ORG_SUFFIXES) and flag[:1] in ("n", "j")):
            continue
        first = k
        while first > 0 and k - first < 3 and tokens[first - 1][3] in ("ns", "nt", "nz", "j") and \
                not any(taken[tokens[first - 1][0]:tokens[first - 1][1]]):
            first -= 1
        span_start = tokens[first][0]
        if end - span_start >= 3 and not any(taken[span_start:end]):
            found.append((span_start, end, "ORG", "zh-rule"))
            taken[span_start:end] = [True] * (end - span_start)
    # 2. The dictionary of outlets, party-state bodies and places, longest names first.
    for name in sorted(dictionary, key=len, reverse=True):
        for m in re.finditer(re.escape(name), text):
            if not any(taken[m.start():m.end()]):
                found.append((m.start(), m.end(), dictionary[name], "zh-dict"))
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
    # 3. jieba's person, place and organisation tags for the rest.
    for start, end, word, flag in tokens:
        if flag in _JIEBA_LABELS and len(word) >= 2 and not any(taken[start:end]):
            found.append((start, end, _JIEBA_LABELS[flag], "zh-jieba"))
    return sorted(found)


def _normalizer(english: list[dict], glossary: dict[str, str], acronyms: dict[str, str]):
    """Map entity text to a normalized key: glossary names, acronyms, surnames of full names, case."""
    persons = {e["text"] for e in english if e["label"] == "PERSON" and " " in e["text"]}

    def normalize(text: str, label: str) -> str:
        text = glossary.get(text, text)
        text = acronyms.get(text, text)
        if label == "PERSON" and " " not in text:
            matches = sorted(p for p in persons if text in p.split())
            if len(matches) == 1:
                text = matches[0]
        return re.sub(r"\s+", " ", text).casefold()

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


def _acronyms(text: str) -> dict[str, str]:
    """Acronyms the text defines: `China Banking and Regulatory Commission (CBRC)`."""
    out = {}
    for m in re.finditer(r"((?:[A-Z][\w’'\-]*\s+(?:(?:and|of|for|the|&)\s+)*){1,8})\(([A-Z]{2,8})\)", text):
        words = [w for w in m.group(1).split() if w[0].isupper()]
        if words and "".join(w[0] for w in words[-len(m.group(2)):]) == m.group(2):
            out[m.group(2)] = m.group(1).strip()
    return out


def entities(paragraphs: pd.DataFrame, sentences: pd.DataFrame, terms: pd.DataFrame | None = None,
             model_source: str | None = None) -> pd.DataFrame:
    """entities: entity_id, doc_id, paragraph_id, sentence_id, text, label, char_start, char_end, normalized, source."""
    from ..nlp import _model_name, english

    source = model_source or _model_name()
    nlp = english("entities")
    sent = sentences[~sentences["language"].fillna("").str.startswith(("zh", "ja", "ko"))]
    masked = [mask_markers(t) for t in sent["text"]]
    rows = []
    for s, m, doc in zip(sent.itertuples(index=False), masked, nlp.pipe(masked, batch_size=64)):
        for ent in doc.ents:
            if ent.label_ in _SKIP_LABELS:
                continue
            a, b = _trim(s.text, m, ent.start_char, ent.end_char)
            if b <= a or "\n" in s.text[a:b]:
                continue
            rows.append({"doc_id": s.doc_id, "paragraph_id": s.paragraph_id, "sentence_id": s.sentence_id,
                         "text": s.text[a:b], "label": ent.label_, "char_start": s.char_start + a,
                         "char_end": s.char_start + b, "source": source})
    sentence_of = {}
    for s in sentences.itertuples(index=False):
        sentence_of.setdefault(s.paragraph_id, []).append((s.char_start, s.char_end, s.sentence_id))
    for p in paragraphs.itertuples(index=False):
        for a, b, script in non_latin_runs(p.text):
            if script != "Hani":
                continue
            for x, y, label, how in chinese_entities(p.text[a:b]):
                start = p.char_start + a + x
                sid = next((i for cs, ce, i in sentence_of.get(p.paragraph_id, []) if cs <= start < ce), None)
                rows.append({"doc_id": p.doc_id, "paragraph_id": p.paragraph_id, "sentence_id": sid,
                             "text": p.text[a + x:a + y], "label": label, "char_start": start,
                             "char_end": p.char_start + a + y, "source": how})
    glossaries = _glossaries(terms)
    texts = dict(zip(paragraphs["paragraph_id"], paragraphs["text"]))
    by_doc: dict[str, list[dict]] = {}
    for r in rows:
        by_doc.setdefault(r["doc_id"], []).append(r)
    for doc_id, doc_rows in by_doc.items():
        doc_text = " ".join(texts[p] for p in paragraphs.loc[paragraphs["doc_id"] == doc_id, "paragraph_id"])
        normalize = _normalizer(doc_rows, glossaries.get(doc_id, {}), _acronyms(doc_text))
        for r in doc_rows:
            r["normalized"] = normalize(r["text"], r["label"])
            r["entity_id"] = f"{doc_id}-e{r['char_start']:07d}-{r['char_end']:07d}"
    unique = {r["entity_id"]: r for r in rows}
    return frame("entities", list(unique.values()))
