"""What a stage declares about itself: one `Layer` object, beside the code it registers (as spaCy's
`@Language.component` sits on the component), from which the rest of the package derives what it needs.

A stage module ends with its registration, say for a sentiment layer:

    LAYER = Layer("sentiment", needs=("sentences",), produces=("sentiment",), run=_sentiment,
                  tools=dists("vaderSentiment"), card=_card, baselines=_baselines, site=_site)

where `_sentiment(tables, config)` takes {table: rows} holding at least `needs` (pandas frames as
`tables.frame` makes them) and the BuildConfig, and returns {table: rows} for each table of `produces`
(it may also return new versions of tables it needs, as language does). Each table of `produces` has its
`schema/<table>.json`, whose `layer` names this layer. `pipeline/layers.py` puts the registrations in
build order; the guard (guard.py) runs `run` per partition; the card, the baselines, the manifest's tool
versions and the site read the other fields.

This module imports nothing of the package: every stage imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Callable

__all__ = ["Layer", "SiteMarks", "Mark", "dists", "version"]


def version(dist: str) -> str | None:
    """The installed version of the distribution `dist`, None when it is not installed."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def dists(*names: str) -> Callable[[], dict]:
    """Tool versions read from the installed distributions `names`."""
    return lambda: {name: version(name) for name in names}


def _no_tools() -> dict:
    return {}


@dataclass(frozen=True)
class Mark:
    """One span to wrap: `tag` with `attributes` over text[start:end] (offsets into the same string as
    `render`'s `base`). `first_only` attributes (an `id`) go on the first fragment only, so a split element
    keeps its id unique; later fragments carry `data-continued` (count elements without it). `rank` orders spans with identical extent: lower ranks are outer."""

    start: int
    end: int
    tag: str
    attributes: tuple[tuple[str, str], ...] = ()
    first_only: tuple[tuple[str, str], ...] = ()
    rank: int = 0


@dataclass(frozen=True)
class SiteMarks:
    """What `corpus site` shows of one table of a layer on each document page: the columns it reads of
    `table` (None: all), `marks(doc_id, by_doc, titles)` -> the Marks of one document (`by_doc[table][doc_id]`
    holds its rows of each table read, `titles` every document's title by doc_id), and the check box that
    shows or hides them: (the class of its marks, label)."""
    table: str
    columns: tuple[str, ...] | None
    marks: Callable
    switch: tuple[str, str] | None = None


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
    # figures(baselines) -> {NAME.png: (PNG bytes, caption)}: written as figures/NAME.png and shown in the
    # card's figures section (the layers of 0.2.0 have theirs in figures.py)
    figures: Callable | None = None
    site: tuple[SiteMarks, ...] = ()  # what the site's document pages show of its tables
