import json

from corpus.config import BUNDLED_RELEASES
from corpus.manifest import sha256_file

RELEASE = BUNDLED_RELEASES / "0.1.0"


def test_croissant_loads_every_record_set_with_hashes():
    import mlcroissant as mlc

    doc = json.loads((RELEASE / "croissant.json").read_text())
    for obj in doc["distribution"]:
        assert obj["sha256"] == sha256_file(RELEASE / obj["contentUrl"])
    dataset = mlc.Dataset(jsonld=str(RELEASE / "croissant.json"))
    manifest = json.loads((RELEASE / "manifest.json").read_text())
    for record_set in doc["recordSet"]:
        rows = sum(1 for _ in dataset.records(record_set=record_set["name"]))
        assert rows == manifest["files"][f"{record_set['name']}.parquet"]["rows"]


def test_datapackage_validates_types_and_keys():
    from frictionless import validate

    report = validate(str(RELEASE / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    doc = json.loads((RELEASE / "datapackage.json").read_text())
    assert {r["name"]: r["schema"]["primaryKey"] for r in doc["resources"]}["paragraphs"] == ["paragraph_id"]
    assert any(r["schema"]["foreignKeys"] for r in doc["resources"])
