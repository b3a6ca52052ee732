"""Language: a BCP-47 language per paragraph and sentence, the dominant one per document, and `spans`
(runs of non-Latin script with their script and Chinese variant).

How a segment's language is decided:
1. Script (Unicode Script property, see scripts.py). No letters: `und`. Han, kana and Hangul decide by
   themselves (kana: ja; Hangul: ko; Han alone: zh-Hans, zh-Hant or zh from the characters), since
   n-gram detectors confuse short Chinese with Korean.
2. Latin text of 8+ words of which a fifth are English function words is English without a detector call
   (measured: no error on the calibration set; it keeps English-heavy builds fast).
3. Everything else goes to the detectors over every language they know (no fixed prior): first
   lingua-language-detector (low-accuracy mode: trigram models, ~100 MB, loaded once per process); when it
   is less than `LINGUA_SURE`, also langdetect (seeded with `LanguageConfig.seed` in every process) and
   the two probability distributions are averaged, lingua weighted
   `LINGUA_WEIGHT`: measured on the language dev set (whole paragraphs, and the same cut to 4-120
   characters), 0.3 makes as few errors as langdetect alone on whole paragraphs and fewer than either
   alone on short text (212 vs 220 langdetect, 403 lingua low-accuracy, of 2,680 Latin/Cyrillic snippets).
   A script neither detector knows gives `und-<Script>`.
4. Within a document, a paragraph's distribution is multiplied by a prior: `document_prior_floor` plus
   the share of the document's confidently detected text in each language. A paragraph's own evidence
   is never overridden: a language the detectors give no probability stays out, so a French quotation in
   an English document stays `fr`; only where the paragraph's evidence is split (`Revs 1,157 vs 890`)
   does the document break the tie. On the dev set's mixed documents a floor of 0.3 changes no answer
   (0.1 made one short Russian line Ukrainian).

`language_score` is a calibrated probability that the tag is right: for detector answers, a logistic
model (Platt scaling) over the logit of the answer's probability and log(1 + letters), one for lingua
alone and one for the average, fitted by `python benchmarks/language.py calibrate DEV` on Leipzig
sentences (the language dev set) whole and cut to random lengths (seeded), shipped as
`data/lang_calibration.json`; on held-apart files it lowers the expected calibration error from 0.065 to
0.053 (averaged) and 0.012 to 0.004 (lingua alone). Script-decided and English-rule answers score the
Laplace-smoothed accuracy of that rule on the same snippets times the share of letters in the deciding
script. The document prior of step 4 moves the probability the score is computed from.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..config import LanguageConfig
from ..errors import MissingExtraError
from ..tables import frame
from .scripts import dominant_script, han_variant, non_latin_runs, script_counts

__all__ = ["language", "detect", "evidence"]

_CALIBRATION = Path(__file__).parent / "data" / "lang_calibration.json"
_EAST_ASIAN = ("Hani", "Kana", "Hang")
# The detectors read at most this many characters: longer text costs time and changes no answer.
_MAX_CHARS = 600
LINGUA_WEIGHT = 0.3
# lingua this sure decides alone (langdetect, ten times slower, is asked only below): on the dev set's
# snippets no answer changes, and on whole paragraphs one in 670 does.
LINGUA_SURE = 0.99
_DIGITS = re.compile(r"\d")


@lru_cache(maxsize=1)
def _calibration() -> dict:
    return json.loads(_CALIBRATION.read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def _langdetect_factory(seed: int):
    try:
        from langdetect import DetectorFactory
        from langdetect.detector_factory import init_factory
    except ImportError:
        raise MissingExtraError("langdetect", "build", "Language detection") from None
    DetectorFactory.seed = seed  # set in every process that detects: unseeded results flip between runs
    init_factory()
    from langdetect.detector_factory import _factory

    return _factory


@lru_cache(maxsize=1)
def _lingua():
    try:
        from lingua import LanguageDetectorBuilder
    except ImportError:
        raise MissingExtraError("lingua-language-detector", "build", "Language detection") from None
    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


def _langdetect_probs(text: str, seed: int) -> dict[str, float]:
    detector = _langdetect_factory(seed).create()
    detector.set_max_text_length(_MAX_CHARS)
    detector.append(text)
    try:
        found = detector.get_probabilities()
    except Exception:  # langdetect raises on text without features it knows
        return {}
    out: dict[str, float] = {}
    for f in found:
        code = f.lang.split("-")[0]  # zh-cn / zh-tw: the variant is decided from the characters
        out[code] = out.get(code, 0.0) + float(f.prob)
    return out


def _lingua_probs(text: str) -> dict[str, float]:
    return {c.language.iso_code_639_1.name.lower(): float(c.value)
            for c in _lingua().compute_language_confidence_values(text[:_MAX_CHARS]) if c.value > 0}


_ENGLISH = frozenset("the of and to that is was for with as by this from are were which have has said it its "
                     "not be been but or an on at will would their they he she we".split())


def _english_share(text: str) -> float:
    import regex

    words = regex.findall(r"\p{Latin}+", text)
    return sum(w.lower() in _ENGLISH for w in words) / len(words) if len(words) >= 8 else 0.0


@lru_cache(maxsize=4096)
def evidence(text: str, seed: int = 0) -> tuple[str, dict[str, float], int]:
    """(method, {language: probability}, letters) of one segment, before any document prior.

    method: `none` (no letters), `script` (decided by Han/kana/Hangul), `english` (function-word rule),
    `lingua` (lingua sure by itself), `detectors` (lingua and langdetect averaged) or `unknown-script`
    (no detector knows the script).
    """
    counts = script_counts(text)
    letters = sum(counts.values())
    script = dominant_script(counts)
    if script is None:
        return "none", {}, 0
    if script in _EAST_ASIAN:
        east = sum(counts[s] for s in _EAST_ASIAN)
        share = east / (east + (letters - east) / 3)
        if counts["Kana"] >= 0.1 * east:
            return "script", {"ja": share}, letters
        if counts["Hang"] > counts["Hani"]:
            return "script", {"ko": share}, letters
        return "script", {han_variant(text): share}, letters
    if script == "Latn" and _english_share(text) >= 0.2:
        return "english", {"en": counts["Latn"] / letters}, letters
    return _detected(_DIGITS.sub("0", text[:_MAX_CHARS]), script, letters, seed)


@lru_cache(maxsize=8192)
def _detected(text: str, script: str, letters: int, seed: int) -> tuple[str, dict[str, float], int]:
    """The detectors' evidence; digits are all 0 in `text` (neither detector reads them), so the table
    lines of a financial report (`Shr 12 cts vs 15 cts`) are detected once."""
    lingua = _lingua_probs(text)
    if lingua and max(lingua.values()) >= LINGUA_SURE:
        return "lingua", lingua, letters
    langdetect = _langdetect_probs(text, seed)
    if not lingua and not langdetect:
        return "unknown-script", {f"und-{script}": 1.0}, letters
    languages = set(lingua) | set(langdetect)
    return "detectors", {lang: LINGUA_WEIGHT * lingua.get(lang, 0.0) + (1 - LINGUA_WEIGHT) * langdetect.get(lang, 0.0)
                         for lang in languages}, letters


def _score(method: str, prob: float, letters: int) -> float:
    """Calibrated probability that the answer is right (see the module docstring)."""
    cal = _calibration()
    if method == "none":
        return 0.0
    if method in ("script", "english"):
        return round(cal[method]["accuracy"] * prob, 4)
    if method == "unknown-script":
        return 0.0
    p, fit = min(max(prob, 1e-4), 1 - 1e-4), cal[method]
    z = fit["intercept"] + fit["logit"] * math.log(p / (1 - p)) + fit["log_letters"] * math.log1p(letters)
    return round(1 / (1 + math.exp(-z)), 4)


def _decide(method: str, probs: dict[str, float], letters: int,
            prior: dict[str, float] | None, floor: float) -> tuple[str, float]:
    if not probs:
        return "und", 0.0
    if prior and method in ("detectors", "lingua"):
        weighted = {lang: p * (floor + prior.get(lang, 0.0)) for lang, p in probs.items()}
        total = sum(weighted.values())
        if total > 0:
            probs = {lang: w / total for lang, w in weighted.items()}
    lang = max(sorted(probs), key=probs.get)
    return lang, _score(method, probs[lang], letters)


def detect(text: str, config: LanguageConfig = LanguageConfig()) -> tuple[str, float]:
    """(BCP-47 language, calibrated probability it is right) of one segment; ('und', 0.0) without letters."""
    method, probs, letters = evidence(text, config.seed)
    return _decide(method, probs, letters, None, config.document_prior_floor)


def _document_priors(docs: list[str], found: list[tuple[str, dict, int]], config: LanguageConfig) -> dict:
    """Each document's share of letters per language, from its confidently detected segments."""
    weight: dict[str, Counter] = {}
    for doc, (method, probs, letters) in zip(docs, found):
        if probs:
            lang = max(sorted(probs), key=probs.get)
            if _score(method, probs[lang], letters) >= config.prior_min_score:
                weight.setdefault(doc, Counter())[lang.split("-")[0]] += letters
    return {doc: {lang: n / sum(c.values()) for lang, n in c.items()} for doc, c in weight.items()}


def _languages(texts: list[str], docs: list[str], config: LanguageConfig,
               priors: dict | None = None) -> tuple[list[tuple[str, float]], dict]:
    found = [evidence(t, config.seed) for t in texts]
    if priors is None:
        priors = _document_priors(docs, found, config)
    out = []
    for doc, (method, probs, letters) in zip(docs, found):
        out.append(_decide(method, probs, letters, priors.get(doc), config.document_prior_floor))
    return out, priors


def _dominant(paragraphs: pd.DataFrame) -> dict[str, str]:
    """Each document's language: the one most of its paragraph text is in (`und` when none is told)."""
    weight: dict[str, Counter] = {}
    for p in paragraphs.itertuples(index=False):
        counts = weight.setdefault(p.doc_id, Counter())
        if not p.language.startswith("und"):
            counts[p.language] += len(p.text)
    return {doc: max(sorted(c), key=c.get) if c else "und" for doc, c in weight.items()}


def _spans(paragraphs: pd.DataFrame) -> list[dict]:
    rows = []
    for p in paragraphs.itertuples(index=False):
        for a, b, script in non_latin_runs(p.text):
            run = p.text[a:b]
            if script == "Hani":
                lang = han_variant(run)
            elif script in ("Jpan", "Hang", "Kore"):
                lang = "ja" if script == "Jpan" else "ko"
            else:
                lang = detect(run)[0] if len(run) >= 8 else None
                lang = None if lang == "und" or (lang or "").startswith("und-") else lang
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
    found, priors = _languages(list(paragraphs["text"]), list(paragraphs["doc_id"]), config)
    by_paragraph = dict(zip(paragraphs["paragraph_id"], found))
    single = Counter(sentences["paragraph_id"])
    # A paragraph's only sentence, and the sentences of a paragraph detected with confidence, take the
    # paragraph's answer (one detector call, on the longer text); the others are detected on their own.
    own = [single[p] > 1 and by_paragraph[p][1] < config.sentence_inherit_score
           for p in sentences["paragraph_id"]]
    texts = [t for t, o in zip(sentences["text"], own) if o]
    docs = [d for d, o in zip(sentences["doc_id"], own) if o]
    detected = iter(_languages(texts, docs, config, priors)[0])
    found_s = [next(detected) if o else by_paragraph[p] for p, o in zip(sentences["paragraph_id"], own)]
    for table, values in ((paragraphs, found), (sentences, found_s)):
        table["language"] = pd.Series([f[0] for f in values], index=table.index, dtype=object)
        table["language_score"] = pd.Series([f[1] for f in values], index=table.index, dtype="Float64")
    dominant = _dominant(paragraphs)
    documents["language"] = [dominant.get(d) for d in documents["doc_id"]]
    return documents, paragraphs, sentences, frame("spans", _spans(paragraphs))
