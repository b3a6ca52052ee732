"""A release that the standard validators accept, that ships only texts that may be redistributed, with a card
that says what each table holds, what it names of persons, and what the build inferred, flagged and failed."""

import collections
import importlib.util
import json
import re
import shutil
import tomllib
from pathlib import Path

import pandas as pd
import yaml

from corpus.config import BUNDLED_SOURCES

ROOT = Path(__file__).resolve().parents[1]


def _validator():
    spec = importlib.util.spec_from_file_location("validate_release", ROOT / "tools" / "validate_release.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_validator_accepts_a_freshly_built_release(seed_release, capsys):
    """frictionless, the Data Package v2 rules, mlcroissant, datasets per config, cffconvert, the card."""
    assert _validator().main([str(seed_release)]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "FAIL" not in out and "all checks passed" in out
    for check in ("manifest", "datapackage", "schema", "croissant", "huggingface", "citation", "card"):
        assert f"ok   {check}:" in out


def test_the_validators_catch_what_0_3_0_got_wrong(seed_release, tmp_path):
    """The faults the issue found in 0.3.0, put back into a fresh release, each fail their check."""
    validator = _validator()
    package = json.loads((seed_release / "datapackage.json").read_text())
    old = json.loads(json.dumps(package))
    del old["$schema"]
    old["contributors"] = [{"title": "X", "role": "author"}]
    old["resources"][0]["schema"]["foreignKeys"] = []
    fields = {f["name"]: f for r in old["resources"] for f in r["schema"]["fields"] if r["name"] == "citations"}
    fields["note_number"]["type"] = "number"
    problems = "; ".join(validator.datapackage_v2_problems(old, seed_release))
    for fault in ("$schema", "'role' is Data Package v1", "foreignKeys: must not be empty",
                  "note_number: type 'number', the Parquet column is integer"):
        assert fault in problems
    assert not validator.datapackage_v2_problems(package, seed_release)
    import jsonschema  # the official v2 profile (dplib-py's copy) rejects the 0.3.0 faults too

    profile = jsonschema.Draft7Validator(json.loads(validator.official_profile().read_text()))
    assert not list(profile.iter_errors(package))
    assert {e.path[-1] if e.path else e.validator for e in profile.iter_errors(old)} >= {"foreignKeys"}
    header, _ = validator.card_header(seed_release)
    wrong = {**header, "size_categories": ["n>1T"], "license_link": "", "task_categories": ["parsing"],
             "configs": [{**c, "default": False} for c in header["configs"]]}
    problems = "; ".join(validator.hf_header_problems(wrong, seed_release))
    for fault in ("size_categories", "license_link", "'parsing' is not a Hub task", "default"):
        assert fault in problems


def test_empty_tables_are_left_out_of_the_hub_configs_and_named_in_the_card(seed_release):
    manifest = json.loads((seed_release / "manifest.json").read_text())
    rows = {t: manifest["files"][f"{t}.parquet"]["rows"] for t in manifest["tables"]}
    text = (seed_release / "README.md").read_text()
    header = yaml.safe_load(text.split("---\n")[1])
    configs = [c["config_name"] for c in header["configs"]]
    assert configs == [t for t in manifest["tables"] if rows[t]] and [t for t in rows if not rows[t]]
    assert [c["config_name"] for c in header["configs"] if c.get("default")] == ["documents"]
    for table in manifest["tables"]:
        section = text.split(f"### `{table}`\n", 1)[1].split("\n### ", 1)[0]
        assert f"Rows: {rows[table]};" in section
        assert ("left out of the Hub's `configs`" in section) == (not rows[table])
        assert ("Two example rows" in section) == bool(rows[table])


def test_the_card_counts_persons_and_what_the_build_inferred(seed_release):
    text = (seed_release / "README.md").read_text()
    entities = pd.read_parquet(seed_release / "entities.parquet")
    persons = entities[entities["label"] == "PERSON"]
    assert (f"holds {len(persons)} PERSON mentions of {persons['normalized'].nunique()} distinct persons "
            f"(by `normalized`) in {persons['doc_id'].nunique()} documents") in text
    documents = pd.read_parquet(seed_release / "documents.parquet")
    kept = documents[documents["status"] != "rejected"]
    row = re.search(r"\| `published` \| (\d+) \| (\d+) \| (\d+) \|", text)
    assert [int(n) for n in row.groups()] == [int(kept["published"].notna().sum()), 0, int(kept["published"].isna().sum())]
    for heading in ("## Bias, Risks, and Limitations", "### Recommendations", "### Personal and Sensitive Information"):
        assert heading in text


def test_citation_bib_names_the_version_and_keeps_a_collective_author_whole(seed_release):
    from cffconvert import Citation

    bib = (seed_release / "CITATION.bib").read_text()
    cff = yaml.safe_load((seed_release / "CITATION.cff").read_text())
    key = re.match(r"@misc\{(\w+),", bib).group(1)
    assert key == "china_digital_governance_corpus_0_1_0"
    assert "author = {{China Digital Governance Corpus contributors}}" in bib and "version = {0.1.0}" in bib
    assert f"year = {{{cff['date-released'][:4]}}}" in bib
    assert key in Citation((seed_release / "CITATION.cff").read_text()).as_bibtex(reference=key)
    assert "```bibtex\n" + bib in (seed_release / "README.md").read_text()


def test_license_file_counts_each_documents_licence(seed_release):
    documents = pd.read_parquet(seed_release / "documents.parquet")
    text = (seed_release / "LICENSE.md").read_text()
    for licence, n in documents["license"].value_counts().items():
        assert f"| {n} | {licence} |" in text


def test_a_first_build_compares_with_the_bundled_release_of_the_same_corpus(seed_release, tmp_path, monkeypatch):
    from corpus.pipeline import publish

    bundled = tmp_path / "bundled"
    shutil.copytree(seed_release, bundled / "0.1.0")
    monkeypatch.setattr(publish, "BUNDLED_RELEASES", bundled)
    fresh = tmp_path / "out"
    fresh.mkdir()
    name = json.loads((seed_release / "manifest.json").read_text())["config"]["corpus"]["name"]
    assert publish._previous_release(fresh, "0.2.0", name) == bundled / "0.1.0"
    assert publish._previous_release(fresh, "0.2.0", "another-corpus") is None  # a user's own corpus
    assert publish._previous_release(fresh, "0.1.0", name) is None
    shutil.copytree(seed_release, fresh / "0.0.9")
    assert publish._previous_release(fresh, "0.2.0", name) == fresh / "0.0.9"  # --out first


def test_every_bundled_source_carries_a_licence_that_allows_redistribution():
    entries = tomllib.loads((BUNDLED_SOURCES / "sources.toml").read_text(encoding="utf-8"))["document"]
    files = {p.name for p in BUNDLED_SOURCES.iterdir() if p.suffix != ".toml"}
    assert {e["file"] for e in entries} == files
    licences = collections.Counter(e.get("license") for e in entries)
    assert None not in licences
    for word in ("research", "copyright of", "unknown", "none:"):
        assert not any(word in lic.lower() for lic in licences), word
    # LICENSE-DATA.md states the same counts
    table = dict((lic, int(n)) for n, lic in re.findall(r"^\| (\d+) \| (.+?) \|$", (ROOT / "LICENSE-DATA.md").read_text(), re.M))
    assert table == dict(licences)


def test_the_package_ships_no_release_that_holds_research_use_texts():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    excluded = pyproject["tool"]["setuptools"]["exclude-package-data"]["corpus.releases"]
    manifest_in = (ROOT / "MANIFEST.in").read_text()
    for release in sorted((ROOT / "corpus" / "releases").glob("[0-9]*")):
        licences = pd.read_parquet(release / "documents.parquet", columns=["license"])["license"].dropna()
        research = licences.str.contains("research only|Unknown|None:", regex=True).any()
        assert research == (f"{release.name}/*" in excluded), release.name
        assert research == (f"prune corpus/releases/{release.name}" in manifest_in), release.name
    assert pyproject["project"]["license"] == "MIT"
    assert set(pyproject["project"]["license-files"]) == {"LICENSE", "LICENSE-DATA.md"}
