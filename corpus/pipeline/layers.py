"""The stages of a build in order: each stage module declares its own `Layer` (layer.py) beside its code;
this module only orders them. The stage names (`--until`), the tables a build publishes, the annotation
loop of the second pass, the manifest's tool versions, the card's per-layer blocks, the baselines, the
figures and the site's marks are all read from `LAYERS`.

Adding an annotation layer is its module (ending with `LAYER = Layer(...)`), one schema file in `schema/`
per table it produces (its `layer` field naming the layer) and its place in `LAYERS` (after the layers it
needs).
"""

from __future__ import annotations

import platform

from ..errors import ConfigError, CorpusError
from ..tables import table_names, table_schema
from . import citations, clean, dedup, entities, ingest, language, publish, segment, terms
from .guard import FAILURES
from .layer import Layer, version

__all__ = ["Layer", "LAYERS", "FAILURES", "stage_names", "layer", "annotation_layers", "published_tables",
           "tool_versions", "check_until", "runs"]

# The build order. The glossary (terms) comes before entities, which use it to link 习近平 to Xi Jinping.
LAYERS: list[Layer] = [ingest.LAYER, clean.LAYER, dedup.LAYER, segment.LAYER, language.LAYER, terms.LAYER,
                       citations.LAYER, entities.LAYER, publish.LAYER]


def stage_names() -> tuple[str, ...]:
    return tuple(x.name for x in LAYERS)


def check_until(until: str) -> None:
    """ConfigError unless `until` names a stage."""
    if until not in stage_names():
        raise ConfigError(f"unknown stage {until!r}. Available stages: {', '.join(stage_names())}")


def runs(stage: str, until: str) -> bool:
    """Whether a build up to stage `until` runs `stage`."""
    names = stage_names()
    return names.index(stage) <= names.index(until)


def layer(name: str) -> Layer:
    return next(x for x in LAYERS if x.name == name)


def annotation_layers(until: str) -> list[Layer]:
    """The second-pass layers up to stage `until`, in build order."""
    return [x for x in LAYERS if x.run is not None and runs(x.name, until)]


def published_tables(until: str | None = None) -> tuple[str, ...]:
    """The tables of the layers up to `until` (every layer when None), then the failures table."""
    return tuple(t for x in LAYERS if until is None or runs(x.name, until) for t in x.produces) + (FAILURES,)


def tool_versions(stages_run: list[str]) -> dict:
    """The versions of Python, the package and what each stage run used."""
    tools = {"python": platform.python_version(), "corpus": version("china-digital-governance-corpus"),
             "pandas": version("pandas"), "pyarrow": version("pyarrow")}
    for x in LAYERS:
        if x.name in stages_run:
            tools.update(x.tools())
    return tools


def check_tables() -> None:
    """CorpusError unless each table a layer produces has its schema naming that layer, and each schema's
    layer produces its table."""
    problems, names = [], table_names()
    for x in LAYERS:
        for table in x.produces:
            if table not in names:
                problems.append(f"layer {x.name!r} produces {table!r}, which has no schema/{table}.json")
            elif table_schema(table).get("layer") != x.name:
                problems.append(f"schema/{table}.json: 'layer' is {table_schema(table).get('layer')!r}, but layer "
                                f"{x.name!r} produces it")
    produced = {t: x.name for x in LAYERS for t in x.produces}
    problems += [f"schema/{t}.json: its layer {table_schema(t).get('layer')!r} is not registered (pipeline/layers.py)"
                 for t in names if t not in produced and t != FAILURES]
    if problems:
        raise CorpusError("; ".join(problems))
