"""Publish: the only stage that writes. Each table as Parquet cast to `schema/`, the dataset card
(`README.md`, rendered from DATACARD.md with Hugging Face YAML), and `manifest.json` with SHA-256 sums.

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

from ..errors import ReleaseError
from ..manifest import MANIFEST, sha256_file, table_files
from ..tables import TABLES, arrow_schema, table_schema

__all__ = ["publish", "render_card", "card_template", "Staged", "write_pieces", "spill", "read_spill",
           "work_folder", "buckets_for", "SHARD_BYTES"]

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


def work_folder(out: Path, version: str) -> Path:
    """The build's scratch folder under `out` (on a shared file system, every Dask worker writes here);
    named like publish's temporaries, so a killed build's folder is removed by the next build."""
    folder = Path(out).resolve() / f".tmp-work-{version}-{os.getpid()}"  # absolute: workers run elsewhere
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


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
    """DATACARD.md of the repository; in an installed wheel, the card of the newest bundled release
    (its generated blocks keep their markers, so it renders again)."""
    here = Path(__file__).resolve().parents[1]
    repository_card = here.parent / "DATACARD.md"
    if repository_card.is_file():
        return repository_card.read_text(encoding="utf-8")
    from ..load import release_dir

    card = (release_dir() / "README.md").read_text(encoding="utf-8")
    return card.split("\n---\n", 1)[1] if card.startswith("---\n") else card


def _yaml_header(tables: list[str], files: dict[str, dict], version: str) -> str:
    lines = ["---", "pretty_name: China Digital Governance Corpus", f"version: {version}", "license: other",
             "language:", "- en", "- zh", "multilinguality: multilingual",
             "task_categories:", "- text-classification", "- token-classification",
             "tags:", "- political-science", "- china", "- digital-governance", "- citations", "- glossary",
             "configs:"]
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


def _generated_blocks(tables: dict[str, pd.DataFrame], baselines: dict[str, pd.DataFrame],
                      figures: dict[str, tuple[bytes, str]], manifest: dict) -> dict[str, str]:
    """The card's generated text: every number comes from the tables and the baselines of this release."""
    docs = tables["documents"]
    counts = pd.DataFrame({"table": list(manifest["tables"]),
                           "rows": [sum(manifest["files"][f]["rows"] for f in table_files(manifest["files"], t))
                                    for t in manifest["tables"]]})
    status = docs.groupby("status").size().rename("documents").reset_index()
    blocks = {
        "composition": ("Rows per table:\n\n" + _md_table(counts) + "\nDocuments by status:\n\n" + _md_table(status)
                        + "\nPer document (`baselines/composition.csv`):\n\n" + _md_table(baselines["composition"])),
        "documents": _md_table(docs[["doc_id", "source_file", "title", "authors", "publisher", "published",
                                     "license", "status", "language"]]),
        "tools": "```json\n" + json.dumps({"tools": manifest["tools"], "config": manifest["config"]},
                                          indent=2, ensure_ascii=False) + "\n```\n",
        "figures": _figure_block(figures) or "_no figures in this release_\n",
    }
    if "languages" in baselines:
        blocks["languages"] = _md_table(baselines["languages"])
    if "duplicate_clusters" in baselines:
        dup = tables["duplicates"]
        blocks["dedup"] = (f"{dup['cluster_id'].nunique()} cluster(s). Copies by relation to their canonical copy "
                           "(`baselines/duplicate_clusters.csv`):\n\n" + _md_table(baselines["duplicate_clusters"]))
    if "sources" in baselines:
        blocks["sources"] = ("Cited works per document by title language, with URLs and the share archived "
                             "(`baselines/sources.csv`):\n\n" + _md_table(baselines["sources"])
                             + "\nBy kind of container (`baselines/sources_by_kind.csv`):\n\n"
                             + _md_table(baselines["sources_by_kind"]))
    if "glossary" in baselines:
        blocks["glossary"] = _md_table(baselines["glossary"].drop(columns=["paragraphs"]))
    if "top_entities" in baselines:
        blocks["entities"] = ("Most named persons and organisations per document (`baselines/top_entities.csv`):\n\n"
                              + _md_table(baselines["top_entities"]))
    return blocks


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
    from ..metadata import croissant, datapackage

    files, written = {}, {}
    tables = [t for t in TABLES if t in staged.tables]
    for name in tables:
        entries, paths = _write_shards(folder, name, staged)
        files.update(entries)
        written[name] = read_table(paths, name)  # baselines read what users will read
    partial, final = (("documents.parquet.partial", "documents.parquet") if "documents.parquet" in files
                      else ("documents.partial", "documents"))
    manifest = {**manifest, "version": version, "tables": tables, "files": files}
    baselines = baselines_.compute(written)
    for name, frame_ in baselines.items():
        _write(folder, f"baselines/{name}.csv", baselines_.to_csv(frame_), files)
    figures = render_figures(baselines)
    for name, (png, _) in figures.items():
        _write(folder, f"figures/{name}", png, files)
    _write(folder, "croissant.json", croissant(version, manifest["tables"], files), files)
    _write(folder, "datapackage.json", datapackage(version, manifest["tables"], files), files)
    (folder / final).symlink_to(partial)  # lets the changelog read it
    try:
        log = changelog(previous, folder, previous.name if previous else None, version)
    finally:
        (folder / final).unlink()
    _write(folder, "CHANGELOG.md", log, files)
    card = _yaml_header(manifest["tables"], files, version) + render_card(
        card_template(), _generated_blocks(written, baselines, figures, manifest))
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


def _same_release(a: Path, b: Path) -> bool:
    names = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    return names == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()) and \
        all(sha256_file(a / n) == sha256_file(b / n) for n in names)


def publish(staged: Staged, out: Path, version: str, manifest: dict) -> tuple[Path, bool]:
    """Write the tables `staged` as release `out/version`; returns (folder, written).

    `written` is False when an identical release already exists (a no-op). A different existing
    release raises ReleaseError naming the version.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    final = out / version
    lock = _acquire_lock(out, version)
    try:
        _remove_stale_temporaries(out)
        tmp = out / f".tmp-{version}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        _write_release(tmp, staged, version, manifest, _previous_release(out, version))
        if final.exists():
            same = _same_release(tmp, final)
            shutil.rmtree(tmp)
            if same:
                return final, False
            raise ReleaseError(f"{final}: version {version} already exists with different contents and is never "
                               f"overwritten; build a new version with --version (e.g. a higher patch number)")
        os.rename(tmp, final)
        dir_fd = os.open(out, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return final, True
    finally:
        lock.unlink(missing_ok=True)
