"""Language: a BCP-47 language per paragraph and sentence, the dominant one per document, and `spans`
(runs of non-Latin script with their script and Chinese variant).

Script decides first (Han without kana: zh; kana: ja; Hangul: ko), since langdetect calls short Chinese
strings Korean. Latin-script segments of 40+ characters whose words are one fifth English function words
are English (score 0.5 + that share, at most 0.99). Other Latin and Cyrillic text goes to langdetect,
seeded in every process and given a prior over the languages this corpus holds; its answer on short
segments is marked low-confidence (at most 0.5).
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from ..config import LanguageConfig
from ..errors import MissingExtraError
from ..tables import frame
from .scripts import han_variant, non_latin_runs, script_counts

__all__ = ["language", "detect"]

# The prior: English-language scholarship quoting East Asian sources, and the languages users add.
_PRIOR = {"en": 0.5, "zh-cn": 0.05, "zh-tw": 0.05, "ja": 0.04, "ko": 0.04, "ru": 0.04, "de": 0.04, "fr": 0.04,
          "es": 0.04, "it": 0.03, "pt": 0.03, "nl": 0.03, "vi": 0.02, "uk": 0.02, "pl": 0.02, "id": 0.01}
_LANGDETECT_TO_BCP47 = {"zh-cn": "zh-Hans", "zh-tw": "zh-Hant"}


def _detector_factory(seed: int):
    try:
        from langdetect import DetectorFactory
        from langdetect.detector_factory import init_factory, _factory  # noqa: F401
    except ImportError:
        raise MissingExtraError("langdetect", "build", "Language detection") from None
    DetectorFactory.seed = seed  # set in every process that detects: unseeded results flip between runs
    init_factory()
    from langdetect.detector_factory import _factory as factory

    return factory


# Words frequent in English and rare in the other Latin-script languages of the prior. A segment of 40+
# characters where they are a fifth of the words is English: langdetect agrees, at a fraction of the cost.
_ENGLISH = frozenset("the of and to that is was for with as by this from are were which have has said it its "
                     "not be been but or an on at will would their they he she we".split())
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def _english_share(text: str) -> float:
    words = _LATIN_WORD.findall(text)
    return sum(w.lower() in _ENGLISH for w in words) / len(words) if len(words) >= 8 else 0.0


def detect(text: str, config: LanguageConfig = LanguageConfig()) -> tuple[str, float]:
    """(BCP-47 language, confidence in [0, 1]) of one segment; ('und', 0.0) when it has no letters."""
    counts = script_counts(text)
    east = counts["Hani"] + counts["Kana"] + counts["Hang"]
    letters = sum(counts.values())
    if letters == 0:
        return "und", 0.0
    # An ideograph carries about a word: weigh it against the Latin letters of about three words' length.
    if east * 3 >= counts["Latn"] + counts["Cyrl"]:
        share = east / max(1, east + (counts["Latn"] + counts["Cyrl"]) / 3)
        if counts["Kana"] >= 0.1 * east:
            return "ja", round(min(1.0, share), 4)
        if counts["Hang"] > counts["Hani"]:
            return "ko", round(min(1.0, share), 4)
        return han_variant(text), round(min(1.0, share), 4)
    if len(text) >= config.short_chars and counts["Latn"] == letters:
        share = _english_share(text)
        if share >= 0.2:
            return "en", round(min(0.99, 0.5 + share), 4)
    factory = _detector_factory(config.seed)
    detector = factory.create()
    detector.set_max_text_length(2000)  # the first 2,000 characters decide; longer input only costs time
    detector.set_prior_map(_PRIOR)
    detector.append(text)
    try:
        best = detector.get_probabilities()[0]
    except Exception:  # langdetect raises on text without features; the letters are too few to tell
        return "und", 0.0
    lang, prob = _LANGDETECT_TO_BCP47.get(best.lang, best.lang), float(best.prob)
    if len(text.strip()) < config.short_chars:
        prob = min(prob, 0.5)  # langdetect's confidence on short strings is not to be trusted
    return lang, round(prob, 4)


_LATIN_LANGUAGES = {"en", "de", "fr", "es", "it", "pt", "nl", "vi", "pl", "id"}


def _latin_only(text: str) -> bool:
    counts = script_counts(text)
    return counts["Latn"] > 0 and sum(counts.values()) == counts["Latn"]


def _paragraph_languages(paragraphs: pd.DataFrame, config: LanguageConfig) -> list[tuple[str, float]]:
    """Each paragraph's (language, score). A short paragraph in Latin script (a heading, a byline, a
    table row) takes its document's dominant Latin-script language at score 0.5: langdetect is no more
    than a guess on a few words, and the document is the better prior."""
    texts, docs = list(paragraphs["text"]), list(paragraphs["doc_id"])
    short = [len(t.strip()) < config.short_chars and _latin_only(t) for t in texts]
    found: list[tuple[str, float] | None] = [None if s else detect(t, config) for t, s in zip(texts, short)]
    weight: dict[str, Counter] = {}
    for doc, text, result in zip(docs, texts, found):
        if result is not None and result[0] in _LATIN_LANGUAGES:
            weight.setdefault(doc, Counter())[result[0]] += len(text)
    for i, (doc, text) in enumerate(zip(docs, texts)):
        if found[i] is None:
            prior = weight.get(doc)
            found[i] = (max(sorted(prior), key=prior.get), 0.5) if prior else detect(text, config)
    return found


def _dominant(paragraphs: pd.DataFrame) -> dict[str, str]:
    weight: dict[str, Counter] = {}
    for p in paragraphs.itertuples(index=False):
        weight.setdefault(p.doc_id, Counter())[p.language] += len(p.text)
    return {doc: c.most_common(1)[0][0] for doc, c in weight.items()}


def _spans(paragraphs: pd.DataFrame) -> list[dict]:
    rows = []
    for p in paragraphs.itertuples(index=False):
        for a, b, script in non_latin_runs(p.text):
            run = p.text[a:b]
            lang = {"Hani": han_variant(run), "Jpan": "ja", "Hang": "ko", "Kore": "ko", "Cyrl": None}.get(script)
            start = p.char_start + a
            rows.append({"span_id": f"{p.doc_id}-x{start:07d}", "doc_id": p.doc_id, "paragraph_id": p.paragraph_id,
                         "text": run, "char_start": start, "char_end": p.char_start + b, "script": script,
                         "language": lang})
    return rows


def language(documents: pd.DataFrame, paragraphs: pd.DataFrame, sentences: pd.DataFrame,
             config: LanguageConfig = LanguageConfig()):
    """Fill language and language_score of paragraphs and sentences and documents.language; make spans.

    Returns (documents, paragraphs, sentences, spans). spans: span_id, doc_id, paragraph_id, text,
    char_start, char_end, script (ISO 15924), language.
    """
    paragraphs, sentences, documents = paragraphs.copy(), sentences.copy(), documents.copy()
    found = _paragraph_languages(paragraphs, config)
    by_paragraph = dict(zip(paragraphs["paragraph_id"], found))
    # A sentence in Latin script inside a paragraph in a Latin-script language takes the paragraph's
    # answer: langdetect on the longer text is the better guess, and it is called once, not per sentence.
    found_s = [by_paragraph[p] if _latin_only(t) and by_paragraph[p][0] in _LATIN_LANGUAGES else detect(t, config)
               for t, p in zip(sentences["text"], sentences["paragraph_id"])]
    for table, values in ((paragraphs, found), (sentences, found_s)):
        table["language"] = pd.Series([f[0] for f in values], index=table.index, dtype=object)
        table["language_score"] = pd.Series([f[1] for f in values], index=table.index, dtype="Float64")
    dominant = _dominant(paragraphs)
    documents["language"] = [dominant.get(d) for d in documents["doc_id"]]
    return documents, paragraphs, sentences, frame("spans", _spans(paragraphs))
