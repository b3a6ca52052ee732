"""The build's work folder `out/.work-<name>`: the scratch store between the passes (documents spilled by
the first pass, every table's rows as pieces for publish), who holds it (a PID file, as the release lock
is), the completion markers of finished tasks, and what a resume must find unchanged (the fingerprint).

Pieces are split into buckets by doc_id so that publish sorts one bucket at a time (publish.py). On a
shared file system every Dask worker writes here; the folder's path is absolute.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..config import CORPUS_TOML, SOURCES_TOML
from ..errors import ReleaseError, ResumeError
from ..tables import arrow_schema, table_schema
from .layer import version

__all__ = ["Staged", "work_folder", "release_work_folder", "finished", "finish", "remove_pieces", "buckets_for",
           "write_pieces", "read_piece", "PIECE", "spill", "read_spill", "spill_recorded", "read_recorded", "holder_pid", "pid_alive", "take_lock", "fingerprint"]

_PIECE_PARQUET = dict(compression="lz4")  # pieces and spills are read once: fast, not small
# The pandas types the stages pass between each other (tables.frame): strings stay object columns.
_STAGE_TYPES = {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype()}
_FINGERPRINT = "build.json"
_HOLDER = "pid"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder_pid(path: Path) -> int:
    """The process id written in the PID file or lock `path`; 0 when there is none or it is unreadable."""
    try:
        return int(Path(path).read_text() or 0)
    except (OSError, ValueError):
        return 0


def take_lock(lock: Path, busy: str) -> Path:
    """Create the lock file `lock` holding this process's id; ReleaseError `busy` (with {pid}) while a live
    process holds it. A lock left by a killed build is taken over."""
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pid = holder_pid(lock)
            if pid and pid_alive(pid):
                raise ReleaseError(busy.format(pid=pid)) from None
            lock.unlink(missing_ok=True)  # left by a killed build
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        return lock
    raise ReleaseError(f"could not take the lock {lock}; remove it if no build is running")


def _table(name: str, df: pd.DataFrame) -> pa.Table:
    schema = arrow_schema(name)
    key = table_schema(name)["primaryKey"]
    df = df.sort_values(key, kind="stable").reset_index(drop=True)
    return pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False).replace_schema_metadata(schema.metadata)


@dataclass(frozen=True)
class Staged:
    """What publish reads: the `pieces` under `folder` ({path under folder: SHA-256}, as write_pieces and the
    tasks' markers give them), written with `buckets` buckets, of `tables`; and the size at which it cuts
    a table into shards (BuildConfig.shard_bytes)."""
    folder: Path
    tables: tuple[str, ...]
    buckets: int
    pieces: dict[str, str]
    shard_bytes: int


# The name of a piece under the work folder: its table, its bucket and the task that wrote it.
PIECE = re.compile(r"[a-z_]+/b\d{5}-(?:p\d{5}|global)\.parquet")


def read_piece(staged: Staged, name: str, schema: pa.Schema) -> pa.Table:
    """The piece `name` of `staged`, read from the bytes whose SHA-256 its task recorded; ReleaseError when
    it is not a piece's name, or its bytes changed since it was written."""
    path = staged.folder / name
    data = path.read_bytes() if PIECE.fullmatch(name) and path.is_file() and not path.is_symlink() else None
    if data is None or hashlib.sha256(data).hexdigest() != staged.pieces[name]:
        raise ReleaseError(f"{path}: not the piece its task wrote (missing, renamed or changed since); run the build "
                           "again without --resume")
    return pq.read_table(pa.BufferReader(data), schema=schema)


def _content_digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes; None where there is no regular file to read (ingest rejects it by name)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def fingerprint(config, files: list[str], size: int, stages: tuple[str, ...]) -> dict:
    """What a build's work folder was made from: its configuration, the package, the stages, the partition
    size, and the contents (SHA-256) of every source file and of sources.toml and corpus.toml. A resume
    with anything else would mix two builds' rows; a file edited in place keeps its size and may keep its
    modification time, so only its bytes tell."""
    sources = Path(config.sources)
    return {"config": config.recorded(), "sources": str(sources.resolve()), "partition_size": size,
            "bucket_documents": config.bucket_documents,
            "corpus": version("china-digital-governance-corpus"), "layers": list(stages),
            "files": [[name, _content_digest(sources / name)] for name in files],
            "metadata": {name: _content_digest(sources / name) for name in (SOURCES_TOML, CORPUS_TOML)}}


def work_folder(out: Path, name: str, fingerprint: dict, resume: bool = False) -> Path:
    """The build's scratch folder `out/.work-NAME` (on a shared file system, every Dask worker writes here),
    held by this process while it runs. A fresh build empties it; `resume` keeps what a failed or killed
    build of the same fingerprint (configuration, sources, partitions) finished, and refuses any other."""
    folder = Path(out).resolve() / f".work-{name}"  # absolute: workers run elsewhere
    holder = folder / _HOLDER
    pid = holder_pid(holder)
    if pid and pid != os.getpid() and pid_alive(pid):
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


def _digest(record) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def finished(marker: Path) -> tuple[dict, dict[str, np.ndarray], dict[str, pd.DataFrame]] | None:
    """What the task that wrote `marker` recorded (record, arrays, frames), or None when it did not finish.

    A marker is data, never code: JSON naming its side files (NumPy arrays read without pickle, Parquet
    frames) with their SHA-256, and the digest of all that. One that does not read back exactly as it was
    written (torn, edited, planted) counts as unfinished, and its task runs again."""
    try:
        stored = json.loads(Path(marker).read_text(encoding="utf-8"))
        body = stored["body"]
        if stored["sha256"] != _digest(body):
            return None
        arrays, frames = {}, {}
        for name, digest in body["files"].items():
            side = Path(marker).with_name(name)
            if "/" in name or not name.startswith(Path(marker).stem + ".") or _content_digest(side) != digest:
                return None
            if name.endswith(".npy"):
                arrays[name.rsplit(".", 2)[1]] = np.load(side, allow_pickle=False)
            else:
                frames[name.rsplit(".", 2)[1]] = read_spill(side)
        return body["record"], arrays, frames
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, pa.ArrowException):
        return None


def finish(marker: Path, record: dict, arrays: dict[str, np.ndarray] | None = None,
           frames: dict[str, pd.DataFrame] | None = None) -> None:
    """Record a finished task beside its pieces: `record` (JSON values), `arrays` and `frames` (named by
    words), each written in a side file first; the marker itself last, whole or not at all."""
    marker = Path(marker)
    marker.parent.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, array in (arrays or {}).items():
        side = marker.with_name(f"{marker.stem}.{name}.npy")
        np.save(side, array, allow_pickle=False)
        files[side.name] = _content_digest(side)
    for name, frame in (frames or {}).items():
        side = marker.with_name(f"{marker.stem}.{name}.parquet")
        spill(side, frame)
        files[side.name] = _content_digest(side)
    body = {"record": record, "files": files}
    tmp = marker.with_name(marker.name + f".{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"body": body, "sha256": _digest(body)}, fh, sort_keys=True, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, marker)


def remove_pieces(work: Path, label: str) -> None:
    """The pieces an unfinished task wrote, before it runs again."""
    for piece in Path(work).glob(f"*/b*-{label}.parquet"):
        piece.unlink()


def buckets_for(sources: int, bucket_documents: int) -> int:
    """How many buckets the pieces of a build of `sources` files have: one per `bucket_documents` files."""
    return max(1, -(-sources // bucket_documents))


def _buckets_of(doc_ids: list[str], buckets: int) -> np.ndarray:
    """Bucket of each doc_id (16 hex digits): its first 32 bits scaled to `buckets` equal ranges, in key order."""
    high = np.array([int(d[:8], 16) for d in doc_ids], dtype=np.uint64)
    return (high * np.uint64(buckets)) >> np.uint64(32)


def write_pieces(work: Path, label: str, tables: dict[str, pd.DataFrame], buckets: int) -> dict[str, str]:
    """Write each table's rows (cast to `schema/`) as `work/<table>/b<bucket>-<label>.parquet`; returns
    {`<table>/b<bucket>-<label>.parquet`: SHA-256} of the pieces written, for publish to check."""
    pieces = {}
    for name, df in tables.items():
        if df.empty:
            continue
        table = _table(name, df)
        # sorted by primary key, hence by doc_id: each bucket is one run of rows
        of = _buckets_of(table.column("doc_id").to_pylist(), buckets)
        (work / name).mkdir(parents=True, exist_ok=True)
        for bucket in np.unique(of):
            start, stop = np.searchsorted(of, bucket, side="left"), np.searchsorted(of, bucket, side="right")
            piece = f"{name}/b{bucket:05d}-{label}.parquet"
            pq.write_table(table.slice(start, stop - start), work / piece, **_PIECE_PARQUET)
            pieces[piece] = _content_digest(work / piece)
    return pieces


def spill(path: Path, df: pd.DataFrame) -> None:
    """Keep a frame between two passes on disk: every column, as the stages typed it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(df, preserve_index=False)
    # an object column of None only would come back as floats: keep it a string column
    table = table.cast(pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in table.schema]))
    pq.write_table(table, path, **_PIECE_PARQUET)


def spill_recorded(path: Path, df: pd.DataFrame) -> str:
    """spill `df` to `path`; returns the file's SHA-256, for its task's marker."""
    spill(path, df)
    return _content_digest(path)


def read_recorded(path: Path, digest: str) -> pd.DataFrame:
    """The frame spill_recorded wrote to `path`, read from the bytes whose SHA-256 its task recorded; ReleaseError
    when they changed since."""
    data = path.read_bytes() if path.is_file() and not path.is_symlink() else None
    if data is None or hashlib.sha256(data).hexdigest() != digest:
        raise ReleaseError(f"{path}: not the file its task wrote (missing or changed since); run the build again "
                           "without --resume")
    return pq.read_table(pa.BufferReader(data)).to_pandas()


def read_spill(path: Path, doc_ids: list[str] | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """A spilled frame (only the rows of `doc_ids` and the `columns`, when given) with the types the stages use."""
    table = pq.read_table(path, columns=columns,
                          filters=None if doc_ids is None else pc.field("doc_id").isin(pa.array(doc_ids, pa.string())))
    df = table.to_pandas(types_mapper=_STAGE_TYPES.get)
    for field in table.schema:
        if pa.types.is_string(field.type):  # object columns with None, as tables.frame makes them
            df[field.name] = df[field.name].astype(object).where(df[field.name].notna(), None)
    return df


