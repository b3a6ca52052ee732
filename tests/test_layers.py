"""Layers are registered units: each stage module declares its Layer; adding one is its module, its schema
file (naming the layer) and its place in LAYERS: the card, the baselines, the manifest and the site pick it up."""

import importlib
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from corpus import tables
from corpus.config import BuildConfig
from corpus.executor import build
from corpus.errors import ConfigError, CorpusError
from corpus.pipeline import layers
from corpus.pipeline.layers import LAYERS
from corpus.site import write_site

TOY = Path(__file__).resolve().parent / "data" / "toy_layer"


@pytest.fixture
def toy_layer(tmp_path, monkeypatch):
    """The toy layer of tests/data/toy_layer (its module and its schema) registered after segment: its
    place in LAYERS is the one line of the package that adding a layer changes."""
    schema = tmp_path / "schema"
    shutil.copytree(tables.schema_dir(), schema)
    shutil.copy(TOY / "toy.json", schema / "toy.json")
    monkeypatch.setattr(tables, "schema_dir", lambda: schema)
    monkeypatch.syspath_prepend(str(TOY))
    toy_layer = importlib.import_module("toy_layer")
    at = layers.stage_names().index("segment") + 1
    monkeypatch.setattr(layers, "LAYERS", layers.LAYERS[:at] + [toy_layer.LAYER] + layers.LAYERS[at:])
    return toy_layer


def test_a_toy_layer_appears_in_the_release_card_baselines_figures_and_site(toy_layer, tmp_path):
    layers.check_tables()
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "a.md").write_text("# A report\n\nFirst paragraph of it.\n\nA second, longer paragraph here.\n")
    (sources / "b.txt").write_text("Another document with one paragraph only.\n")
    result = build(BuildConfig(sources=sources, out=tmp_path / "out", version="1.0.0", until="toy"))

    counted, paragraphs = result.tables["toy"], result.tables["paragraphs"]
    assert dict(zip(counted["paragraph_id"], counted["chars"])) == dict(
        zip(paragraphs["paragraph_id"], paragraphs["text"].str.len()))
    assert "spans" not in result.tables  # --until toy: language and later layers did not run
    manifest = json.loads((result.release / "manifest.json").read_text())
    assert manifest["tables"][-2:] == ["toy", "failures"] and manifest["tools"]["toy-tool"] == "1"
    card = (result.release / "README.md").read_text(encoding="utf-8")
    assert f"### toy\n\n{len(counted)} paragraphs counted; {counted['chars'].sum()} characters." in card
    assert "![Characters per document](figures/toy_sizes.png)" in card
    assert (result.release / "figures" / "toy_sizes.png").read_bytes().startswith(b"\x89PNG")
    sizes = pd.read_csv(result.release / "baselines" / "toy_sizes.csv")
    assert dict(zip(sizes["doc_id"], sizes["chars"])) == counted.groupby("doc_id")["chars"].sum().to_dict()

    site = write_site(result.release, tmp_path / "site")
    a = result.tables["documents"].set_index("source_file").loc["a.md", "doc_id"]
    page = (site.out / "documents" / f"{a}.html").read_text(encoding="utf-8")
    marked = re.findall(r'<span class="toy" data-chars="(\d+)">', page)
    assert sorted(map(int, marked)) == sorted(counted.loc[counted["doc_id"] == a, "chars"])
    assert '<input type="checkbox" value="toy" checked> Paragraph lengths</label>' in page
    assert (site.out / "figures" / "toy_sizes.png").is_file()


def test_the_stage_list_and_table_contract_come_from_the_registry():
    from corpus.cli import _parser

    assert layers.stage_names() == tuple(x.name for x in LAYERS)
    layers.check_tables()  # each produced table has its schema, naming the layer that produces it
    assert set(tables.TABLES) == set(layers.published_tables())
    until = next(a for a in _parser()._subparsers._group_actions[0].choices["build"]._actions if a.dest == "until")
    assert tuple(until.choices) == layers.stage_names()
    with pytest.raises(ConfigError, match="unknown stage 'toy'"):
        build(BuildConfig(until="toy"))
    assert isinstance(tables.frame("failures", []), pd.DataFrame)


def test_a_schema_whose_layer_is_not_registered_is_named(tmp_path, monkeypatch):
    schema = tmp_path / "schema"
    shutil.copytree(tables.schema_dir(), schema)
    shutil.copy(TOY / "toy.json", schema / "toy.json")
    monkeypatch.setattr(tables, "schema_dir", lambda: schema)
    with pytest.raises(CorpusError, match=r"schema/toy.json: its layer 'toy' is not registered"):
        layers.check_tables()
