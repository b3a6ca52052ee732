"""The stages of a build as registered units: one ordered list, `LAYERS`, from which the stage names
(`config.STAGES`, `--until`), the tables a build publishes (`tables.TABLES`, `run.tables_of`), the
annotation loop of the second pass, the tool versions of the manifest and the card's per-layer blocks
are all derived.

Adding an annotation layer (say sentiment) is one module with one public function, one schema file in
`schema/` per table it produces, and one `Layer(...)` line in `LAYERS` (after the layers it needs):

    Layer("sentiment", needs=("sentences",), produces=("sentiment",), run=_sentiment,
          tools=_dists("vaderSentiment"))

where `_sentiment(tables, config)` takes {table: rows} holding at least `needs` (pandas frames as
`tables.frame` makes them) and the BuildConfig, and returns {table: rows} for each table of `produces`
(it may also return new versions of tables it needs, as language does). The guard (guard.py) runs it
per partition and, only when it raises, again on parts of the partition to find the failing documents.

Nothing here imports a stage at module load: `run` and `tools` import theirs when called.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Callable

__all__ = ["Layer", "LAYERS", "FAILURES", "stage_names", "layer", "annotation_layers", "published_tables",
           "tool_versions"]

# The table the guard writes: one row per document and layer that raised (schema/failures.json).
FAILURES = "failures"


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _dists(*names: str) -> Callable[[], dict]:
    """Tool versions read from the installed distributions `names`."""
    return lambda: {name: _version(name) for name in names}


def _no_tools() -> dict:
    return {}


@dataclass(frozen=True)
class Layer:
    name: str
    # The tables it reads (made by earlier layers), and of those the ones passed whole when the guard
    # re-runs it on some documents only (lookups across documents, like the copies of a canonical one).
    needs: tuple[str, ...] = ()
    produces: tuple[str, ...] = ()  # the tables it publishes, one schema/<table>.json each
    # Second-pass layers: run(tables, config) -> {table: rows}. Stages with passes of their own (ingest,
    # clean, dedup, publish) run from run.py and have none.
    run: Callable | None = None
    context: tuple[str, ...] = ()
    tools: Callable[[], dict] = _no_tools  # the tool versions it records in the manifest
    # card(tables, baselines) -> {block: Markdown}: the card template's <!-- begin:BLOCK --> blocks it fills; a
    # block the template lacks is shown under the layer's name in its "Other layers" section
    card: Callable | None = None
    # baselines(tables) -> {name: frame}: research baselines from its tables, written as baselines/NAME.csv
    # (the layers of 0.2.0 have theirs in baselines.compute)
    baselines: Callable | None = None


# --- the second-pass layers' adapters: the stage modules keep their own signatures ---------------------------

def _segment(tables, config):
    from . import segment

    sections, paragraphs, sentences = segment.segment(tables["documents"])
    return {"sections": sections, "paragraphs": paragraphs, "sentences": sentences}


def _language(tables, config):
    from . import language

    languages, spans = language.language(tables["documents"], tables["paragraphs"], tables["sentences"],
                                         config.language)
    # The language columns of documents, paragraphs and sentences that users load, and terms and entities
    # read, are filled from the layer's own table.
    documents, paragraphs, sentences = language.with_columns(languages, tables["documents"], tables["paragraphs"],
                                                             tables["sentences"])
    return {"languages": languages, "spans": spans, "documents": documents, "paragraphs": paragraphs,
            "sentences": sentences}


def _terms(tables, config):
    from . import terms

    return {"terms": terms.terms(tables["paragraphs"])}


def _citations(tables, config):
    import pandas as pd

    from . import citations

    copies = tables.get("copies")
    documents = tables["documents"] if copies is None else pd.concat([tables["documents"], copies], ignore_index=True)
    found, references = citations.citations(documents, tables["paragraphs"], tables.get("duplicates"))
    return {"citations": found, "references": references}


def _entities(tables, config):
    from . import entities

    return {"entities": entities.entities(tables["paragraphs"], tables["sentences"], tables.get("terms"))}


def _spacy_tools() -> dict:
    from ..nlp import model_info

    return model_info()


def _entities_tools() -> dict:
    from ..nlp import model_info, zh_model_info

    return {**model_info(), **_dists("jieba", "python-crfsuite")(), **zh_model_info()}


def _citations_tools() -> dict:
    from .refparse import model_info

    return {**_dists("python-crfsuite", "dateparser")(), **model_info()}


def _card(name: str) -> Callable:
    """The card block function `name` of publish.py (imported when the card is written)."""
    def blocks(tables, baselines):
        from . import publish

        return getattr(publish, name)(tables, baselines)
    return blocks


# The build order. The glossary (terms) comes before entities, which use it to link 习近平 to Xi Jinping.
LAYERS: list[Layer] = [
    Layer("ingest", produces=("documents",), tools=_dists("charset-normalizer", "trafilatura", "markdown-it-py",
                                                          "pypdf", "pypdfium2")),
    Layer("clean", needs=("documents",)),
    Layer("dedup", needs=("documents",), produces=("duplicates", "reuse"), tools=_dists("rensa"),
          card=_card("dedup_card")),
    Layer("segment", needs=("documents",), produces=("sections", "paragraphs", "sentences"), run=_segment,
          tools=_spacy_tools),
    Layer("language", needs=("documents", "paragraphs", "sentences"), produces=("languages", "spans"), run=_language,
          tools=_dists("langdetect", "hanzidentifier", "lingua-language-detector", "regex"),
          card=_card("language_card")),
    Layer("terms", needs=("paragraphs",), produces=("terms",), run=_terms, tools=_dists("pypinyin", "jieba"),
          card=_card("terms_card")),
    Layer("citations", needs=("documents", "paragraphs", "copies", "duplicates"), produces=("citations", "references"),
          run=_citations, context=("documents", "copies", "duplicates"), tools=_citations_tools,
          card=_card("citations_card")),
    Layer("entities", needs=("paragraphs", "sentences", "terms"), produces=("entities",), run=_entities,
          tools=_entities_tools, card=_card("entities_card")),
    Layer("publish"),
]


def stage_names() -> tuple[str, ...]:
    return tuple(layer.name for layer in LAYERS)


def layer(name: str) -> Layer:
    return next(x for x in LAYERS if x.name == name)


def annotation_layers(until: str) -> list[Layer]:
    """The second-pass layers up to stage `until`, in build order."""
    names = stage_names()
    return [x for x in LAYERS if x.run is not None and names.index(x.name) <= names.index(until)]


def published_tables(until: str | None = None) -> tuple[str, ...]:
    """The tables of the layers up to `until` (every layer when None), then the failures table."""
    names = stage_names()
    upto = names.index(until) if until else len(names)
    return tuple(t for x in LAYERS if names.index(x.name) <= upto for t in x.produces) + (FAILURES,)


def tool_versions(stages_run: list[str]) -> dict:
    """The versions of Python, the package and what each stage run used."""
    import platform

    tools = {"python": platform.python_version(), "corpus": _version("china-digital-governance-corpus"),
             "pandas": _version("pandas"), "pyarrow": _version("pyarrow")}
    for x in LAYERS:
        if x.name in stages_run:
            tools.update(x.tools())
    return tools
