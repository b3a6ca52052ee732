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
from ..nlp import (_model_name, bio_spans, english, model_info, zh_char_features, zh_dictionary_tags, zh_gazetteer,
                   zh_gazetteer_spans, zh_model_info, zh_model_meta, zh_surnames, zh_tagger, zh_words)
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


# A place the model tags LOC that ends in one of these is a facility (spaCy's FAC): roads, bridges, tunnels,
# stations, ports, parks, squares (果州大道, 大营山北路, 音空山隧道).
_FACILITY_SUFFIX = ("路", "街", "大道", "大街", "巷", "桥", "隧道", "高速", "铁路", "机场", "车站", "火车站", "港口", "码头",
                    "公园", "广场", "大厦", "变电站", "电站", "水库", "线")


def _zh_label(name: str, label: str) -> str:
    if label != "LOC":
        return _ZH_LABELS.get(label, label)
    known = zh_gazetteer().get(name)
    if known:
        return known
    if name.endswith(_FACILITY_SUFFIX):
        return "FAC"
    return "GPE" if len(name) == 1 or name.endswith(_ADMIN_SUFFIX) else "LOC"


# A quantity is never a name: numerals and the units and counters they take (万亿元, 3000亩, 百分之七十).
_ZH_NUMERALS = "0-9０-９.．%％零〇一二三四五六七八九十百千万亿两"
_ZH_QUANTITY = re.compile(rf"^[{_ZH_NUMERALS}]*(?:[{_ZH_NUMERALS}]|[元角分吨米亩斤克里个件户人次年月日倍辆台套座家项条]|"
                          r"公里|公斤|千克|平方米|立方米|千瓦|百分之)+$")
# Blanks between two Han characters (the official way of writing a two-character name: 李  强, and
# letter-spaced headings): tagged as if absent, kept in the span.
_HAN_GAP = re.compile(rf"(?<=[{HAN}])[ \t\u3000\u00a0]+(?=[{HAN}])")
# A plenary session of a central committee is a meeting, not an organisation: 中共八届三中全会 -> 中共.
_PLENUM = re.compile(r"(?:第?[0-9一二三四五六七八九十]+届[一二三四五六七八九十、中]*(?:中全会|中|全体会议)?"
                     r"|[一二三四五六七八九十、中]*中全会)$")


def _squeezed(text: str) -> tuple[str, list[int]]:
    """`text` without blanks between Han characters, and the index in `text` of each character kept."""
    keep = [True] * len(text)
    for m in _HAN_GAP.finditer(text):
        keep[m.start():m.end()] = [False] * (m.end() - m.start())
    index = [i for i, k in enumerate(keep) if k]
    return "".join(text[i] for i in index), index


def _person_confidence(tagger, x: int, y: int) -> float:
    """The model's mean marginal probability of the PER tags over the span (after `tagger.set`)."""
    return sum(tagger.marginal(("B-PER" if i == x else "I-PER"), i) for i in range(x, y)) / (y - x)


def _zh_person(name: str, confidence: float) -> bool:
    """A PERSON is a name: a listed one, or a surname and a given name of one or two characters that the
    model is sure of (and not a word jieba's dictionary lists as another kind: 江河, 周转量);
    another string (a transliteration, a name without a listed surname) when the model is as sure. The
    bars were calibrated on the People's Daily dev split (`train_ner_zh.py`, `calibrate_persons`) and are
    recorded in the model's meta.json."""
    if zh_gazetteer().get(name) == "PERSON":
        return True
    if _ZH_QUANTITY.match(name) or any(ch in _ZH_NUMERALS for ch in name):
        return False
    bars = zh_model_meta().get("person_thresholds", {"surname": 0.0, "other": 0.0})
    surnames = zh_surnames()
    size = 2 if name[:2] in surnames else 1 if name[:1] in surnames else 0
    # A string jieba's dictionary lists as another kind of word is that word (江河, 周转量, 农田水利, 黄赌毒).
    if not zh_dictionary_tags().get(name, "nr").startswith("nr"):
        return False
    if size and 1 <= len(name) - size <= 2:
        return confidence >= bars["surname"]
    return confidence >= bars["other"]


# jieba's tags of common nouns, verbs and adjectives: an organisation the model finds that jieba's dictionary
# lists as one of these is that word, unless it ends in the word for a body.
_COMMON_NOUN_TAGS = frozenset({"n", "vn", "v", "a", "an", "l", "i"})
# Not 局 and 行, which end as many common words (布局, 格局; 进行, 运行) as names of bodies.
_ORG_HEADS = ("部", "委", "厅", "院", "会", "所", "校", "政府", "党", "军", "队", "团", "社", "司", "办", "署", "处",
              "中心", "组织", "公司", "集团", "协会", "联盟", "机构", "银行")


def _unbalanced(name: str) -> bool:
    """Whether `name` opens a bracket it does not close or closes one it did not open (a span across a
    bracket: 国家区域医疗中心（省儿童医院)."""
    depth = 0
    for ch in name:
        if ch in "（(《〈":
            depth += 1
        elif ch in "）)》〉":
            depth -= 1
        if depth < 0:
            return True
    return depth != 0


def _zh_keep(name: str, label: str) -> str | None:
    """The part of a tagged span that is a name (None when none is): no single character unless listed, no
    quantity, no unbalanced bracket, an organisation without the plenum after it."""
    if label == "ORG":
        plenum = _PLENUM.search(name)
        if plenum:
            name = name[:plenum.start()].rstrip("和与及、")
    if not name or _ZH_QUANTITY.match(name) or _unbalanced(name):
        return None
    if label == "ORG" and zh_dictionary_tags().get(name) in _COMMON_NOUN_TAGS and not name.endswith(_ORG_HEADS) \
            and name not in zh_gazetteer():
        return None  # a common noun that names no body (经济布局, 总体布局), unlike 公安部, 省政府
    if len(name) == 1 and name not in zh_gazetteer():
        return None
    return name


def chinese_entities(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, label, source) of persons, places and organisations in a Chinese string.

    source is the model's name for what the CRF found, 'zh-dict' for gazetteer names it left untagged.
    Blanks between Han characters are read through (李 强 is one name); spans keep them.
    """
    tagger, model = zh_tagger(), zh_model_info()["zh_ner_model"]
    squeezed, index = _squeezed(text)
    found, taken = [], [False] * len(squeezed)
    for a, b in _pieces(squeezed, _ZH_MAX_CHARS, _ZH_SENTENCE_END):
        tagger.set(zh_char_features(squeezed[a:b]))
        for x, y, label in bio_spans(tagger.tag()):
            listed = zh_gazetteer().get(squeezed[a + x:a + y])
            if label == "PER" and listed and listed != "PERSON":
                label = listed  # a listed place or body is not a person (黄冈: 黄 is a surname)
            if label == "PER":
                name = _person_title_cut(squeezed[a + x:a + y])
                if not _zh_person(name, _person_confidence(tagger, x, x + len(name))):
                    continue
                y = x + len(name)
                if len(name) == 1:
                    continue
            else:
                name = _zh_keep(squeezed[a + x:a + y], label)
                if name is None:
                    continue
                y = x + len(name)
            found.append((a + x, a + y, _zh_label(name, label), model))
            taken[a + x:a + y] = [True] * (y - x)
    bounds = _word_bounds(squeezed)
    for x, y, label in zh_gazetteer_spans(squeezed):
        # A listed name inside a word is another word (重庆 in 隆重庆祝, 中国 in 发展中国家); a word that starts or
        # ends with one holds it (邓小平理论, 由李强).
        if not any(taken[x:y]) and (x in bounds or y in bounds) and (y - x > 1 or squeezed[x:y] in zh_gazetteer()):
            found.append((x, y, label, "zh-dict"))
    return sorted((index[x], index[y - 1] + 1, label, how) for x, y, label, how in found)


def _word_bounds(text: str) -> set[int]:
    """Offsets where jieba's words of `text` start or end."""
    bounds, i = {0}, 0
    for word in zh_words(text):
        i += len(word)
        bounds.add(i)
    return bounds


def _person_title_cut(name: str) -> str:
    """A tagged person without the office or courtesy title after the name (周总理 -> 周, 习近平同志 -> 习近平)."""
    for title in _person_names()["title_zh"]:
        if name.endswith(title) and len(name) > len(title):
            return name[:-len(title)]
    return name


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
        text = _BLANKS.sub("", text)
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
    doc_texts = sent.groupby("doc_id", sort=False)["text"].agg("\n".join).to_dict()

    @lru_cache(maxsize=4096)
    def lowercase_in(doc_id: str, text: str) -> bool:
        lower = text.lower()
        return lower != text and re.search(rf"(?<!\w){re.escape(lower)}(?!\w)", doc_texts.get(doc_id, "")) is not None

    docs = nlp.pipe((_case_for_model(m[a:b]) for _, m, a, b in pieces), batch_size=64)
    for (s, m, offset, _), doc in zip(pieces, docs):
        for ent in doc.ents:
            if ent.label_ not in _SKIP_LABELS:
                rows.append(_english_row(s, m, offset + ent.start_char, offset + ent.end_char, ent.label_, source,
                                         lambda text, d=s.doc_id: lowercase_in(d, text)))
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


# A possessive inside a person's span joins two names, and the person is the owner (`Xi's China` -> Xi).
# Not in other labels: organisations and places hold possessives (People's Bank of China, People's Republic).
_INNER_POSSESSIVE = re.compile(r"[’']s\s+(?=\S)")
# Words a person's name may hold in lowercase (de Gaulle, van Gogh, bin Salman, Ludwig von Mises).
_NAME_PARTICLES = frozenset("de del della der di da dos du van von bin ibn al el la le y zu ter".split())
# A brand's inner capital (FedEx, PayPal, WeChat); Mc/Mac names (McAllen) are places and people too.
_CAMEL = re.compile(r"(?<!\bMc)(?<!\bMac)[a-z][A-Z]")
_ALL_CAPS = re.compile(r"^[A-Z][A-Z.\-]*$")


@lru_cache(maxsize=1)
def _en_places() -> dict[str, set[str]]:
    """English country names and country abbreviations (data/en_places.tsv): kind -> names."""
    out: dict[str, set[str]] = {"country": set(), "abbreviation": set()}
    for line in (_DATA / "en_places.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            text, kind = line.split("\t")
            out[kind].add(text)
    return out


def _english_label(text: str, label: str, lowercase_in_document) -> str | None:
    """spaCy's label checked against what a name of that kind looks like (None: not a name of any kind
    spaCy's labels cover). A country is never a PERSON; a PERSON's words are capitalised (cloud computing),
    it is not one word in capitals (COVID), and it is not a phrase the document also writes in lowercase
    (Common Prosperity, common prosperity); a GPE written in capitals is a listed abbreviation (US, PRC,
    not AI) and a GPE with a brand's inner capital is an organisation (FedEx)."""
    places = _en_places()
    if label == "PERSON":
        if text in places["country"] or text in places["abbreviation"]:
            return "GPE"
        words = re.findall(r"[^\W\d_][\w’'.\-]*", text)
        if not words or any(not w[0].isupper() and w not in _NAME_PARTICLES for w in words):
            return None
        if len(words) == 1 and len(words[0]) > 1 and _ALL_CAPS.match(words[0]):
            return None
        if lowercase_in_document(text):
            return None
    elif label == "GPE":
        if text in places["abbreviation"] or text in places["country"]:
            return label
        if _ALL_CAPS.match(text) and len(text.replace(".", "")) <= 3:
            return None
        if _CAMEL.search(text):
            return "ORG"
    return label


def _english_row(s, masked: str, start: int, end: int, label: str, source: str,
                 lowercase_in_document=lambda text: False) -> dict | None:
    a, b = _trim(s.text, masked, start, end)
    inner = _INNER_POSSESSIVE.search(s.text, a, b) if label == "PERSON" else None
    if inner:
        b = inner.start()
    if b <= a or "\n" in s.text[a:b]:
        return None
    label = _english_label(s.text[a:b], label, lowercase_in_document)
    if label is None:
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


_BLANKS = re.compile(r"[ \t\u3000\u00a0]+")


def _han_segments(text: str) -> list[tuple[int, int]]:
    """(start, end) of the Han runs of `text`, runs apart only by blanks joined (李 强)."""
    out: list[tuple[int, int]] = []
    for a, b, script in non_latin_runs(text):
        if script != "Hani":
            continue
        if out and _BLANKS.fullmatch(text, out[-1][1], a):
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


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
        for a, b in _han_segments(p.text):
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
