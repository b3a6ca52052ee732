"""Publish: the only stage that writes. Each table as Parquet cast to `schema/`, the dataset card
(`README.md`: Hugging Face YAML and the package's card template, filled from the corpus configuration and
the release's tables), `CITATION.cff`, `croissant.json`, `datapackage.json` and `manifest.json` with SHA-256 sums.

Tables are written in two steps so that no process holds a whole table. Whoever annotates a partition
writes its rows as *pieces* (`write_pieces`), split into buckets by doc_id; `publish` then reads one
bucket at a time, sorts it by primary key and appends it to the table's shards. Every primary key
starts with its doc_id, so bucket order is key order, and a shard is cut when it would pass
SHARD_BYTES: the shards depend only on the rows, not on partitions, workers or executor. A table
that fits in one shard is `<table>.parquet`; a larger one is `<table>/part-00000.parquet`, ….

The release is written into a temporary sibling folder and renamed into place, under a lock, so a
killed build leaves no partial release; an existing version folder is never overwritten.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import ReleaseError, SourcesError
from ..manifest import MANIFEST, digest_line, manifest_digest, read_manifest, sha256_file, table_files
from ..metadata import spdx_url
from ..quality import quality_card
from ..tables import arrow_schema, table_schema
from . import layers

__all__ = ["publish", "render_card", "card_template", "check_target", "Staged", "write_pieces", "spill", "read_spill",
           "work_folder", "release_work_folder", "finished", "finish", "remove_pieces", "buckets_for", "SHARD_BYTES"]

_PARQUET = dict(compression="zstd", compression_level=3, use_dictionary=True, write_statistics=True,
                version="2.6", data_page_version="1.0", row_group_size=100_000)
# A release file holds at most this much table data (Arrow bytes, before compression), one long row aside:
# well under the 500 MB per file that the Hugging Face Hub recommends, and what publish holds in memory.
SHARD_BYTES = 256 * 2**20
# Pieces are bucketed by doc_id so that publish sorts one bucket at a time; a bucket holds about this many
# documents' rows. The bucket count depends only on the number of source files, never on partitions.
_BUCKET_DOCUMENTS = 2_000
_PIECE_PARQUET = dict(compression="lz4")  # pieces and spills are read once: fast, not small
# The pandas types the stages pass between each other (tables.frame): strings stay object columns.
_STAGE_TYPES = {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype()}
_BLOCK = re.compile(r"(<!-- begin:(\w+) -->\n).*?(<!-- end:\2 -->)", re.S)


def _table(name: str, df: pd.DataFrame) -> pa.Table:
    schema = arrow_schema(name)
    key = table_schema(name)["primaryKey"]
    df = df.sort_values(key, kind="stable").reset_index(drop=True)
    return pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False).replace_schema_metadata(schema.metadata)


@dataclass(frozen=True)
class Staged:
    """What publish reads: the pieces under `folder`, written with `buckets` buckets, of `tables`."""
    folder: Path
    tables: tuple[str, ...]
    buckets: int


_FINGERPRINT = "build.json"
_HOLDER = "pid"


def work_folder(out: Path, name: str, fingerprint: dict, resume: bool = False) -> Path:
    """The build's scratch folder `out/.work-NAME` (on a shared file system, every Dask worker writes here),
    held by this process while it runs. A fresh build empties it; `resume` keeps what a failed or killed
    build of the same fingerprint (configuration, sources, partitions) finished, and refuses any other."""
    from ..errors import ResumeError

    folder = Path(out).resolve() / f".work-{name}"  # absolute: workers run elsewhere
    holder = folder / _HOLDER
    try:
        pid = int(holder.read_text() or 0)
    except (OSError, ValueError):
        pid = 0
    if pid and pid != os.getpid() and _pid_alive(pid):
        raise ReleaseError(f"{folder}: another build (pid {pid}) is running for {name}; wait for it to finish, "
                           f"or remove {holder} if no build is running")
    recorded = folder / _FINGERPRINT
    if resume:
        if not recorded.is_file():
            raise ResumeError(f"{folder}: no unfinished build of {name} to resume under {out}; "
                              "run the command without --resume")
        try:
            same = json.loads(recorded.read_text(encoding="utf-8")) == json.loads(json.dumps(fingerprint))
        except (OSError, json.JSONDecodeError):
            same = False
        if not same:
            raise ResumeError(f"{folder}: the unfinished build of {name} was started from other sources or "
                              "settings (or another version of the package); run without --resume to start again")
    else:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        recorded.write_text(json.dumps(fingerprint, sort_keys=True) + "\n", encoding="utf-8")
    holder.write_text(str(os.getpid()))
    return folder


def release_work_folder(folder: Path) -> None:
    """Let another process resume the work folder of a failed build."""
    (Path(folder) / _HOLDER).unlink(missing_ok=True)


def finished(marker: Path):
    """What the task that wrote `marker` returned, or None when it did not finish."""
    import pickle

    if not marker.is_file():
        return None
    with open(marker, "rb") as fh:
        return pickle.load(fh)


def finish(marker: Path, result) -> None:
    """Record a finished task (its return value) beside its pieces: written whole or not at all."""
    import pickle

    marker.parent.mkdir(parents=True, exist_ok=True)
    tmp = marker.with_name(marker.name + f".{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, marker)


def remove_pieces(work: Path, label: str) -> None:
    """The pieces an unfinished task wrote, before it runs again."""
    for piece in Path(work).glob(f"*/b*-{label}.parquet"):
        piece.unlink()


def buckets_for(sources: int) -> int:
    return max(1, -(-sources // _BUCKET_DOCUMENTS))


def _buckets_of(doc_ids: list[str], buckets: int) -> np.ndarray:
    """Bucket of each doc_id (16 hex digits): its first 32 bits scaled to `buckets` equal ranges, in key order."""
    high = np.array([int(d[:8], 16) for d in doc_ids], dtype=np.uint64)
    return (high * np.uint64(buckets)) >> np.uint64(32)


def write_pieces(work: Path, label: str, tables: dict[str, pd.DataFrame], buckets: int) -> dict[str, int]:
    """Write each table's rows (cast to `schema/`) as `work/<table>/b<bucket>-<label>.parquet`; returns row counts."""
    rows = {}
    for name, df in tables.items():
        rows[name] = len(df)
        if df.empty:
            continue
        table = _table(name, df)
        # sorted by primary key, hence by doc_id: each bucket is one run of rows
        of = _buckets_of(table.column("doc_id").to_pylist(), buckets)
        (work / name).mkdir(parents=True, exist_ok=True)
        for bucket in np.unique(of):
            start, stop = np.searchsorted(of, bucket, side="left"), np.searchsorted(of, bucket, side="right")
            pq.write_table(table.slice(start, stop - start), work / name / f"b{bucket:05d}-{label}.parquet",
                           **_PIECE_PARQUET)
    return rows


def spill(path: Path, df: pd.DataFrame) -> None:
    """Keep a frame between two passes on disk: every column, as the stages typed it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(df, preserve_index=False)
    # an object column of None only would come back as floats: keep it a string column
    table = table.cast(pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in table.schema]))
    pq.write_table(table, path, **_PIECE_PARQUET)


def read_spill(path: Path, doc_ids: list[str] | None = None) -> pd.DataFrame:
    """A spilled frame (only the rows of `doc_ids`, when given) with the types the stages use."""
    table = pq.read_table(path, filters=None if doc_ids is None else pc.field("doc_id").isin(doc_ids))
    df = table.to_pandas(types_mapper=_STAGE_TYPES.get)
    for field in table.schema:
        if pa.types.is_string(field.type):  # object columns with None, as tables.frame makes them
            df[field.name] = df[field.name].astype(object).where(df[field.name].notna(), None)
    return df


def _row_bytes(table: pa.Table) -> np.ndarray:
    size = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        if pa.types.is_string(column.type):
            size += pc.fill_null(pc.binary_length(column), 0).to_numpy()
        else:
            size += 8
    return size


def _write_shards(folder: Path, name: str, staged: Staged) -> tuple[dict[str, dict], list[Path]]:
    """Merge the pieces of table `name` bucket by bucket into shards; returns (manifest entries, paths)."""
    schema, key = arrow_schema(name), table_schema(name)["primaryKey"][0]
    parts = folder / f"{name}.parts"
    parts.mkdir()
    shards: list[Path] = []
    pending: list[pa.Table] = []
    pending_bytes = 0

    def flush() -> None:
        table = pa.concat_tables(pending).combine_chunks() if pending else schema.empty_table()
        shards.append(parts / f"part-{len(shards):05d}.parquet")
        pq.write_table(table.replace_schema_metadata(schema.metadata), shards[-1], **_PARQUET)
        pending.clear()

    pieces_of: dict[str, list[Path]] = {}
    for piece in sorted((staged.folder / name).glob("b*-*.parquet")):
        pieces_of.setdefault(piece.name.split("-", 1)[0], []).append(piece)
    for bucket in range(staged.buckets):
        pieces = pieces_of.get(f"b{bucket:05d}", [])
        if not pieces:
            continue
        table = pa.concat_tables([pq.read_table(p, schema=schema) for p in pieces]).sort_by(key)
        cumulative = np.cumsum(_row_bytes(table))
        start = 0
        while start < table.num_rows:
            before = cumulative[start - 1] if start else 0
            fit = int(np.searchsorted(cumulative[start:] - before, SHARD_BYTES - pending_bytes, side="right"))
            if fit == 0 and not pending:
                fit = 1  # a row longer than a shard gets a shard of its own
            if fit:
                pending.append(table.slice(start, fit))
                pending_bytes += int(cumulative[start + fit - 1] - before)
                start += fit
            if start < table.num_rows:
                flush()
                pending_bytes = 0
    if pending or not shards:
        flush()
    # documents appear last, by a rename (see _write_release): until then they carry a `.partial` suffix
    suffix = ".partial" if name == "documents" else ""
    entries = {}
    if len(shards) == 1:
        shards[0].rename(folder / f"{name}.parquet{suffix}")
        parts.rmdir()
        shards = [folder / f"{name}.parquet{suffix}"]
        names = [f"{name}.parquet"]
    else:
        parts.rename(folder / f"{name}{suffix}")
        shards = [folder / f"{name}{suffix}" / s.name for s in shards]
        names = [f"{name}/{s.name}" for s in shards]
    for relative, path in zip(names, shards):
        entries[relative] = {"sha256": sha256_file(path), "bytes": path.stat().st_size,
                             "rows": pq.read_metadata(path).num_rows}
    return entries, shards


def card_template() -> str:
    """The package's card template: generic text about the pipeline, with a block for each generated part."""
    return (Path(__file__).resolve().parents[1] / "data" / "card_template.md").read_text(encoding="utf-8")


def _size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return label
    return "n>1M"


def _yaml_header(tables: list[str], desc, files: dict[str, dict]) -> str:
    """Hugging Face dataset-card YAML: every value from the corpus configuration or the documents."""
    q = json.dumps  # a JSON string is a YAML double-quoted scalar
    lines = ["---", f"pretty_name: {q(desc.pretty_name, ensure_ascii=False)}", f"version: {desc.version}",
             f"license: {desc.spdx.lower() if desc.spdx else desc.license}"]
    if desc.license == "other" and desc.license_text:
        lines.append(f"license_name: {desc.name}-license")  # the statement itself is in the card
    if desc.languages:
        lines += ["language:"] + [f"- {code}" for code in desc.languages]
        lines.append(f"multilinguality: {'multilingual' if len(desc.languages) > 1 else 'monolingual'}")
    lines += ["size_categories:", f"- {_size_category(desc.documents)}"]
    if desc.keywords:
        lines += ["tags:"] + [f"- {q(k, ensure_ascii=False)}" for k in desc.keywords]
    lines.append("configs:")
    for t in tables:
        shards = table_files(files, t)
        lines += [f"- config_name: {t}", "  data_files:", "  - split: train"]
        lines += [f"    path: {shards[0]}"] if len(shards) == 1 else ["    path:"] + [f"    - {s}" for s in shards]
    return "\n".join(lines + ["---", ""])


def _md_table(df: pd.DataFrame) -> str:
    if df.empty:
        return "_none_\n"
    cols = list(df.columns)
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        out.append("| " + " | ".join("" if v is None or v is pd.NA or (isinstance(v, float) and v != v)
                                     else str(v).replace("|", "\\|").replace("\n", " ") for v in row) + " |")
    return "\n".join(out) + "\n"


def _figure_block(figures: dict[str, tuple[bytes, str]]) -> str:
    return "".join(f"![{caption}](figures/{name})\n\n*{caption}*\n\n" for name, (_, caption) in figures.items())


# The card's sections about a corpus's official documents, each with the figure it shows: (block, heading,
# figure, text before the tables). A corpus whose documents record no genre or issuer has none of them.
_COLLECTION_DIMENSIONS = {"genre": "genre", "language": "language", "year": "year of the version", "issuer_level":
                          "issuer's level"}
_DIFFUSION_TEXT = ("Per topic: the first year of adoption, the documents taking it up, how many jurisdictions had "
                   "adopted it by the last year at each level of issuer (for the national level: documents), and "
                   "the provinces reached at any level (`baselines/diffusion.csv`, "
                   "`baselines/diffusion_by_province.csv`).\n\n")


def _collection_block(collection: pd.DataFrame, figures: dict[str, tuple[bytes, str]]) -> str:
    parts = ["### Collection\n\nBuilt documents by " + ", ".join(_COLLECTION_DIMENSIONS.values())
             + " (`baselines/collection.csv`; `unknown` where the document's row records none).\n\n"]
    parts.append(_figure_block({n: f for n, f in figures.items() if n == "documents_by_genre.png"}))
    for dimension, label in _COLLECTION_DIMENSIONS.items():
        rows = collection.loc[collection["dimension"] == dimension, ["value", "documents"]]
        if len(rows):
            parts.append(f"By {label}:\n\n" + _md_table(rows.rename(columns={"value": dimension})) + "\n")
    return "".join(parts)


def _diffusion_block(diffusion: pd.DataFrame, figures: dict[str, tuple[bytes, str]]) -> str:
    return ("### Policy diffusion\n\n" + _figure_block({n: f for n, f in figures.items() if n == "policy_diffusion.png"})
            + _DIFFUSION_TEXT + _md_table(diffusion))


_TERM_SERIES_TEXT = ("Per term family, the mean hits per 10,000 characters of the decade's Government Work Reports "
                     "(`baselines/term_series.csv` has one row per report, year and family). Each family's terms "
                     "and the document its name comes from (corpus/data/term_families.tsv):\n\n")


def _term_series_block(series: pd.DataFrame, figures: dict[str, tuple[bytes, str]]) -> str:
    from ..baselines import term_families

    return ("### Digital governance in the Government Work Reports, by year\n\n"
            + _figure_block({n: f for n, f in figures.items() if n == "term_series.png"}) + _TERM_SERIES_TEXT
            + _md_table(term_families()[["label", "terms", "source"]]) + "\nBy decade:\n\n" + _md_table(series))


def _decade_block(by_decade: pd.DataFrame) -> str:
    return ("### Genre, level and decade\n\nBuilt documents by genre, issuer's level and decade of `published` "
            "(the version's date for a regulation; `baselines/collection_by_decade.csv`):\n\n" + _md_table(by_decade))


_NOT_STATED = "_Not stated in this corpus's configuration (`{}` in `corpus.toml`)._\n"


def _corpus_blocks(desc, prose: dict[str, str]) -> dict[str, str]:
    """The card's text about this corpus: its configuration's prose, or a note that it is not stated."""
    blocks = {name: (text.strip() + "\n" if text.strip() else _NOT_STATED.format(f"[card] {name}"))
              for name, text in prose.items()}
    about = [desc.description or _NOT_STATED.format("description").strip()]
    facts = [f"version {desc.version}"]
    if desc.authors:
        facts.append("by " + ", ".join(desc.authors))
    if desc.date:
        facts.append(f"published {desc.date}" + (" (the newest document's date)" if desc.date_source == "documents" else ""))
    if desc.homepage:
        facts.append(f"<{desc.homepage}>")
    blocks["title"] = f"# {desc.pretty_name} — data card\n"
    blocks["about"] = "\n\n".join(about + ["This release: " + "; ".join(facts) + "."]) + "\n"
    blocks["citation"] = (f"Cite the version you used (`CITATION.cff` in this release has the details):\n\n> {desc.citation}\n")
    if desc.spdx:
        licence = f"The corpus is licensed [{desc.spdx}]({spdx_url(desc.spdx)})."
    elif desc.license_text:
        licence = f"Licence of the corpus: {desc.license_text}"
    else:
        licence = "The licence of the corpus is not stated in its configuration (`license` in `corpus.toml`)."
    stated = [lic for _, _, lic in desc.document_licenses]
    counts = (pd.Series([lic if lic else "(not stated)" for lic in stated], dtype=object).value_counts()
              .rename_axis("license").reset_index(name="documents")
              .sort_values(["documents", "license"], ascending=[False, True]))
    per_document = ("Per-document licence statements (`documents.license`, also in `datapackage.json`):\n\n"
                    + _md_table(counts))
    blocks["licensing"] = licence + "\n\n" + per_document + (
        "\n" + prose["licensing"].strip() + "\n" if prose.get("licensing", "").strip() else "")
    return blocks


def _figure_blocks(baselines: dict[str, pd.DataFrame], figures: dict[str, tuple[bytes, str]]) -> dict[str, str]:
    """The card's collection and policy-diffusion sections, each with its figure, and the other figures:
    empty (no heading either) where the baselines have nothing for them."""
    from ..baselines import card_tables

    shown = card_tables(baselines)
    blocks = {"collection": _collection_block(shown["collection"], figures) if "collection" in shown else "",
              "diffusion": _diffusion_block(shown["diffusion"], figures) if len(shown.get("diffusion", ())) else "",
              "term_series": _term_series_block(shown["term_series"], figures) if "term_series" in shown else "",
              "collection_by_decade": _decade_block(shown["collection_by_decade"])
              if "collection_by_decade" in shown else ""}
    placed = {"documents_by_genre.png"} if blocks["collection"] else set()
    placed |= {"policy_diffusion.png"} if blocks["diffusion"] else set()
    placed |= {"term_series.png"} if blocks["term_series"] else set()
    other = {n: f for n, f in figures.items() if n not in placed}
    blocks["figures"] = "### Figures\n\n" + _figure_block(other) if other else ""
    return blocks


def _generated_blocks(tables: dict[str, pd.DataFrame], baselines: dict[str, pd.DataFrame],
                      figures: dict[str, tuple[bytes, str]], manifest: dict) -> dict[str, str]:
    """The card's generated text: every number comes from the tables and the baselines of this release."""
    docs = tables["documents"]
    config = {**manifest["config"], "corpus": {k: v for k, v in manifest["config"]["corpus"].items() if k != "card"}}
    counts = pd.DataFrame({"table": list(manifest["tables"]),
                           "rows": [sum(manifest["files"][f]["rows"] for f in table_files(manifest["files"], t))
                                    for t in manifest["tables"]]})
    status = docs.groupby("status").size().rename("documents").reset_index()
    blocks = {
        "composition": ("Rows per table:\n\n" + _md_table(counts) + "\nDocuments by status:\n\n" + _md_table(status)
                        + "\nPer document (`baselines/composition.csv`):\n\n" + _md_table(baselines["composition"])),
        "documents": _md_table(docs[["doc_id", "source_file", "title", "authors", "publisher", "published",
                                     "license", "status", "language"]
                                    + [c for c in ("genre", "issuer_level") if docs[c].notna().any()]]),
        "tools": "```json\n" + json.dumps({"tools": manifest["tools"], "config": config},
                                          indent=2, ensure_ascii=False) + "\n```\n",
        **_figure_blocks(baselines, figures),
    }
    blocks["failures"] = failures_card(tables)
    blocks["quality"] = quality_card(docs, _md_table)
    in_template, others = set(m.group(2) for m in _BLOCK.finditer(card_template())), []
    for layer in layers.LAYERS:  # each layer's own blocks, where it has any and was built
        if layer.card is not None and all(t in tables for t in layer.produces):
            for name, text in layer.card(tables, baselines).items():
                if name in in_template:
                    blocks[name] = text
                else:
                    others.append(f"### {name}\n\n{text}\n")
    # the layers registered beyond those the template knows (their tables are described in schema/)
    blocks["layers"] = "### Other layers\n\n" + "\n".join(others) if others else ""
    return blocks


def failures_card(tables: dict[str, pd.DataFrame]) -> str:
    failures = tables.get("failures")
    if failures is None or failures.empty:
        return "None: every layer ran on every document.\n"
    per_layer = failures.groupby("layer", sort=False)["doc_id"].nunique()
    order = [x.name for x in layers.LAYERS if x.name in per_layer.index]
    return (f"{failures['doc_id'].nunique()} document(s) failed in at least one layer. Documents per layer:\n\n"
            + _md_table(pd.DataFrame({"layer": order, "documents": [int(per_layer[n]) for n in order]})))


def language_card(tables, baselines) -> dict[str, str]:
    if "languages" not in baselines:
        return {}
    languages = baselines["languages"]
    told = languages["determined"].astype(bool)
    return {"languages": _md_table(languages.loc[told, ["language", "paragraphs"]])
            + f"\nUndetermined (`und`: no letters; `und-<Script>`: too short or too unsure to "
            f"tell): {int(languages.loc[~told, 'paragraphs'].sum())} paragraphs"
            + "".join(f"; {r.language} {r.paragraphs}" for r in languages[~told].itertuples()) + ".\n"}


def dedup_card(tables, baselines) -> dict[str, str]:
    if "duplicate_clusters" not in baselines:
        return {}
    dup = tables["duplicates"]
    return {"dedup": f"{dup['cluster_id'].nunique()} cluster(s). Copies by relation to their canonical copy "
                     "(`baselines/duplicate_clusters.csv`):\n\n" + _md_table(baselines["duplicate_clusters"])}


def citations_card(tables, baselines) -> dict[str, str]:
    if "sources" not in baselines:
        return {}
    return {"sources": "Cited works per document by title language, with URLs and the share archived "
                       "(`baselines/sources.csv`):\n\n" + _md_table(baselines["sources"])
                       + "\nBy kind of container (`baselines/sources_by_kind.csv`):\n\n"
                       + _md_table(baselines["sources_by_kind"])}


def terms_card(tables, baselines) -> dict[str, str]:
    return {"glossary": _md_table(baselines["glossary"].drop(columns=["paragraphs"]))} if "glossary" in baselines else {}


def entities_card(tables, baselines) -> dict[str, str]:
    if "top_entities" not in baselines:
        return {}
    return {"entities": "Most named persons and organisations per document (`baselines/top_entities.csv`):\n\n"
                        + _md_table(baselines["top_entities"])}


def render_card(template: str, blocks: dict[str, str]) -> str:
    """Fill the `<!-- begin:NAME -->…<!-- end:NAME -->` blocks of the card with generated text."""
    return _BLOCK.sub(lambda m: m.group(1) + blocks.get(m.group(2), "_not built in this release_\n") + m.group(3), template)


def _previous_release(out: Path, version: str) -> Path | None:
    from ..load import version_key, versions

    older = [v for v in versions(out) if version_key(v) < version_key(version)]
    return out / older[-1] if older else None


def _write(folder: Path, name: str, data: bytes | str, files: dict) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    files[name] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}


def _write_release(folder: Path, staged: Staged, version: str, manifest: dict, previous: Path | None) -> None:
    """Write every file into `folder`; the documents table appears last, by an atomic rename, so any
    folder holding documents.parquet (or documents/) is complete (its manifest and every table already written)."""
    from .. import baselines as baselines_
    from ..diff import changelog
    from ..figures import figures as render_figures
    from ..load import read_table
    from ..metadata import citation_cff, croissant, datapackage, describe

    files, written, table_paths = {}, {}, {}
    tables = list(staged.tables)
    for name in tables:
        entries, paths = _write_shards(folder, name, staged)
        files.update(entries)
        table_paths[name] = paths
        written[name] = read_table(paths, name)  # baselines read what users will read
        if name == "documents":
            _require_built(written[name], manifest["config"]["sources"])
    partial, final = (("documents.parquet.partial", "documents.parquet") if "documents.parquet" in files
                      else ("documents.partial", "documents"))
    manifest = {**manifest, "version": version, "tables": tables, "files": files}
    baselines = baselines_.compute(written)
    for name, frame_ in baselines.items():
        _write(folder, f"baselines/{name}.csv", baselines_.to_csv(frame_), files)
    figures = render_figures(baselines)
    for name, (png, _) in figures.items():
        _write(folder, f"figures/{name}", png, files)
    desc = describe(manifest["config"]["corpus"], version, written["documents"])
    _write(folder, "croissant.json", croissant(desc, manifest["tables"], files), files)
    _write(folder, "datapackage.json", datapackage(desc, manifest["tables"], files), files)
    _write(folder, "CITATION.cff", citation_cff(desc), files)
    # every file but the two that record the manifest's digest is written: the digest is known now
    digest = digest_line(version, manifest_digest({**manifest, "files": files}))
    # the changelog reads the tables where they are now: documents still under its partial name
    log = changelog(previous, folder, previous.name if previous else None, version, paths=table_paths)
    log += f"\n{digest}\n"
    if previous is not None:  # the previous release's manifest, as this release found it
        log += f"\n{digest_line(previous.name, manifest_digest(read_manifest(previous)))}\n"
    _write(folder, "CHANGELOG.md", log, files)
    blocks = {**_corpus_blocks(desc, manifest["config"]["corpus"]["card"]),
              **_generated_blocks(written, baselines, figures, manifest), "integrity": digest + "\n"}
    card = _yaml_header(manifest["tables"], desc, files) + render_card(card_template(), blocks)
    _write(folder, "README.md", card, files)
    manifest["files"] = dict(sorted(files.items()))
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    os.rename(folder / partial, folder / final)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _acquire_lock(out: Path, version: str) -> Path:
    lock = out / f".lock-{version}"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            try:
                pid = int(lock.read_text() or 0)
            except (OSError, ValueError):
                pid = 0
            if pid and _pid_alive(pid):
                raise ReleaseError(f"{out}: another build (pid {pid}) is writing version {version}; "
                                   f"wait for it to finish, or remove {lock} if no build is running") from None
            lock.unlink(missing_ok=True)  # left by a killed build
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        return lock
    raise ReleaseError(f"{out}: could not take the lock {lock}; remove it if no build is running")


def _remove_stale_temporaries(out: Path) -> None:
    """Remove temporary folders and locks left by killed builds (their process is gone)."""
    for path in out.glob(".tmp-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and _pid_alive(int(pid))):
            shutil.rmtree(path, ignore_errors=True)
    for lock in out.glob(".lock-*"):
        try:
            pid = int(lock.read_text() or 0)
        except (OSError, ValueError):
            pid = 0
        if not (pid and _pid_alive(pid)):
            lock.unlink(missing_ok=True)


def check_target(out: Path, name: str, replace: bool = False) -> None:
    """Refuse, before any work, a release that cannot be written: `out` is not a usable folder, or
    `out/name` exists and is not a scratch folder to `replace`."""
    out = Path(out)
    _make_folder(out)
    final = out / name
    if final.exists() and not replace:
        from ..load import version_key

        bumped = ".".join(map(str, (*version_key(name)[:2], version_key(name)[2] + 1)))
        raise ReleaseError(f"{final}: version {name} already exists and a release is never overwritten; "
                           f"build a new version (--version {bumped}) or choose another --out")


def _make_folder(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in [out, *out.parents] if p.exists() and not p.is_dir()), out)
        raise ReleaseError(f"--out {out}: {blocker} is a file, not a folder; choose another --out") from None
    except OSError as e:
        raise ReleaseError(f"--out {out}: cannot create the releases folder ({e.strerror}); choose another --out") from None


def publish(staged: Staged, out: Path, version: str, manifest: dict,
            name: str | None = None) -> tuple[Path, bool]:
    """Write the tables `staged` as release `out/version`; returns (folder, written).

    `name` other than the version makes a scratch folder `out/name` (a partial build), replaced
    whole if it exists. A release folder is never overwritten (`build` refuses an existing version
    before any work): if `out/version` exists here, ReleaseError says which tables and files differ;
    when they are identical and at most the recorded tool versions differ, nothing is written and
    `written` is False.
    """
    out = Path(out)
    name = name or version
    scratch = name != version
    _make_folder(out)
    final = out / name
    lock = _acquire_lock(out, name)
    try:
        _remove_stale_temporaries(out)
        tmp = out / f".tmp-{name}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        try:
            _write_release(tmp, staged, version, manifest, None if scratch else _previous_release(out, version))
        except SourcesError:
            shutil.rmtree(tmp)
            raise
        if final.exists() and not scratch:  # `build` refuses an existing version up front; another build won a race
            from ..diff import release_differences

            differences = release_differences(final, tmp)
            shutil.rmtree(tmp)
            if not differences["tables"] and not differences["files"]:
                return final, False
            raise ReleaseError(f"{final}: version {version} already exists with other contents "
                               f"({_describe_differences(differences)}); build a new version with --version")
        if final.exists():
            old = out / f".tmp-{name}-old-{os.getpid()}"
            os.rename(final, old)
            os.rename(tmp, final)
            shutil.rmtree(old)
        else:
            os.rename(tmp, final)
        dir_fd = os.open(out, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return final, True
    finally:
        lock.unlink(missing_ok=True)


def _require_built(documents: pd.DataFrame, sources: str) -> None:
    """A release without a single built document says nothing: fail, naming what became of every file."""
    if (documents["status"] == "built").any():
        return
    if documents.empty:
        raise SourcesError([f"{sources}: no files to build from; put .txt, .md or .html files in the sources "
                            "folder (nothing was published)"])
    reasons = documents["reject_reason"].fillna("unknown").value_counts().sort_index()
    raise SourcesError([f"{sources}: no document could be built: all {len(documents)} file(s) were rejected ("
                        + ", ".join(f"{r}: {n}" for r, n in reasons.items()) + "); nothing was published"])


def _describe_differences(differences: dict) -> str:
    parts = []
    if differences["tables"]:
        parts.append("tables " + ", ".join(differences["tables"]))
    if differences["files"]:
        parts.append("files " + ", ".join(differences["files"]))
    if differences["tools"]:
        parts.append("tool versions " + ", ".join(f"{t} {a} -> {b}" for t, (a, b) in differences["tools"].items()))
    return "; ".join(parts) or "no differences"
