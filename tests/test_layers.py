"""Layers are registered units: each stage module declares its Layer; adding one is its module, its schema
file (naming the layer) and its place in LAYERS."""

import json
import shutil

import pandas as pd
import pytest

from corpus import tables
from corpus.config import BuildConfig
from corpus.executor import build
from corpus.errors import ConfigError, CorpusError
from corpus.pipeline import layers
from corpus.pipeline.layers import LAYERS

TOY_SCHEMA = {
    "name": "toy", "layer": "toy", "description": "Characters per paragraph.", "primaryKey": ["paragraph_id"],
    "foreignKeys": [{"fields": ["doc_id"], "reference": {"resource": "documents", "fields": ["doc_id"]}}],
    "fields": [{"name": "paragraph_id", "type": "string", "description": "Paragraph.", "constraints": {"required": True}},
               {"name": "doc_id", "type": "string", "description": "Document.", "constraints": {"required": True}},
               {"name": "chars", "type": "integer", "description": "Its length.", "since": "0.3.0"}],
}


def toy(t, config):  # the layer's one public function: {table: rows} in, {table: rows} out
    paragraphs = t["paragraphs"]
    return {"toy": tables.frame("toy", [{"paragraph_id": p, "doc_id": d, "chars": len(x)} for p, d, x in
                                        zip(paragraphs["paragraph_id"], paragraphs["doc_id"], paragraphs["text"])])}


def test_a_registered_toy_layer_builds_its_table(tmp_path, monkeypatch):
    schema = tmp_path / "schema"
    shutil.copytree(tables.schema_dir(), schema)
    (schema / "toy.json").write_text(json.dumps(TOY_SCHEMA), encoding="utf-8")
    monkeypatch.setattr(tables, "schema_dir", lambda: schema)
    at = layers.stage_names().index("segment") + 1
    record = layers.Layer("toy", needs=("paragraphs",), produces=("toy",), run=toy, tools=lambda: {"toy-tool": "1"},
                          card=lambda t, b: {"toy": f"{len(t['toy'])} paragraphs counted.\n"},
                          baselines=lambda t: {"toy_sizes": t["toy"].groupby("doc_id")["chars"].sum().reset_index()})
    monkeypatch.setattr(layers, "LAYERS", layers.LAYERS[:at] + [record] + layers.LAYERS[at:])

    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "a.md").write_text("# A report\n\nFirst paragraph of it.\n\nA second, longer paragraph here.\n")
    (sources / "b.txt").write_text("Another document with one paragraph only.\n")
    result = build(BuildConfig(sources=sources, out=tmp_path / "out", version="1.0.0", until="toy"))

    counted = result.tables["toy"]
    paragraphs = result.tables["paragraphs"]
    assert sorted(counted["paragraph_id"]) == sorted(paragraphs["paragraph_id"])
    assert dict(zip(counted["paragraph_id"], counted["chars"])) == dict(
        zip(paragraphs["paragraph_id"], paragraphs["text"].str.len()))
    assert "spans" not in result.tables  # --until toy: language and later layers did not run
    manifest = json.loads((result.release / "manifest.json").read_text())
    assert manifest["tables"][-2:] == ["toy", "failures"] and manifest["tools"]["toy-tool"] == "1"
    assert f"### toy\n\n{len(counted)} paragraphs counted." in (result.release / "README.md").read_text(encoding="utf-8")
    assert (result.release / "baselines" / "toy_sizes.csv").is_file()


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
    (schema / "toy.json").write_text(json.dumps(TOY_SCHEMA), encoding="utf-8")
    monkeypatch.setattr(tables, "schema_dir", lambda: schema)
    with pytest.raises(CorpusError, match=r"schema/toy.json: its layer 'toy' is not registered"):
        layers.check_tables()
