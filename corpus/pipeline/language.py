"""Language: the `languages` table (a BCP-47 language and a calibrated score per document, paragraph and
sentence) and `spans` (runs of non-Latin script with their script and Chinese variant).

How a segment's language is decided, from the segment's own text only (no document prior: a French
quotation in an English article is `fr` because its own words say so):
1. Script (Unicode Script property, see scripts.py). No letters: `und`. Han, kana and Hangul decide by
   themselves (kana: ja; Hangul: ko; Han alone: zh-Hans, zh-Hant or zh from the characters): n-gram
   detectors confuse short Chinese with Korean, and no detector call is spent on them.
2. Text of fewer than `LanguageConfig.min_letters` letters, a single word, or at most
   `LanguageConfig.max_heading_words` words all capitalised, in a script written with spaces, is
   `und-<Script>` without a detector call: a byline, a heading, a button, a table cell or a name ("By Chen
   Yu", "Hide Overview", "Alexander H. Pepper") says no language, and detectors name one anyway (Welsh,
   Afrikaans, Swedish). Web and mail addresses are removed first (`原文链接：https://…` is Chinese).
3. Latin text of 6+ words of which a fifth are English function words is English without a detector
   call; of which a tenth are, when lingua alone gives English at least `_LINGUA_ENGLISH` (measured by
   `benchmarks/language.py rule DEV`: neither claims any non-English text of the dev set's paragraphs
   or their cuts; they keep English-heavy builds fast).
4. Everything else goes to both detectors over every language they know: lingua-language-detector
   (its low-accuracy trigram mode over all languages; for short text in a script other than Latin, then its
   high-accuracy mode among the first pass's best `_CANDIDATES`, so that a process loads the large models
   of a few languages its text is near, not of all 75) and seeded langdetect; their distributions are averaged with
   lingua weighted `LINGUA_WEIGHT`. `benchmarks/language.py plain DEV` measures it against each
   detector alone on the same paragraphs. A script neither detector knows gives `und-<Script>`.
5. An answer whose calibrated score is under `LanguageConfig.min_score` is `und-<Script>`, keeping the
   score.
A sentence takes its paragraph's answer when it is the paragraph's only sentence, or when its own text
cannot say (rules 2 and 5) and the paragraph's can; a document's language is the one most of its
paragraph text is in.

`language_score` is a calibrated probability that the tag is right: for detector answers, a logistic
model (Platt scaling) over the logit of the answer's probability and log(1 + letters), fitted by
`python benchmarks/language.py calibrate DEV` on Leipzig sentences (the language dev set) whole and cut
to random lengths (seeded), shipped as `data/lang_calibration.json`. Script-decided and English-rule
answers score the Laplace-smoothed accuracy of that rule on the same snippets times the share of
letters in the deciding script. `und` without letters and too-short text score 0.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..card import md_table
from ..config import LanguageConfig
from ..errors import MissingExtraError
from ..tables import frame
from ..text import dominant_script, han_variant, non_latin_runs, script_counts
from .layer import Layer, Mark, SiteMarks, dists

__all__ = ["language", "detect", "evidence", "with_columns"]

_CALIBRATION = Path(__file__).parent / "data" / "lang_calibration.json"
_EAST_ASIAN = ("Hani", "Kana", "Hang")
# Scripts written without spaces between words: a single run of letters there is not a single word.
_UNSPACED = frozenset({"Thai", "Laoo", "Khmr", "Mymr", "Tibt"})
# The detectors read at most this many characters: longer text costs time and changes no answer.
_MAX_CHARS = 600
# lingua's low-accuracy (trigram) mode alone from this length; below it, in scripts other than Latin, the
# high-accuracy mode decides among the first pass's best `_CANDIDATES`: on the dev set's short sentences the
# low mode's Russian answers drift to Macedonian and Serbian, while on text this long lingua's authors
# measure both modes alike. Five candidates: with three, lingua alone told 0.9833 of the paragraphs.
_LOW_ACCURACY_FROM = 120
_CANDIDATES = 5
LINGUA_WEIGHT = 0.3
_ENGLISH_MIN_WORDS = 6
_LINGUA_ENGLISH = 0.9
_DIGITS = re.compile(r"\d")
# Web and mail addresses are no language's words (`原文链接：https://…` is Chinese).
_ADDRESS = re.compile(r"(?:https?://|www\.)[!-~]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


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
def lingua_models():
    """lingua's low-accuracy (trigram) detector over every language it knows, loaded once per process: the
    first pass of every detector answer (about 0.15 GB and 2 s to load, against 1.1 GB and 17 s for the
    high-accuracy models of all languages)."""
    try:
        from lingua import LanguageDetectorBuilder
    except ImportError:
        raise MissingExtraError("lingua-language-detector", "build", "Language detection") from None
    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


@lru_cache(maxsize=256)
def _lingua_among(languages: tuple) -> object:
    """lingua's high-accuracy detector over `languages` only; lingua loads each language's models once per
    process, whichever detectors share them."""
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*languages).build()


def _langdetect_probs(text: str, seed: int) -> dict[str, float]:
    from langdetect.lang_detect_exception import LangDetectException

    detector = _langdetect_factory(seed).create()
    detector.set_max_text_length(_MAX_CHARS)
    detector.append(text)
    try:
        detector.langprob = _langdetect_block(detector)
    except LangDetectException:  # raised on text without any feature it knows
        return {}
    found = detector.get_probabilities()
    out: dict[str, float] = {}
    for f in found:
        code = f.lang.split("-")[0]  # zh-cn / zh-tw: the variant is decided from the characters
        out[code] = out.get(code, 0.0) + float(f.prob)
    return out


def _langdetect_block(detector) -> list[float]:
    """langdetect's `Detector._detect_block`, the same random draws and the same float operations in the
    same order, with each n-gram's update of the per-language probabilities done on a numpy row instead of
    a Python loop: that loop was nine tenths of langdetect's time and half the layer's (cProfile, 1,000
    Reuters stories). Elementwise products and quotients round alike in numpy and Python; the sum that
    normalizes stays a sequential Python `sum`, as numpy's pairwise sum rounds differently."""
    import numpy as np
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException

    detector.cleaning_text()
    ngrams = detector._extract_ngrams()
    if not ngrams:
        raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
    rows = _langdetect_rows()
    langprob = np.zeros(len(detector.langlist))
    rng = detector.random
    rng.seed(detector.seed)
    weight_of = detector.BASE_FREQ
    for _ in range(detector.n_trial):
        prob = np.full(len(detector.langlist), 1.0 / len(detector.langlist))
        alpha = detector.alpha + rng.gauss(0.0, 1.0) * detector.ALPHA_WIDTH
        weight = alpha / weight_of
        i = 0
        while True:
            word = rng.choice(ngrams)
            row = rows.get(word)
            if row is None:
                row = rows[word] = np.array(detector.word_lang_prob_map[word], dtype=float)
            prob *= weight + row
            if i % 5 == 0:
                prob /= sum(prob.tolist())
                if prob.max() > detector.CONV_THRESHOLD or i >= detector.ITERATION_LIMIT:
                    break
            i += 1
        langprob += prob / detector.n_trial
    return langprob.tolist()


@lru_cache(maxsize=1)
def _langdetect_rows() -> dict:
    """n-gram -> its per-language probabilities as a numpy row, filled as n-grams are met (per process)."""
    return {}


# Cached: the English rule asks lingua first, and `_detected` asks again about the same text when the rule
# does not settle it. Callers only read the dict.
@lru_cache(maxsize=8192)
def _lingua_probs(text: str, script: str) -> dict[str, float]:
    """lingua's distribution for `text`: its low-accuracy mode over all languages, then, for text in a script
    other than Latin and shorter than `_LOW_ACCURACY_FROM`, its high-accuracy mode among the `_CANDIDATES`
    languages the first pass ranks highest (Russian, Ukrainian, Macedonian, Serbian). Latin text keeps the
    first pass: the second loads the large models of every language near it (news wire's `Oper shr loss`
    is near dozens), the cost of the layer, and tells the dev set's paragraphs alike (0.9978 either way;
    their cuts 0.9081 against 0.9133). Rounded to 6 places: lingua's sums differ in the last bit between
    processes."""
    found = [c for c in lingua_models().compute_language_confidence_values(text) if c.value > 0]
    if script != "Latn" and len(text) < _LOW_ACCURACY_FROM and len(found) > 1:
        among = tuple(sorted((c.language for c in found[:_CANDIDATES]), key=lambda language: language.name))
        found = [c for c in _lingua_among(among).compute_language_confidence_values(text) if c.value > 0]
    return {c.language.iso_code_639_1.name.lower(): round(float(c.value), 6) for c in found}


_ENGLISH = frozenset("the of and to that is was for with as by this from are were which have has said it its "
                     "not be been but or an on at will would their they he she we".split())


def _english_share(words: list[str]) -> float:
    return sum(w.lower() in _ENGLISH for w in words) / len(words) if len(words) >= _ENGLISH_MIN_WORDS else 0.0


@lru_cache(maxsize=8192)
def evidence(text: str, seed: int = 0, min_letters: int = LanguageConfig.min_letters,
             max_heading_words: int = LanguageConfig.max_heading_words) -> tuple[str, dict[str, float], int, str | None]:
    """(method, {language: probability}, letters, dominant script) of one segment.

    method: `none` (no letters), `short` (too short to tell; no probabilities), `script` (decided by
    Han/kana/Hangul), `english` (function-word rule), `detectors` (lingua and langdetect averaged) or
    `unknown-script` (no detector knows the script).
    """
    import regex

    text = _ADDRESS.sub(" ", text)
    counts = script_counts(text)
    letters = sum(counts.values())
    script = dominant_script(counts)
    if script is None:
        return "none", {}, 0, None
    if script in _EAST_ASIAN:
        east = sum(counts[s] for s in _EAST_ASIAN)
        share = east / (east + (letters - east) / 3)
        if counts["Kana"] >= 0.1 * east:
            return "script", {"ja": share}, letters, script
        if counts["Hang"] > counts["Hani"]:
            return "script", {"ko": share}, letters, script
        return "script", {han_variant(text): share}, letters, script
    words = regex.findall(r"[\p{L}\p{M}]+", text)
    heading = len(words) <= max_heading_words and all(w[0].isupper() for w in words)
    if letters < min_letters or heading or (len(words) < 2 and script not in _UNSPACED):
        return "short", {}, letters, script
    if script == "Latn":
        share = _english_share(regex.findall(r"\p{Latin}+", text))
        if share >= 0.2:
            return "english", {"en": counts["Latn"] / letters}, letters, script
        # English prose thinner in function words (news wire: "Oper shr loss ... vs ...") is English when
        # lingua alone says so surely: langdetect, four fifths of the layer's time, adds nothing there
        # (`benchmarks/language.py rule`: no non-English text of the dev set or its cuts taken).
        if share >= 0.1:
            lingua = _lingua_probs(_DIGITS.sub("0", text[:_MAX_CHARS]), script)
            if lingua and max(sorted(lingua), key=lingua.get) == "en" and lingua["en"] >= _LINGUA_ENGLISH:
                return "english", {"en": lingua["en"] * counts["Latn"] / letters}, letters, script
    return (*_detected(_DIGITS.sub("0", text[:_MAX_CHARS]), script, letters, seed), script)


@lru_cache(maxsize=8192)
def _detected(text: str, script: str, letters: int, seed: int) -> tuple[str, dict[str, float], int]:
    """The detectors' evidence; digits are all 0 in `text` (neither detector reads them), so table lines
    that differ only in their figures are detected once."""
    lingua, langdetect = _lingua_probs(text, script), _langdetect_probs(text, seed)
    if not lingua and not langdetect:
        return "unknown-script", {}, letters
    languages = set(lingua) | set(langdetect)
    return "detectors", {lang: LINGUA_WEIGHT * lingua.get(lang, 0.0) + (1 - LINGUA_WEIGHT) * langdetect.get(lang, 0.0)
                         for lang in languages}, letters


def _score(method: str, prob: float, letters: int) -> float:
    """Calibrated probability that the answer is right (see the module docstring)."""
    cal = _calibration()
    if method in ("script", "english"):
        return round(cal[method]["accuracy"] * prob, 4)
    p, fit = min(max(prob, 1e-4), 1 - 1e-4), cal[method]
    z = fit["intercept"] + fit["logit"] * math.log(p / (1 - p)) + fit["log_letters"] * math.log1p(letters)
    return round(1 / (1 + math.exp(-z)), 4)


def _decide(text: str, config: LanguageConfig) -> tuple[str, float, str]:
    """(language, score, method) of one segment; method `unsure` for an answer under `min_score`."""
    method, probs, letters, script = evidence(text, config.seed, config.min_letters, config.max_heading_words)
    if not probs:
        return ("und" if script is None else f"und-{script}"), 0.0, method
    lang = max(sorted(probs), key=probs.get)
    score = _score(method, probs[lang], letters)
    if score < config.min_score:
        return f"und-{script}", score, "unsure"
    return lang, score, method


def detect(text: str, config: LanguageConfig = LanguageConfig()) -> tuple[str, float]:
    """(BCP-47 language, calibrated probability it is right) of one segment: ('und', 0.0) without letters,
    ('und-<Script>', score) when the text is too short or the detectors too unsure to tell."""
    return _decide(text, config)[:2]


def _determined(lang: str) -> bool:
    return not lang.startswith("und")


def _dominant(paragraphs: pd.DataFrame, found: list[tuple[str, float, str]]) -> dict[str, str]:
    """Each document's language: the one most of its paragraph text is in (`und` when none is told)."""
    weight: dict[str, Counter] = {}
    for doc, text, (lang, _, _) in zip(paragraphs["doc_id"], paragraphs["text"], found):
        counts = weight.setdefault(doc, Counter())
        if _determined(lang):
            counts[lang] += len(text)
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
                lang = detect(run)[0]
                lang = lang if _determined(lang) else None
            start = p.char_start + a
            rows.append({"span_id": f"{p.doc_id}-x{start:07d}", "doc_id": p.doc_id, "paragraph_id": p.paragraph_id,
                         "text": run, "char_start": start, "char_end": p.char_start + b, "script": script,
                         "language": lang})
    return rows


def language(documents: pd.DataFrame, paragraphs: pd.DataFrame, sentences: pd.DataFrame,
             config: LanguageConfig = LanguageConfig()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The `languages` table (doc_id, unit, unit_id, language, language_score, method: one row per
    document, paragraph and sentence) and `spans` (span_id, doc_id, paragraph_id, text, char_start,
    char_end, script, language). The input tables are not modified."""
    found = [_decide(t, config) for t in paragraphs["text"]]
    by_paragraph = dict(zip(paragraphs["paragraph_id"], found))
    single = Counter(sentences["paragraph_id"])
    rows = [{"doc_id": d, "unit": "paragraph", "unit_id": p, "language": lang, "language_score": score,
             "method": method} for d, p, (lang, score, method) in zip(paragraphs["doc_id"], paragraphs["paragraph_id"], found)]
    for doc, sid, pid, text in zip(sentences["doc_id"], sentences["sentence_id"], sentences["paragraph_id"],
                                   sentences["text"]):
        own = by_paragraph[pid] if single[pid] == 1 else _decide(text, config)
        if single[pid] == 1 or (not _determined(own[0]) and own[2] != "none" and _determined(by_paragraph[pid][0])):
            own = (*by_paragraph[pid][:2], "paragraph")
        rows.append({"doc_id": doc, "unit": "sentence", "unit_id": sid, "language": own[0],
                     "language_score": own[1], "method": own[2]})
    dominant = _dominant(paragraphs, found)
    rows += [{"doc_id": d, "unit": "document", "unit_id": d, "language": dominant.get(d, "und"),
              "language_score": None, "method": "dominant"} for d in documents["doc_id"]]
    return frame("languages", rows), frame("spans", _spans(paragraphs))


def with_columns(languages: pd.DataFrame, documents: pd.DataFrame, paragraphs: pd.DataFrame,
                 sentences: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """documents.language, and paragraphs' and sentences' language and language_score, filled from the
    `languages` table: the columns users of releases before 0.3.0 load (copies; the inputs are kept)."""
    out = []
    for unit, table, key in (("document", documents, "doc_id"), ("paragraph", paragraphs, "paragraph_id"),
                             ("sentence", sentences, "sentence_id")):
        rows = languages[languages["unit"] == unit].set_index("unit_id")
        table = table.copy()
        table["language"] = pd.Series(table[key].map(rows["language"]).tolist(), index=table.index, dtype=object)
        if unit != "document":
            table["language_score"] = pd.Series(table[key].map(rows["language_score"]).tolist(), index=table.index,
                                                dtype="Float64")
        out.append(table)
    return tuple(out)


def _language(tables, config):
    languages, spans = language(tables["documents"], tables["paragraphs"], tables["sentences"], config.language)
    # The language columns of documents, paragraphs and sentences that users load, and terms and entities
    # read, are filled from the layer's own table.
    documents, paragraphs, sentences = with_columns(languages, tables["documents"], tables["paragraphs"],
                                                    tables["sentences"])
    return {"languages": languages, "spans": spans, "documents": documents, "paragraphs": paragraphs,
            "sentences": sentences}


def _card(tables, baselines) -> dict[str, str]:
    if "languages" not in baselines:
        return {}
    languages = baselines["languages"]
    told = languages["determined"].astype(bool)
    return {"languages": md_table(languages.loc[told, ["language", "paragraphs"]])
            + f"\nUndetermined (`und`: no letters; `und-<Script>`: too short or too unsure to "
            f"tell): {int(languages.loc[~told, 'paragraphs'].sum())} paragraphs"
            + "".join(f"; {r.language} {r.paragraphs}" for r in languages[~told].itertuples()) + ".\n"}


def _site_marks(doc_id: str, by_doc: dict, titles: dict) -> list[Mark]:
    return [Mark(s["char_start"], s["char_end"], "span",
                 (("class", "script"), ("data-script", s["script"]), ("lang", s.get("language"))), rank=4)
            for s in by_doc["spans"].get(doc_id, ())]


LAYER = Layer("language", needs=("documents", "paragraphs", "sentences"), produces=("languages", "spans"),
              run=_language, tools=dists("langdetect", "hanzidentifier", "lingua-language-detector", "regex"),
              card=_card, site=(SiteMarks("spans", ("doc_id", "char_start", "char_end", "script", "language"),
                                          _site_marks, ("script", "Non-Latin script")),))
