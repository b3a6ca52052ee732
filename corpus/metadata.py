"""Machine-readable metadata of a release: MLCommons Croissant 1.0 (`croissant.json`) and a Frictionless
Data Package (`datapackage.json`), both generated from `schema/` and the release's file checksums."""

from __future__ import annotations

import json

from .manifest import table_files
from .tables import table_schema

__all__ = ["croissant", "datapackage"]

_CROISSANT_TYPES = {"string": "sc:Text", "integer": "sc:Integer", "number": "sc:Float", "boolean": "sc:Boolean"}
_CONTEXT = {
    "@language": "en", "@vocab": "https://schema.org/", "citeAs": "cr:citeAs", "column": "cr:column",
    "conformsTo": "dct:conformsTo", "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"}, "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/", "examples": {"@id": "cr:examples", "@type": "@json"}, "extract": "cr:extract",
    "field": "cr:field", "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject", "fileSet": "cr:fileSet",
    "format": "cr:format", "includes": "cr:includes", "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath",
    "key": "cr:key", "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path", "recordSet": "cr:recordSet",
    "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated", "replace": "cr:replace",
    "sc": "https://schema.org/", "separator": "cr:separator", "source": "cr:source", "subField": "cr:subField",
    "transform": "cr:transform", "equivalentProperty": "cr:equivalentProperty", "samplingRate": "cr:samplingRate",
}
_DESCRIPTION = ("English-language writing on digital governance in China with the Chinese it quotes: documents, "
                "sections, paragraphs, sentences, inline Chinese spans, named entities, citations, parsed notes and "
                "an English-Chinese glossary, with exact character offsets.")


def croissant(version: str, tables: list[str], files: dict[str, dict]) -> str:
    """croissant.json text: one FileObject (with SHA-256) and one RecordSet per table."""
    distribution, record_sets = [], []
    for table in tables:
        shards = table_files(files, table)
        name = shards[0] if len(shards) == 1 else table
        distribution += [{"@type": "cr:FileObject", "@id": shard, "name": shard, "contentUrl": shard,
                          "encodingFormat": "application/x-parquet", "sha256": files[shard]["sha256"]}
                         for shard in shards]
        if len(shards) > 1:  # a sharded table: one FileSet over its shards
            distribution.append({"@type": "cr:FileSet", "@id": table, "name": table, "includes": f"{table}/*.parquet",
                                 "encodingFormat": "application/x-parquet"})
        schema = table_schema(table)
        record_sets.append({
            "@type": "cr:RecordSet", "@id": table, "name": table, "description": schema["description"],
            "key": [{"@id": f"{table}/{k}"} for k in schema["primaryKey"]],
            "field": [{"@type": "cr:Field", "@id": f"{table}/{f['name']}", "name": f["name"],
                       "description": f["description"], "dataType": _CROISSANT_TYPES[f["type"]],
                       "source": {("fileObject" if len(shards) == 1 else "fileSet"): {"@id": name},
                                  "extract": {"column": f["name"]}}}
                      for f in schema["fields"]],
        })
    doc = {"@context": _CONTEXT, "@type": "sc:Dataset", "conformsTo": "http://mlcommons.org/croissant/1.0",
           "name": "china-digital-governance-corpus", "description": _DESCRIPTION, "version": version,
           "license": "Annotations and code: MIT. Article texts: copyright of their publishers, bundled for "
                      "non-commercial research only (see DATACARD.md).",
           "url": "https://pypi.org/project/china-digital-governance-corpus/",
           "citeAs": f"China Digital Governance Corpus, version {version}.", "datePublished": "2026-11-24",
           "distribution": distribution, "recordSet": record_sets}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _package_field(field: dict) -> dict:
    out = {k: v for k, v in field.items() if k in ("name", "type", "description", "constraints")}
    if field["type"] == "integer" and not field.get("constraints", {}).get("required"):
        # Readers that go through pandas see a nullable integer column as floats (2.0): declare it a number.
        out["type"] = "number"
    return out


def datapackage(version: str, tables: list[str], files: dict[str, dict]) -> str:
    """datapackage.json text: one tabular resource per table with its schema, primary and foreign keys."""
    resources = []
    for table in tables:
        schema = table_schema(table)
        fields = [_package_field(f) for f in schema["fields"]]
        foreign = [fk for fk in schema.get("foreignKeys", []) if fk["reference"]["resource"] in tables]
        shards = table_files(files, table)
        # a sharded table is a multipart resource (its paths in order), which has no single hash
        single = {"hash": f"sha256:{files[shards[0]]['sha256']}"} if len(shards) == 1 else {}
        resources.append({"name": table, "path": shards[0] if single else shards, "format": "parquet", "type": "table",
                          "description": schema["description"], **single,
                          "schema": {"fields": fields, "primaryKey": schema["primaryKey"],
                                     "foreignKeys": [{**fk, "reference": {**fk["reference"],
                                                      "resource": "" if fk["reference"]["resource"] == table else fk["reference"]["resource"]}}
                                                     for fk in foreign]}})
    doc = {"name": "china-digital-governance-corpus", "title": "China Digital Governance Corpus", "version": version,
           "description": _DESCRIPTION, "licenses": [{"name": "MIT", "path": "https://opensource.org/licenses/MIT",
                                                      "title": "Code and annotations; see DATACARD for the articles"}],
           "resources": resources}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
