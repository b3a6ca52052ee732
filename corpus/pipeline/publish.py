"""Publish: the only stage that writes a release. Each table as Parquet cast to `schema/`, the baselines and
figures, the data card (card.py), `CITATION.cff`, `CITATION.bib`, `LICENSE.md`, `croissant.json`,
`datapackage.json`, `CHANGELOG.md` and `manifest.json` with SHA-256 sums.

Whoever annotates a partition writes its rows as *pieces* into the work folder (workdir.py), split into
buckets by doc_id; `publish` reads one bucket at a time, sorts it by primary key and appends it to the
table's shards. Every primary key starts with its doc_id, so bucket order is key order, and a shard is cut
when it would pass `shard_bytes` (BuildConfig.shard_bytes): the shards depend only on the rows, not on partitions, workers or
executor. A table that fits in one shard is `<table>.parquet`; a larger one is `<table>/part-00000.parquet`, ….

The release is written into a temporary sibling folder and renamed into place, under a lock, so a
killed build leaves no partial release; an existing version folder is never overwritten.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import baselines as baselines_
from ..card import card
from ..diff import changelog, release_differences
from ..errors import ReleaseError, SourcesError
from ..figures import figures as render_figures
from ..load import read_table, version_key, versions
from ..manifest import MANIFEST, digest_line, manifest_digest, read_manifest, sha256_file
from ..config import BUNDLED_RELEASES
from ..metadata import bibtex, citation_cff, croissant, datapackage, describe, license_file
from ..tables import arrow_schema, table_schema
from .layer import Layer
from .workdir import Staged, holder_pid, pid_alive, read_piece, take_lock

__all__ = ["publish", "check_target", "LAYER"]

_PARQUET = dict(compression="zstd", compression_level=3, use_dictionary=True, write_statistics=True,
                version="2.6", data_page_version="1.0", row_group_size=100_000)


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

    pieces_of: dict[str, list[str]] = {}
    for piece in sorted(p for p in staged.pieces if p.startswith(f"{name}/")):
        pieces_of.setdefault(piece.split("/", 1)[1].split("-", 1)[0], []).append(piece)
    for bucket in range(staged.buckets):
        pieces = pieces_of.get(f"b{bucket:05d}", [])
        if not pieces:
            continue
        table = pa.concat_tables([read_piece(staged, p, schema) for p in pieces]).sort_by(key)
        cumulative = np.cumsum(_row_bytes(table))
        start = 0
        while start < table.num_rows:
            before = cumulative[start - 1] if start else 0
            fit = int(np.searchsorted(cumulative[start:] - before, staged.shard_bytes - pending_bytes, side="right"))
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


def _previous_release(out: Path, version: str, corpus: str) -> Path | None:
    """The newest release older than `version` in `out`, else the newest older release of the same corpus
    (by name) bundled with the package: a first build into a fresh folder compares with what users have."""
    older = [v for v in versions(out) if version_key(v) < version_key(version)]
    if older:
        return out / older[-1]
    bundled = [v for v in versions(BUNDLED_RELEASES) if version_key(v) < version_key(version)
               and read_manifest(BUNDLED_RELEASES / v)["config"].get("corpus", {}).get("name") == corpus]
    return BUNDLED_RELEASES / bundled[-1] if bundled else None


def _write(folder: Path, name: str, data: bytes | str, files: dict) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    files[name] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}


def _write_release(folder: Path, staged: Staged, version: str, manifest: dict, previous: Path | None,
                   layers) -> None:
    """Write every file into `folder`; the documents table appears last, by an atomic rename, so any
    folder holding documents.parquet (or documents/) is complete (its manifest and every table already written)."""
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
    baselines = baselines_.compute(written, layers)
    for name, frame_ in baselines.items():
        _write(folder, f"baselines/{name}.csv", baselines_.to_csv(frame_), files)
    figures = render_figures(baselines)
    for layer in layers:  # the registered layers' own figures, where their tables are here
        if layer.figures is not None and all(t in written for t in layer.produces):
            figures.update(layer.figures(baselines))
    for name, (png, _) in figures.items():
        _write(folder, f"figures/{name}", png, files)
    desc = describe(manifest["config"]["corpus"], version, written["documents"])
    _write(folder, "croissant.json", croissant(desc, manifest["tables"], files), files)
    _write(folder, "datapackage.json", datapackage(desc, manifest["tables"], files), files)
    _write(folder, "CITATION.cff", citation_cff(desc), files)
    _write(folder, "CITATION.bib", bibtex(desc), files)
    _write(folder, "LICENSE.md", license_file(desc), files)
    # every file but the two that record the manifest's digest is written: the digest is known now
    digest = digest_line(version, manifest_digest({**manifest, "files": files}))
    # the changelog reads the tables where they are now: documents still under its partial name
    log = changelog(previous, folder, previous.name if previous else None, version, paths=table_paths)
    log += f"\n{digest}\n"
    if previous is not None:  # the previous release's manifest, as this release found it
        log += f"\n{digest_line(previous.name, manifest_digest(read_manifest(previous)))}\n"
    _write(folder, "CHANGELOG.md", log, files)
    _write(folder, "README.md", card(desc, written, baselines, figures, manifest, files, digest, layers), files)
    manifest["files"] = dict(sorted(files.items()))
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    os.rename(folder / partial, folder / final)


def _remove_stale_temporaries(out: Path) -> None:
    """Remove temporary folders and locks left by killed builds (their process is gone)."""
    for path in out.glob(".tmp-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and pid_alive(int(pid))):
            shutil.rmtree(path, ignore_errors=True)
    for lock in out.glob(".lock-*"):
        pid = holder_pid(lock)
        if not (pid and pid_alive(pid)):
            lock.unlink(missing_ok=True)


def check_target(out: Path, name: str, replace: bool = False) -> None:
    """Refuse, before any work, a release that cannot be written: `out` is not a usable folder, or
    `out/name` exists and is not a scratch folder to `replace`."""
    out = Path(out)
    _make_folder(out)
    final = out / name
    if final.exists() and not replace:
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


def publish(staged: Staged, out: Path, version: str, manifest: dict, layers,
            name: str | None = None) -> tuple[Path, bool]:
    """Write the tables `staged` as release `out/version`; returns (folder, written). `layers`: the registered
    layers in build order (pipeline/layers.py), whose card blocks and baselines the release holds.

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
    lock = take_lock(out / f".lock-{name}", f"{out}: another build (pid {{pid}}) is writing version {name}; wait for "
                     f"it to finish, or remove {out / f'.lock-{name}'} if no build is running")
    try:
        _remove_stale_temporaries(out)
        tmp = out / f".tmp-{name}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        try:
            previous = None if scratch else _previous_release(out, version, manifest["config"]["corpus"].get("name"))
            _write_release(tmp, staged, version, manifest, previous, layers)
        except SourcesError:
            shutil.rmtree(tmp)
            raise
        if final.exists() and not scratch:  # `build` refuses an existing version up front; another build won a race
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

LAYER = Layer("publish")
