"""A user's own corpus, with its own configuration, gets a card, citation, Croissant and Data Package
that say only true things about it; the bundled corpus's prose stays with the bundled sources."""

import datetime
import json

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.card import card_template
from corpus.config import BUNDLED_SOURCES, BuildConfig
from corpus.corpus_toml import read_corpus_info
from corpus.errors import SourcesError
from corpus.manifest import sha256_file
from corpus.metadata import describe
from corpus.executor import build

CORPUS_TOML = '''
name = "grid-notes"
pretty_name = "Grid Notes"
description = "Field notes on grid management in two districts."
license = "CC-BY-4.0"
homepage = "https://example.org/grid-notes"
authors = ["Ada Researcher", "Bo Li"]
keywords = ["grid-management"]
date = 2025-03-01

[card]
motivation = "We wanted to compare how two districts describe their grid managers."
'''
SOURCES_TOML = '''
[[document]]
file = "a.md"
title = "Notes from Zhengzhou"
license = "CC-BY-4.0"
published = "2024-11"

[[document]]
file = "b.txt"
license = "Copyright Bo Li; shared with permission"
'''
# Sentences of the bundled corpus's own card that must never reach another corpus's release.
BUNDLED_ONLY = ["China Digital Governance Corpus", "state organs", "17 U.S.C.", "0.4.0 (2026)", "2026-12-06", "MIT",
                "Government Work Reports"]


@pytest.fixture(scope="module")
def user_release(tmp_path_factory):
    sources = tmp_path_factory.mktemp("user") / "notes"
    sources.mkdir()
    (sources / "corpus.toml").write_text(CORPUS_TOML)
    (sources / "sources.toml").write_text(SOURCES_TOML)
    (sources / "a.md").write_text("# Notes from Zhengzhou\n\nGrid managers (网格员) walk the district every morning. "
                                  "They report to the street office.\n")
    (sources / "b.txt").write_text("Grid managers in Chengdu report to the community committee every week.\n")
    config = BuildConfig(sources=sources, out=tmp_path_factory.mktemp("out"))
    return build(config).release


def _card(release):
    text = (release / "README.md").read_text()
    _, header, body = text.split("---\n", 2)
    return yaml.safe_load(header), body


def test_card_yaml_and_prose_describe_the_users_corpus(user_release):
    header, body = _card(user_release)
    assert header["pretty_name"] == "Grid Notes" and header["license"] == "cc-by-4.0"
    assert header["language"] == ["en"] and header["multilinguality"] == "monolingual"  # from the documents
    assert header["size_categories"] == ["n<1K"] and header["tags"] == ["grid-management"]
    assert body.startswith("<!-- begin:title -->\n# Grid Notes — data card")
    assert "compare how two districts" in body and "Field notes on grid management" in body
    assert "[CC-BY-4.0](https://spdx.org/licenses/CC-BY-4.0.html)" in body
    assert "| Copyright Bo Li; shared with permission | 1 |" in body
    assert "Not stated in this corpus's configuration (`[card] uses`" in body
    for sentence in BUNDLED_ONLY:
        assert sentence not in body, sentence


def test_citation_cff_comes_from_the_configuration(user_release):
    cff = yaml.safe_load((user_release / "CITATION.cff").read_text())
    assert cff["title"] == "Grid Notes" and cff["version"] == "0.1.0" and cff["type"] == "dataset"
    assert [a["name"] for a in cff["authors"]] == ["Ada Researcher", "Bo Li"]
    assert cff["license"] == "CC-BY-4.0" and cff["date-released"] == "2025-03-01"
    assert "Ada Researcher, Bo Li. Grid Notes, version 0.1.0 (2025)." in cff["message"]


def test_croissant_describes_the_corpus_and_loads_every_record_set(user_release):
    import mlcroissant as mlc

    doc = json.loads((user_release / "croissant.json").read_text())
    assert doc["name"] == "grid-notes" and doc["license"] == "https://spdx.org/licenses/CC-BY-4.0.html"
    assert doc["datePublished"] == "2025-03-01" and doc["url"] == "https://example.org/grid-notes"
    assert [c["name"] for c in doc["creator"]] == ["Ada Researcher", "Bo Li"] and doc["inLanguage"] == ["en"]
    for obj in doc["distribution"]:
        assert obj["sha256"] == sha256_file(user_release / obj["contentUrl"])
    dataset = mlc.Dataset(jsonld=str(user_release / "croissant.json"))
    manifest = json.loads((user_release / "manifest.json").read_text())
    for record_set in doc["recordSet"]:
        rows = sum(1 for _ in dataset.records(record_set=record_set["name"]))
        assert rows == manifest["files"][f"{record_set['name']}.parquet"]["rows"]


def test_datapackage_validates_and_carries_each_documents_licence(user_release):
    # frictionless (descriptor and every row) and the Data Package v2 rules: tools/validate_release.py
    from test_release import _validator

    validator = _validator()
    valid, what = validator._frictionless(user_release)
    assert valid, what
    doc = json.loads((user_release / "datapackage.json").read_text())
    assert not validator.datapackage_v2_problems(doc, user_release)
    doc = json.loads((user_release / "datapackage.json").read_text())
    assert doc["name"] == "grid-notes" and doc["title"] == "Grid Notes"
    assert doc["licenses"] == [{"name": "CC-BY-4.0", "path": "https://spdx.org/licenses/CC-BY-4.0.html"}]
    resources = {r["name"]: r for r in doc["resources"]}
    assert resources["paragraphs"]["schema"]["primaryKey"] == ["paragraph_id"]
    assert any(r["schema"].get("foreignKeys") for r in doc["resources"])
    assert doc["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert doc["contributors"] == [{"title": "Ada Researcher", "roles": ["author"]}, {"title": "Bo Li", "roles": ["author"]}]
    assert all(r["schema"].get("foreignKeys", [1]) for r in doc["resources"])  # no empty list (v2 schema)
    fields = {f["name"]: f["type"] for f in resources["citations"]["schema"]["fields"]}
    assert fields["note_number"] == "integer"  # as in Parquet and croissant.json, though it has nulls
    licences = {d["source_file"]: d["license"] for d in resources["documents"]["documentLicenses"]}
    assert licences == {"a.md": "CC-BY-4.0", "b.txt": "Copyright Bo Li; shared with permission"}


def test_manifest_records_the_corpus_configuration(user_release):
    manifest = json.loads((user_release / "manifest.json").read_text())
    assert manifest["config"]["corpus"]["license"] == "CC-BY-4.0"
    assert manifest["config"]["corpus"]["authors"] == ["Ada Researcher", "Bo Li"]


def test_date_comes_from_the_documents_when_not_configured():
    documents = pd.DataFrame({"doc_id": ["1", "2", "3"], "source_file": ["a", "b", "c"], "license": [None] * 3,
                              "status": ["built", "built", "rejected"], "language": ["en", "zh-Hans", None],
                              "published": ["2023-06", "2024-01-05", "2030"]})
    desc = describe({"name": "x", "pretty_name": "X"}, "1.0.0", documents)
    assert (desc.date, desc.date_source) == ("2024-01-05", "documents")  # a rejected file dates nothing
    assert desc.languages == ("en", "zh") and desc.license == "unknown"
    assert desc.citation == "X, version 1.0.0 (2024)."


def test_citation_cff_carries_date_released_when_the_configured_date_is_partial():
    from corpus.metadata import citation_cff

    documents = pd.DataFrame({"doc_id": ["1", "2"], "source_file": ["a", "b"], "license": [None] * 2,
                              "status": ["built", "built"], "language": ["en", "en"],
                              "published": ["2023-06-30", "2024-01"]})
    desc = describe({"name": "x", "pretty_name": "X", "date": "2024"}, "1.0.0", documents)
    assert 'date-released: "2023-06-30"' in citation_cff(desc)


def test_corpus_table_in_sources_toml_and_its_errors(tmp_path):
    (tmp_path / "sources.toml").write_text('[corpus]\npretty_name = "My Notes"\nlicense = "CC0-1.0"\n')
    info = read_corpus_info(tmp_path)
    assert (info.name, info.pretty_name, info.license) == ("my-notes", "My Notes", "CC0-1.0")
    (tmp_path / "corpus.toml").write_text('name = "x"\n')
    with pytest.raises(SourcesError, match="both describe the corpus"):
        read_corpus_info(tmp_path)
    (tmp_path / "sources.toml").unlink()
    (tmp_path / "corpus.toml").write_text('licence = "CC0-1.0"\nauthors = 3\n[card]\nabout = "x"\n')
    with pytest.raises(SourcesError) as e:
        read_corpus_info(tmp_path)
    assert len(e.value.problems) == 3 and "unknown key 'licence'" in e.value.problems[0]


def test_without_configuration_the_corpus_is_named_after_its_folder(tmp_path):
    folder = tmp_path / "My Scrape"
    folder.mkdir()
    info = read_corpus_info(folder)
    assert (info.name, info.pretty_name, info.license) == ("my-scrape", "My Scrape", "unknown")


def test_the_package_template_says_nothing_about_the_bundled_corpus():
    template = card_template()
    for sentence in BUNDLED_ONLY:
        assert sentence not in template, sentence
    assert "Government Work Reports" in (BUNDLED_SOURCES / "corpus.toml").read_text()


def test_the_bundled_card_keeps_its_own_prose(seed_release):
    header, body = _card(seed_release)
    assert header["pretty_name"] == "China Digital Governance Corpus" and header["license"] == "other"
    assert "Every text in this release may be redistributed." in body
    cff = yaml.safe_load((seed_release / "CITATION.cff").read_text())
    assert cff["date-released"] == read_corpus_info(BUNDLED_SOURCES).date  # the bundled corpus.toml's date


# Numbers the card's fixed text may state because they are the same in every release: the names of
# standards and data sets (ISO 15924, BCP-47, SHA-256, Croissant 1.0, People's Daily 1998), method constants
# the code defines (5-gram shingles and 0.8 coverage in dedup, 0.5 Jaccard in reuse, BM25 k1 = 1.5 and b = 0.75 and its top 5,
# 5,000-character model pieces, 256 MB shards, the 20,000,000-byte default of --max-bytes, 16 hex digits
# of a doc_id), list markers (1) to (4), and
# the version a table first appeared in. Never a measured figure.
_DEFINITIONS = {"15924", "47", "256", "1.0", "1998", "5", "0.8", "0.5", "1.5", "0.75", "5,000", "16", "1", "2", "3", "4",
                "0.3.0", "20,000,000"}
_NUMBER = r"(?<![\w.,\-/<:])\d+(?:[.,]\d+)*(?![\w\-])"


def _numbers(text):
    import re

    return re.findall(_NUMBER, re.sub(r"`[^`\n]*`", "", text))


def _release_numbers(release):
    """Every number the release's own files state: manifest (config, tools, row counts), baselines, tables,
    and the descriptions of its tables' columns in schema/ (the card lists them)."""
    import csv

    from corpus.tables import table_schema

    import pyarrow.parquet as pq

    import re

    manifest = (release / "manifest.json").read_text()
    found = set(_numbers(manifest)) | set(re.findall(r"\b\d{4}(?=-\d\d)", manifest))  # a date's year
    for path in sorted((release / "baselines").glob("*.csv")):
        with path.open(newline="") as fh:
            found |= {n for row in csv.reader(fh) for cell in row for n in _numbers(cell)}
    for path in sorted(release.glob("*.parquet")):
        for column in pq.read_table(path).to_pydict().values():
            found |= {n for v in column if v is not None for n in _numbers(str(v))}
    for table in json.loads(manifest)["tables"]:
        schema = table_schema(table)
        found |= {n for text in [schema["description"]] + [f["description"] for f in schema["fields"]]
                  for n in _numbers(text)}
    return found | {n.replace(",", "") for n in found}


def test_every_number_in_the_card_comes_from_the_release(user_release):
    """The card's generated blocks state only numbers of this release; its fixed text only definitions."""
    import re

    _, body = _card(user_release)
    derived = _release_numbers(user_release)
    blocks = re.findall(r"<!-- begin:(\w+) -->(.*?)<!-- end:\1 -->", body, flags=re.S)
    alien = {(name, n) for name, text in blocks for n in _numbers(text) if n not in derived and n.replace(",", "") not in derived}
    assert not alien
    fixed = re.sub(r"<!-- begin:(\w+) -->.*?<!-- end:\1 -->", "", body, flags=re.S)
    assert set(_numbers(fixed)) <= _DEFINITIONS


def test_a_hand_copied_figure_in_the_template_fails_the_check():
    import re

    fixed = re.sub(r"<!-- begin:(\w+) -->.*?<!-- end:\1 -->", "", card_template(), flags=re.S)
    assert set(_numbers(fixed)) <= _DEFINITIONS
    assert not set(_numbers(fixed + "\nlanguage accuracy 0.987 (langdetect 0.992)\n")) <= _DEFINITIONS


@pytest.mark.parametrize("written, spdx", [("CC BY 4.0", "CC-BY-4.0"), ("CC-BY-SA 3.0", "CC-BY-SA-3.0"),
                                           ("cc by-nc-nd 4.0 international", "CC-BY-NC-ND-4.0"),
                                           ("CC0 1.0", "CC0-1.0"), ("Apache 2.0", "Apache-2.0"), ("MIT", "MIT"),
                                           ("other", "other"), ("Unknown", "unknown")])
def test_licence_strings_map_to_spdx(written, spdx, tmp_path):
    (tmp_path / "corpus.toml").write_text(f'pretty_name = "X"\nlicense = "{written}"\n')
    assert read_corpus_info(tmp_path).license == spdx


def test_a_licence_that_is_no_spdx_id_is_a_one_line_error(tmp_path):
    (tmp_path / "corpus.toml").write_text('pretty_name = "X"\nlicense = "All rights reserved"\n')
    with pytest.raises(SourcesError) as err:
        read_corpus_info(tmp_path)
    assert "\n" not in str(err.value) and "SPDX" in str(err.value) and "license_text" in str(err.value)


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=datetime.date(1, 1, 1)), st.sampled_from(["year", "month", "day"]))
def test_parse_date_round_trips_every_real_date_at_each_precision(date, precision):
    from corpus.metadata import parse_date

    text = date.isoformat()[:{"year": 4, "month": 7, "day": 10}[precision]]
    parsed, got = parse_date(text)
    assert got == precision and parsed.isoformat().startswith(text)
    assert parsed == date.replace(**{"year": {"month": 1, "day": 1}, "month": {"day": 1}, "day": {}}[precision])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 9999), st.integers(1, 12), st.integers(1, 31))
def test_parse_date_refuses_exactly_the_impossible_days(year, month, day):
    from corpus.metadata import parse_date

    text = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        datetime.date(year, month, day)
    except ValueError:
        with pytest.raises(ValueError, match=text):
            parse_date(text)
    else:
        assert parse_date(text) == (datetime.date(year, month, day), "day")
