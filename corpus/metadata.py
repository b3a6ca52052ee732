"""Machine-readable metadata of a release, generated from the corpus configuration (`corpus.toml`), the
release's documents and its file checksums: MLCommons Croissant 1.0 (`croissant.json`), a Frictionless
Data Package v2 (`datapackage.json`), a Citation File Format file (`CITATION.cff`), its BibTeX entry
(`CITATION.bib`) and the data licence (`LICENSE.md`).

Nothing here is a constant about one corpus: what the configuration leaves out is taken from the
documents (languages, date) or left out, never guessed.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass

import pandas as pd

from .errors import SourcesError
from .manifest import table_files
from .tables import table_schema

__all__ = ["Description", "describe", "croissant", "datapackage", "citation_cff", "bibtex", "bibtex_key",
           "license_file", "hf_card_header", "hf_configs", "spdx_license", "parse_date", "DATE_PRECISIONS", "DATAPACKAGE_PROFILE"]

# The Data Package v2 profile the package declares (`$schema`); v2 is what `type: table` and `roles` belong to.
DATAPACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"

_CROISSANT_TYPES = {"string": "sc:Text", "integer": "sc:Integer", "number": "sc:Float", "boolean": "sc:Boolean",
                    "date": "sc:Date"}
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
# An SPDX licence identifier; "other", "unknown" and free text are not.
_SPDX = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]*")
_NOT_SPDX = {"other", "unknown", "none", "noassertion"}
_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
# The precision of a date written YYYY, YYYY-MM or YYYY-MM-DD (documents.published_precision).
DATE_PRECISIONS = ("year", "month", "day")


def parse_date(value: str) -> tuple[datetime.date, str]:
    """A date written YYYY, YYYY-MM or YYYY-MM-DD: (its first day, its precision). A year or month alone
    stands for its first day (published_date), its precision saying how much of it is known.

    Raises ValueError saying why for anything else, and for impossible dates: year 0000, month 13,
    February 30th.
    """
    m = _DATE.fullmatch(value)
    if not m:
        raise ValueError(f"expected a date like 2023-06-01, 2023-06 or 2023, got {value!r}")
    year, month, day = (int(g) if g else None for g in m.groups())
    if year == 0:
        raise ValueError(f"{value!r} is no date: there is no year 0000")
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"{value!r} is no date: there is no month {month:02d}")
    try:
        date = datetime.date(year, month or 1, day or 1)
    except ValueError:
        raise ValueError(f"{value!r} is no date: {year:04d}-{month:02d} has no day {day:02d}") from None
    return date, DATE_PRECISIONS[sum(g is not None for g in m.groups()) - 1]


@dataclass(frozen=True)
class Description:
    """What a release says about itself, resolved from the configuration and the documents."""

    name: str
    pretty_name: str
    description: str
    version: str
    license: str                 # SPDX id, "other" or "unknown"
    license_text: str            # the licence statement when it is not an SPDX id
    languages: tuple[str, ...]
    homepage: str
    authors: tuple[str, ...]
    citation: str
    keywords: tuple[str, ...]
    date: str                    # YYYY[-MM[-DD]] or "" when neither configuration nor documents give one
    date_source: str             # "configuration", "documents" or ""
    task_categories: tuple[str, ...]  # Hugging Face task categories, as configured (none when not)
    documents: int               # documents built or kept as duplicates
    document_licenses: tuple[tuple[str, str, str | None], ...]  # (doc_id, source_file, license)
    # CITATION.cff's date-released (a full date): `date` when it is one, else the newest full date a
    # document was published; "" when there is none (a build date would make the release differ per run).
    released: str = ""

    @property
    def spdx(self) -> str | None:
        return self.license if is_spdx(self.license) else None


def is_spdx(license: str) -> bool:
    return bool(_SPDX.fullmatch(license)) and license.lower() not in _NOT_SPDX


# How people write the Creative Commons licences ("CC BY 4.0", "CC-BY-SA 3.0", "cc by-nc-nd 4.0 international"):
# SPDX spells them CC-BY-4.0, CC-BY-SA-3.0, CC-BY-NC-ND-4.0; CC0 1.0 is CC0-1.0.
_CC = re.compile(r"cc[\s_-]*(by(?:[\s_-]*(?:nc|sa|nd))*)[\s_-]*v?(\d\.\d)(?:[\s_-]*(?:international|generic|unported))?",
                 re.I)
_CC0 = re.compile(r"cc[\s_-]*0(?:[\s_-]*v?1\.0)?(?:[\s_-]*universal)?", re.I)
# Other licence names written with a space before the version ("Apache 2.0", "MPL 2.0"): SPDX joins them with '-'.
_SPACED = re.compile(r"(apache|mpl|epl)[\s_-]+v?(\d\.\d)", re.I)


def spdx_license(license: str, where: str = "corpus.toml") -> str:
    """The SPDX id of a licence string (`CC BY 4.0` -> `CC-BY-4.0`), `other`/`unknown` as given; anything
    else raises a SourcesError saying what to write (a licence statement goes in `license_text`)."""
    text = license.strip()
    if text.lower() in _NOT_SPDX or is_spdx(text):
        return text.lower() if text.lower() in _NOT_SPDX else text
    if m := _CC.fullmatch(text):
        return "CC-" + "-".join(p.upper() for p in re.split(r"[\s_-]+", m.group(1))) + "-" + m.group(2)
    if _CC0.fullmatch(text):
        return "CC0-1.0"
    if m := _SPACED.fullmatch(text):
        return {"apache": "Apache"}.get(m.group(1).lower(), m.group(1).upper()) + "-" + m.group(2)
    raise SourcesError([f"{where}: license {license!r} is not an SPDX identifier (e.g. CC-BY-4.0, MIT); write one, "
                        f"or license = \"other\" with the statement in license_text"])


def spdx_url(license: str) -> str:
    return f"https://spdx.org/licenses/{license}.html"


def describe(corpus: dict, version: str, documents: pd.DataFrame) -> Description:
    """The release's description from the recorded corpus configuration (`manifest["config"]["corpus"]`)."""
    kept = documents[documents["status"] != "rejected"]
    languages = tuple(corpus.get("languages") or ())
    if not languages and "language" in kept:
        codes = {str(code).split("-")[0] for code in kept["language"].dropna()}
        languages = tuple(sorted(c for c in codes if c and c != "und"))
    date, date_source = corpus.get("date") or "", "configuration" if corpus.get("date") else ""
    if not date:
        published = sorted(str(p) for p in kept["published"].dropna())
        date, date_source = (published[-1], "documents") if published else ("", "")
    license = spdx_license(corpus.get("license") or "unknown")
    license_text = corpus.get("license_text") or ""
    authors = tuple(corpus.get("authors") or ())
    citation = corpus.get("citation") or _citation(authors, corpus["pretty_name"], version, date, corpus.get("homepage"))
    licences = tuple((d, f, None if pd.isna(lic) else str(lic))
                     for d, f, lic in zip(documents["doc_id"], documents["source_file"], documents["license"]))
    return Description(name=corpus["name"], pretty_name=corpus["pretty_name"], description=corpus.get("description") or "",
                       version=version, license=license, license_text=license_text, languages=languages,
                       homepage=corpus.get("homepage") or "", authors=authors, citation=citation,
                       keywords=tuple(corpus.get("keywords") or ()), date=date, date_source=date_source,
                       task_categories=tuple(corpus.get("task_categories") or ()),
                       documents=len(kept), document_licenses=licences,
                       released=date if _FULL_DATE.fullmatch(date) else max(
                           (str(p)[:10] for p in kept["published"].dropna() if _FULL_DATE.match(str(p))), default=""))


def _citation(authors: tuple[str, ...], title: str, version: str, date: str, homepage: str | None) -> str:
    who = ", ".join(authors) + ". " if authors else ""
    when = f" ({date[:4]})" if date else ""
    return f"{who}{title}, version {version}{when}." + (f" {homepage}" if homepage else "")


def croissant(desc: Description, tables: list[str], files: dict[str, dict]) -> str:
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
           "name": desc.name, "alternateName": desc.pretty_name, "description": desc.description or desc.pretty_name,
           "version": desc.version, "license": spdx_url(desc.spdx) if desc.spdx else (desc.license_text or desc.license),
           "citeAs": desc.citation}
    if desc.homepage:
        doc["url"] = desc.homepage
    if desc.authors:
        doc["creator"] = [{"@type": "sc:Person", "name": a} for a in desc.authors]
    if desc.date:
        doc["datePublished"] = desc.date
    if desc.languages:
        doc["inLanguage"] = list(desc.languages)
    if desc.keywords:
        doc["keywords"] = list(desc.keywords)
    doc.update(distribution=distribution, recordSet=record_sets)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _package_field(field: dict) -> dict:
    # the type of schema/, as the Parquet files and croissant.json have it: a nullable integer stays integer
    return {k: v for k, v in field.items() if k in ("name", "type", "description", "constraints")}


def _foreign_key(fk: dict, table: str) -> dict:
    # v2: a reference to the resource's own rows leaves `resource` out (v1 wrote "")
    reference = {k: v for k, v in fk["reference"].items() if not (k == "resource" and v == table)}
    return {"fields": fk["fields"], "reference": reference}


def _license_entry(license: str, text: str = "") -> dict:
    if is_spdx(license):
        return {"name": license, "path": spdx_url(license)}
    return {"name": "other" if text or license.lower() != "unknown" else "unknown", "title": text or license}


def datapackage(desc: Description, tables: list[str], files: dict[str, dict]) -> str:
    """datapackage.json text: one tabular resource per table with its schema, primary and foreign keys.

    The documents resource lists each document's own licence (`documentLicenses`, from `documents.license`)
    and their distinct licences; the package's licence is the corpus's.
    """
    resources = []
    for table in tables:
        schema = table_schema(table)
        fields = [_package_field(f) for f in schema["fields"]]
        foreign = [fk for fk in schema.get("foreignKeys", []) if fk["reference"]["resource"] in tables]
        shards = table_files(files, table)
        # a sharded table is a multipart resource (its paths in order), which has no single hash
        single = {"hash": f"sha256:{files[shards[0]]['sha256']}"} if len(shards) == 1 else {}
        table_schema_ = {"fields": fields, "primaryKey": schema["primaryKey"]}
        if foreign:  # the v2 schema wants no empty list
            table_schema_["foreignKeys"] = [_foreign_key(fk, table) for fk in foreign]
        resource = {"name": table, "type": "table", "path": shards[0] if single else shards, "format": "parquet",
                    "mediatype": "application/vnd.apache.parquet", "description": schema["description"], **single,
                    "schema": table_schema_}
        if table == "documents":
            distinct = sorted({lic for _, _, lic in desc.document_licenses if lic})
            if distinct:
                resource["licenses"] = [_license_entry(lic, "" if is_spdx(lic) else lic) for lic in distinct]
            resource["documentLicenses"] = [{"doc_id": d, "source_file": f, "license": lic}
                                            for d, f, lic in desc.document_licenses]
        resources.append(resource)
    doc = {"$schema": DATAPACKAGE_PROFILE, "name": desc.name, "title": desc.pretty_name, "version": desc.version,
           "description": desc.description, "licenses": [_license_entry(desc.license, desc.license_text)]}
    if desc.homepage:
        doc["homepage"] = desc.homepage
    if desc.authors:
        doc["contributors"] = [{"title": a, "roles": ["author"]} for a in desc.authors]
    if desc.keywords:
        doc["keywords"] = list(desc.keywords)
    if _FULL_DATE.fullmatch(desc.date):
        doc["created"] = f"{desc.date}T00:00:00Z"
    doc["resources"] = resources
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _yaml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def citation_cff(desc: Description) -> str:
    """CITATION.cff (Citation File Format 1.2.0) of the release."""
    lines = ["cff-version: 1.2.0", f"message: {_yaml('If you use this corpus, cite it as below: ' + desc.citation)}",
             f"title: {_yaml(desc.pretty_name)}", "type: dataset", f"version: {_yaml(desc.version)}"]
    if desc.released:
        lines.append(f"date-released: {_yaml(desc.released)}")
    lines.append("authors:")
    # CFF requires at least one author; "anonymous" is its word for an author nobody has named.
    lines += [f"  - name: {_yaml(a)}" for a in desc.authors or ("anonymous",)]
    if desc.spdx:
        lines.append(f"license: {_yaml(desc.spdx)}")
    if desc.homepage:
        lines.append(f"url: {_yaml(desc.homepage)}")
    if desc.description:
        lines.append(f"abstract: {_yaml(desc.description)}")
    if desc.keywords:
        lines += ["keywords:"] + [f"  - {_yaml(k)}" for k in desc.keywords]
    return "\n".join(lines) + "\n"


def bibtex_key(desc: Description) -> str:
    """The release's BibTeX key: its name and version (`china_digital_governance_corpus_0_4_0`)."""
    return re.sub(r"\W+", "_", f"{desc.name}_{desc.version}").strip("_").lower()


def _bib(text: str) -> str:
    return re.sub(r"([&%$#_])", r"\\\1", text)


def bibtex(desc: Description) -> str:
    """CITATION.bib: a @misc entry for the release with its version and date. Each author is braced whole:
    a collective author ("... contributors") is one entity to BibTeX, never a person named "contributors"."""
    fields = [("author", " and ".join("{" + _bib(a) + "}" for a in desc.authors or ("anonymous",))),
              ("title", "{" + _bib(desc.pretty_name) + "}"), ("version", _bib(desc.version))]
    if desc.released or desc.date:
        date = desc.released or desc.date
        fields.append(("year", date[:4]))
        if len(date) >= 7:
            fields.append(("month", str(int(date[5:7]))))
    if desc.homepage:
        fields.append(("url", desc.homepage))
    fields.append(("note", f"Version {_bib(desc.version)}"))
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@misc{{{bibtex_key(desc)},\n{body}\n}}\n"


def license_file(desc: Description) -> str:
    """LICENSE.md of the release: the corpus's licence and each document's licence statement, counted."""
    if desc.spdx:
        head = f"The corpus is licensed {desc.spdx} ({spdx_url(desc.spdx)})."
    else:
        head = desc.license_text or "The licence of the corpus is not stated in its configuration."
    counts: dict[str, int] = {}
    for _, _, lic in desc.document_licenses:
        counts[lic or "(not stated)"] = counts.get(lic or "(not stated)", 0) + 1
    rows = [f"| {n} | {lic.replace('|', '/')} |" for lic, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
    return "\n".join([f"# Licence of {desc.pretty_name} {desc.version}", "", head, "",
                      "Each document's own licence statement is in `documents.license` (and in `datapackage.json`, "
                      "`documentLicenses`). Documents per statement:", "", "| documents | license |", "|---|---|", *rows]) + "\n"


# The Hub's size bins (`size_categories`), by the rows of the release's largest table.
_SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
                    (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B"))


def _size_category(n: int) -> str:
    return next((label for limit, label in _SIZE_CATEGORIES if n < limit), "n>1B")


def hf_configs(tables: list[str], files: dict[str, dict]) -> tuple[list[str], list[str]]:
    """(tables that get a `configs:` entry, empty tables left out). `datasets` cannot read a Parquet file
    of no rows ("BatchSize must be greater than 0"), so an empty table is named in the card instead."""
    rows = {t: sum(files[f].get("rows", 0) for f in table_files(files, t)) for t in tables}
    return [t for t in tables if rows[t]], [t for t in tables if not rows[t]]


def hf_card_header(desc: Description, tables: list[str], files: dict[str, dict]) -> str:
    """The dataset card's YAML for the Hugging Face Hub: every value from the configuration or the release.
    `documents` is the default config (`load_dataset(folder)`); `license: other` points at LICENSE.md."""
    q = lambda text: json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    lines = ["---", f"pretty_name: {q(desc.pretty_name)}", f"version: {q(desc.version)}"]
    if desc.spdx:
        lines.append(f"license: {desc.spdx.lower()}")
    elif desc.license == "other":
        lines += ["license: other", f"license_name: {q(desc.name + '-license')}", "license_link: LICENSE.md"]
    else:
        lines.append("license: unknown")
    if desc.languages:
        lines += ["language:"] + [f"- {code}" for code in desc.languages]
        lines.append(f"multilinguality: {'multilingual' if len(desc.languages) > 1 else 'monolingual'}")
    largest = max((sum(files[f].get("rows", 0) for f in table_files(files, t)) for t in tables), default=0)
    lines += ["size_categories:", f"- {_size_category(largest)}"]
    if desc.task_categories:
        lines += ["task_categories:"] + [f"- {t}" for t in desc.task_categories]
    if desc.keywords:
        lines += ["tags:"] + [f"- {q(k)}" for k in desc.keywords]
    configs, _ = hf_configs(tables, files)
    lines.append("configs:")
    for t in configs:
        shards = table_files(files, t)
        lines.append(f"- config_name: {t}")
        if t == "documents" or (t == configs[0] and "documents" not in configs):
            lines.append("  default: true")
        lines += ["  data_files:", "  - split: train"]
        lines += [f"    path: {shards[0]}"] if len(shards) == 1 else ["    path:"] + [f"    - {s}" for s in shards]
    return "\n".join(lines + ["---", ""])
