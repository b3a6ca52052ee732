"""Run the standard validators on a release folder, and optionally on the package built from a checkout.

    python tools/validate_release.py RELEASE_DIR [--datapackage-schema FILE] [--dist PROJECT_DIR] [--skip NAME ...]

Each check prints one line, `ok` or `FAIL`, and what it looked at; the exit status is 1 when one failed.
The checks (names for `--skip`):

- `manifest`     every file's SHA-256 against manifest.json (`corpus verify`), and `corpus.load(table, verify=True)`
- `datapackage`  frictionless validates datapackage.json (schemas, keys, types of every row); then the Data Package
                 v2 profile's rules checked field by field (`$schema`, `roles`, no empty lists, path and hash forms),
                 each resource's `hash` against its file, each field's type against the Parquet column's
- `schema`       jsonschema validation of datapackage.json against the official Data Package v2 profile
                 (datapackage.org/profiles/2.0/datapackage.json): the copy dplib-py ships, or `--datapackage-schema FILE`
- `croissant`    mlcroissant reads croissant.json and yields every record of every record set (rows as the manifest)
- `huggingface`  the card's YAML (size_categories, task_categories, licence fields, one default config), then
                 `datasets.load_dataset(folder, config)` offline for every config, rows as the manifest
- `citation`     cffconvert validates CITATION.cff and writes its BibTeX; CITATION.bib names the version and date
                 under its own key (cffconvert's command line always writes `YourReferenceHere`)
- `card`         the card has the sections of the Hugging Face dataset-card template and a column table with
                 two example rows for every table
- `dist`         with `--dist PROJECT_DIR`: build the sdist and wheel (python -m build), no setuptools warning,
                 check-wheel-contents, twine check --strict, LICENSE files in both

Needs the `validate` extra (frictionless, mlcroissant, datasets, cffconvert, jsonschema, dplib-py, build, twine,
check-wheel-contents). Nothing here needs the network.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

V2_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
# Data Package v2 (datapackage.org/standard/data-package, data-resource, table-schema): the forms checked below.
_PATH = re.compile(r"^((?=[^./~])(?!file:)((?!/\.\./)(?!\\)(?!://).)*|(http|ftp)s?://.*)$")
_LICENSE_NAME = re.compile(r"^[-a-zA-Z0-9._]+$")
_HASH = re.compile(r"^([^:]+:[a-fA-F0-9]+|[a-fA-F0-9]{32}|)$")
_FIELD_TYPES = {"string", "number", "integer", "boolean", "object", "array", "date", "time", "datetime", "year",
                "yearmonth", "duration", "geopoint", "geojson", "list", "any"}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
# The Hub's dataset-card metadata (huggingface.co/docs/hub/datasets-cards): its size bins, and the task
# categories a text corpus can name (a subset of the Hub's list).
HF_SIZES = {"n<1K": (0, 10**3), "1K<n<10K": (10**3, 10**4), "10K<n<100K": (10**4, 10**5),
            "100K<n<1M": (10**5, 10**6), "1M<n<10M": (10**6, 10**7), "10M<n<100M": (10**7, 10**8),
            "100M<n<1B": (10**8, 10**9), "1B<n<10B": (10**9, 10**10), "10B<n<100B": (10**10, 10**11),
            "100B<n<1T": (10**11, 10**12), "n>1T": (10**12, float("inf"))}
HF_TASKS = {"text-classification", "token-classification", "table-question-answering", "question-answering",
            "zero-shot-classification", "translation", "summarization", "feature-extraction", "text-generation",
            "fill-mask", "sentence-similarity", "text-retrieval", "text-ranking", "text2text-generation",
            "multiple-choice", "other"}
# The sections of the Hub's dataset-card template (huggingface_hub's datasetcard_template.md) the card must have.
CARD_SECTIONS = ["Dataset Description", "Uses", "Dataset Structure", "Dataset Creation", "Personal and Sensitive Information",
                 "Bias, Risks, and Limitations", "Recommendations", "Citation"]


class Report:
    def __init__(self) -> None:
        self.failed = 0

    def line(self, name: str, ok: bool, what: str) -> None:
        self.failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {what}", flush=True)


def _manifest(release: Path) -> dict:
    return json.loads((release / "manifest.json").read_text(encoding="utf-8"))


def _rows(manifest: dict, table: str) -> int:
    files = manifest["files"]
    return sum(e["rows"] for n, e in files.items() if n == f"{table}.parquet" or n.startswith(f"{table}/"))


def check_manifest(release: Path, report: Report) -> None:
    import corpus
    from corpus.manifest import verify

    try:
        manifest = verify(release)
    except Exception as e:  # a ChecksumError lists every mismatch
        report.line("manifest", False, f"corpus verify: {e}")
        return
    report.line("manifest", True, f"corpus verify: {len(manifest['files'])} files match manifest.json")
    bad = []
    for table in manifest["tables"]:
        try:
            n = len(corpus.load(table, manifest["version"], releases=release.parent, verify=True))
        except Exception as e:
            bad.append(f"{table}: {e}")
            continue
        if n != _rows(manifest, table):
            bad.append(f"{table}: {n} rows, manifest {_rows(manifest, table)}")
    report.line("manifest", not bad, "; ".join(bad) or f"load(verify=True) read all {len(manifest['tables'])} tables")


def _parquet_type(field) -> str:
    import pyarrow as pa

    t = field.type
    return ("integer" if pa.types.is_integer(t) else "number" if pa.types.is_floating(t) else
            "boolean" if pa.types.is_boolean(t) else "date" if pa.types.is_date(t) else
            "datetime" if pa.types.is_timestamp(t) else "string" if pa.types.is_string(t) or pa.types.is_large_string(t)
            else str(t))


def datapackage_v2_problems(package: dict, release: Path | None = None) -> list[str]:
    """What in `package` breaks Data Package v2's rules (or, with `release`, disagrees with its files)."""
    from corpus.manifest import sha256_file

    problems = []
    if package.get("$schema") != V2_PROFILE:
        problems.append(f"$schema: expected {V2_PROFILE}, got {package.get('$schema')!r}")
    for key in ("contributors", "keywords", "licenses", "resources", "sources"):
        if key in package and (not isinstance(package[key], list) or not package[key]):
            problems.append(f"{key}: must be a non-empty list")
    for i, c in enumerate(package.get("contributors") or []):
        if "role" in c:
            problems.append(f"contributors/{i}: 'role' is Data Package v1; v2 has 'roles' (a list)")
        if "roles" in c and (not isinstance(c["roles"], list) or not c["roles"]):
            problems.append(f"contributors/{i}/roles: must be a non-empty list of strings")
    for i, lic in enumerate(package.get("licenses") or []):
        if "name" not in lic and "path" not in lic:
            problems.append(f"licenses/{i}: needs name or path")
        if "name" in lic and not _LICENSE_NAME.match(lic["name"]):
            problems.append(f"licenses/{i}/name: {lic['name']!r} is no licence identifier")
    if "created" in package and not _DATETIME.match(package["created"]):
        problems.append(f"created: {package['created']!r} is no RFC 3339 date-time")
    names = [r.get("name") for r in package.get("resources") or []]
    for r in package.get("resources") or []:
        where = f"resources/{r.get('name')}"
        paths = r.get("path")
        paths = [paths] if isinstance(paths, str) else paths
        if not r.get("name") or not paths or not all(isinstance(p, str) and _PATH.match(p) for p in paths):
            problems.append(f"{where}: needs a name and a relative path (or a non-empty list of them)")
            continue
        if r.get("type", "table") != "table":
            problems.append(f"{where}/type: v2 knows only 'table'")
        if not _HASH.match(r.get("hash", "")):
            problems.append(f"{where}/hash: {r['hash']!r} is not '<algorithm>:<hex>'")
        schema = r.get("schema") or {}
        fields = schema.get("fields") or []
        if not fields:
            problems.append(f"{where}/schema/fields: must be a non-empty list")
        for f in fields:
            if f.get("type", "any") not in _FIELD_TYPES:
                problems.append(f"{where}/schema/fields/{f.get('name')}: unknown type {f.get('type')!r}")
        for key in ("primaryKey", "foreignKeys", "uniqueKeys"):
            if key in schema and not schema[key]:
                problems.append(f"{where}/schema/{key}: must not be empty (leave it out)")
        for fk in schema.get("foreignKeys") or []:
            target = fk.get("reference", {})
            own = [fk.get("fields")] if isinstance(fk.get("fields"), str) else fk.get("fields") or []
            other = [target.get("fields")] if isinstance(target.get("fields"), str) else target.get("fields") or []
            if not own or len(own) != len(other):
                problems.append(f"{where}/schema/foreignKeys: fields {own} and reference fields {other} differ in length")
            if "resource" in target and target["resource"] not in names:
                problems.append(f"{where}/schema/foreignKeys: reference to {target['resource']!r}, which is no resource "
                                "(v2: leave 'resource' out for the resource itself)")
        if release is None:
            continue
        files = [release / p for p in paths]
        if "hash" in r and len(files) == 1:
            algorithm, _, digest = r["hash"].partition(":")
            if algorithm == "sha256" and sha256_file(files[0]) != digest:
                problems.append(f"{where}/hash: differs from {paths[0]}'s SHA-256")
        parquet = {f.name: _parquet_type(f) for f in pq.read_schema(files[0])}
        for f in fields:
            if f["name"] in parquet and parquet[f["name"]] != f.get("type", "any"):
                problems.append(f"{where}/schema/fields/{f['name']}: type {f.get('type')!r}, "
                                f"the Parquet column is {parquet[f['name']]}")
    return problems


def _frictionless(release: Path) -> tuple[bool, str]:
    """frictionless validates the descriptor, then every resource's rows against its schema. The rows are read
    with pyarrow and handed to frictionless as pandas frames: frictionless' own Parquet reader (fastparquet)
    returns nulls for valid cells of our zstd files and crashes on a date column with nulls (NaT;
    frictionless-py issue #1263). Foreign keys across resources are not checked here (`corpus verify` and the
    schema tests check the keys)."""
    import pandas as pd
    import pyarrow as pa
    from frictionless import Package, Resource, validate

    descriptor = Package.validate_descriptor(json.loads((release / "datapackage.json").read_text(encoding="utf-8")))
    if not descriptor.valid:
        return False, "; ".join(str(e) for e in descriptor.flatten(["type", "note"])[:5])
    package = Package(str(release / "datapackage.json"))
    errors, rows = [], 0
    for resource in package.resources:
        paths = [resource.path, *(resource.extrapaths or [])]  # a multipart (sharded) resource: path and extrapaths
        # nullable integers stay integers (pandas would make floats of them)
        frame = pd.concat([pq.read_table(release / p).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
                           for p in paths], ignore_index=True)
        rows += len(frame)
        frame = frame.astype(object).where(frame.notna(), None)
        result = validate(Resource(data=frame, format="pandas", schema=resource.schema))
        errors += [f"{resource.name}: {e}" for e in result.flatten(["rowNumber", "fieldName", "type", "note"])[:3]]
    return not errors, "; ".join(errors[:8]) or (f"frictionless: descriptor valid; {rows} rows of "
                                                 f"{len(package.resources)} resources valid against their schemas")


def check_datapackage(release: Path, report: Report) -> None:
    report.line("datapackage", *_frictionless(release))
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    problems = datapackage_v2_problems(package, release)
    report.line("datapackage", not problems, "; ".join(problems[:8]) or
                f"Data Package v2 rules, hashes and Parquet types of {len(package['resources'])} resources")


def official_profile() -> Path | None:
    """The Data Package v2 profile as the Frictionless project's own library ships it (dplib-py), found
    without importing that library; None when it is not installed."""
    import importlib.util

    spec = importlib.util.find_spec("dplib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        profile = Path(folder) / "profiles" / "2.0" / "datapackage.json"
        if profile.is_file():
            return profile
    return None


def check_schema(release: Path, schema_file: Path | None, report: Report) -> None:
    import jsonschema

    if schema_file is None:
        report.line("schema", False, "no Data Package v2 profile: pip install dplib-py, or pass --datapackage-schema FILE")
        return
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(package), key=lambda e: list(e.path))
    report.line("schema", not errors, "; ".join(f"{'/'.join(map(str, e.path))}: {e.message[:120]}" for e in errors[:5])
                or f"valid against {schema_file.name} ({schema.get('title', '')})")


def check_croissant(release: Path, report: Report) -> None:
    import mlcroissant as mlc

    manifest = _manifest(release)
    doc = json.loads((release / "croissant.json").read_text(encoding="utf-8"))
    dataset = mlc.Dataset(jsonld=str(release / "croissant.json"))
    bad = []
    for record_set in doc["recordSet"]:
        rows = sum(1 for _ in dataset.records(record_set=record_set["name"]))
        if rows != _rows(manifest, record_set["name"]):
            bad.append(f"{record_set['name']}: {rows} records, manifest {_rows(manifest, record_set['name'])}")
    report.line("croissant", not bad, "; ".join(bad) or f"mlcroissant read every record of {len(doc['recordSet'])} "
                "record sets")


def card_header(release: Path) -> tuple[dict, str]:
    import yaml

    text = (release / "README.md").read_text(encoding="utf-8")
    _, header, body = text.split("---\n", 2)
    return yaml.safe_load(header), body


def hf_header_problems(header: dict, release: Path) -> list[str]:
    manifest = _manifest(release)
    problems = []
    largest = max(_rows(manifest, t) for t in manifest["tables"])
    sizes = header.get("size_categories") or []
    if len(sizes) != 1 or sizes[0] not in HF_SIZES:
        problems.append(f"size_categories: {sizes!r} is not one of the Hub's bins")
    else:
        low, high = HF_SIZES[sizes[0]]
        if not low <= largest < high:
            problems.append(f"size_categories: {sizes[0]} while the largest table has {largest} rows")
    tasks = header.get("task_categories") or []
    if not tasks:
        problems.append("task_categories: none (set task_categories in corpus.toml)")
    problems += [f"task_categories: {t!r} is not a Hub task" for t in tasks if t not in HF_TASKS]
    licence = str(header.get("license", ""))
    if licence == "other":
        if not header.get("license_name") or not re.fullmatch(r"[a-z0-9.-]+", header["license_name"]):
            problems.append("license: other needs license_name (lower-case letters, digits, '-', '.')")
        link = header.get("license_link", "")
        if not (link.startswith(("http://", "https://")) or (release / link).is_file()):
            problems.append(f"license: other needs a license_link that exists, got {link!r}")
    elif not re.fullmatch(r"[a-z0-9.+-]+", licence):
        problems.append(f"license: {licence!r} is no Hub licence id")
    configs = header.get("configs") or []
    if sum(bool(c.get("default")) for c in configs) != 1:
        problems.append("configs: exactly one config must be default: true")
    return problems


def check_huggingface(release: Path, report: Report) -> None:
    header, _ = card_header(release)
    problems = hf_header_problems(header, release)
    report.line("huggingface", not problems, "; ".join(problems) or "card YAML: size, tasks, licence, default config")
    os.environ.update(HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1")
    import datasets

    datasets.disable_progress_bars()
    manifest = _manifest(release)
    bad = []
    with tempfile.TemporaryDirectory() as cache:
        for config in [c["config_name"] for c in header.get("configs") or []] + [None]:
            try:
                ds = datasets.load_dataset(str(release), config, split="train", cache_dir=cache)
            except Exception as e:
                bad.append(f"{config or '(default)'}: {type(e).__name__}: {e}")
                continue
            table = config or next(c["config_name"] for c in header["configs"] if c.get("default"))
            if len(ds) != _rows(manifest, table):
                bad.append(f"{table}: {len(ds)} rows, manifest {_rows(manifest, table)}")
    empty = [t for t in manifest["tables"] if not _rows(manifest, t)]
    listed = {c["config_name"] for c in header.get("configs") or []}
    missing = [t for t in manifest["tables"] if t not in listed and t not in empty]
    if missing:
        bad.append(f"tables without a config: {missing}")
    report.line("huggingface", not bad, "; ".join(bad) or f"load_dataset read {len(listed)} configs and the default "
                f"offline" + (f"; empty tables left out of configs: {', '.join(empty)}" if empty else ""))


def check_citation(release: Path, report: Report) -> None:
    from cffconvert import Citation

    text = (release / "CITATION.cff").read_text(encoding="utf-8")
    citation = Citation(text)
    try:
        citation.validate()
    except Exception as e:
        report.line("citation", False, f"cffconvert: {str(e)[:300]}")
        return
    version = citation.cffobj.get("version")
    bib = (release / "CITATION.bib").read_text(encoding="utf-8") if (release / "CITATION.bib").is_file() else ""
    key = re.match(r"@\w+\{([^,]+),", bib)
    problems = []
    if not key or key.group(1) == "YourReferenceHere":
        problems.append("CITATION.bib: no entry with a key of its own")
    else:
        ours = citation.as_bibtex(reference=key.group(1))
        if f"{{{version}}}" not in bib:
            problems.append(f"CITATION.bib: version {version} missing")
        year = re.search(r"year = \{(\d{4})\}", ours)
        if year and year.group(1) not in bib:
            problems.append(f"CITATION.bib: year {year.group(1)} (CITATION.cff's date-released) missing")
    for a in citation.cffobj.get("authors", []):
        if "name" in a and f"{{{{{a['name']}}}}}" not in bib:
            problems.append(f"CITATION.bib: entity author {a['name']!r} not braced whole")
    report.line("citation", not problems, "; ".join(problems) or
                f"cffconvert validates CITATION.cff; CITATION.bib @{key.group(1)} has version {version}")


def check_card(release: Path, report: Report) -> None:
    _, body = card_header(release)
    headings = set(re.findall(r"^#+ (.+?)\s*$", body, re.M))
    missing = [s for s in CARD_SECTIONS if s not in headings]
    manifest = _manifest(release)
    tables = [t for t in manifest["tables"] if f"### `{t}`" not in body]
    problems = ([f"sections missing: {missing}"] if missing else []) + ([f"no column table for {tables}"] if tables else [])
    report.line("card", not problems, "; ".join(problems) or f"{len(CARD_SECTIONS)} template sections; columns of "
                f"{len(manifest['tables'])} tables")


def check_dist(project: Path, report: Report) -> None:
    with tempfile.TemporaryDirectory() as out:
        build = subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "-o", out, str(project)],
                               capture_output=True, text=True)
        log = build.stdout + build.stderr
        if build.returncode:
            report.line("dist", False, f"python -m build failed: {log[-500:]}")
            return
        # byte-compiling being off (PYTHONDONTWRITEBYTECODE) is the environment's, not the package's
        warnings = sorted({line.strip() for line in log.splitlines() if "warn" in line.lower() and "byte-compil" not in line})
        report.line("dist", not warnings, "; ".join(warnings[:5]) or "sdist and wheel built without a warning")
        wheel, sdist = sorted(Path(out).glob("*.whl")), sorted(Path(out).glob("*.tar.gz"))
        for command in (["check-wheel-contents", *map(str, wheel)], ["twine", "check", "--strict", *map(str, wheel + sdist)]):
            run = subprocess.run(command, capture_output=True, text=True)
            said = re.sub(r"\x1b\[[0-9;]*m", "", run.stdout + run.stderr).strip().replace("\n", " ")  # no colours
            report.line("dist", run.returncode == 0, f"{command[0]}: {said[-300:]}")
        import tarfile
        import zipfile

        names = zipfile.ZipFile(wheel[0]).namelist() + tarfile.open(sdist[0]).getnames()
        licences = {n.rsplit("/", 1)[-1] for n in names if re.search(r"/LICENSE[^/]*$", n)}
        report.line("dist", {"LICENSE", "LICENSE-DATA.md"} <= licences, f"licence files in sdist and wheel: {sorted(licences)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("release", type=Path, help="a release folder (with manifest.json)")
    parser.add_argument("--datapackage-schema", type=Path,
                        help="the official Data Package v2 profile, saved locally (default: the copy dplib-py ships)")
    parser.add_argument("--dist", type=Path, metavar="PROJECT_DIR", help="also build and check the package of this checkout")
    parser.add_argument("--skip", nargs="*", default=[], help="checks to leave out")
    args = parser.parse_args(argv)
    release = args.release.resolve()
    report = Report()
    checks = {"manifest": check_manifest, "datapackage": check_datapackage, "croissant": check_croissant,
              "huggingface": check_huggingface, "citation": check_citation, "card": check_card}
    for name, check in checks.items():
        if name not in args.skip:
            try:
                check(release, report)
            except Exception as e:  # a validator that crashes is a failed check, the others still run
                report.line(name, False, f"{type(e).__name__}: {e}")
    if "schema" not in args.skip:
        check_schema(release, args.datapackage_schema or official_profile(), report)
    if args.dist and "dist" not in args.skip:
        check_dist(args.dist.resolve(), report)
    print(f"{report.failed} check(s) failed" if report.failed else "all checks passed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
