"""Release manifest (`manifest.json`): every file's SHA-256 and size, table row counts, the resolved
build configuration (with the corpus configuration under `config.corpus`) and the versions of every tool
that made the release. `verify` checks it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .errors import ChecksumError, CorpusError

__all__ = ["MANIFEST", "sha256_file", "read_manifest", "verify", "table_files"]

MANIFEST = "manifest.json"


def sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def table_files(files: dict[str, dict], table: str) -> list[str]:
    """The release files of `table` among a manifest's `files`: `<table>.parquet`, or its shards in order."""
    if f"{table}.parquet" in files:
        return [f"{table}.parquet"]
    return sorted(f for f in files if f.startswith(f"{table}/") and f.endswith(".parquet"))


def read_manifest(release: Path) -> dict:
    path = Path(release) / MANIFEST
    if not path.is_file():
        raise CorpusError(f"{release}: no {MANIFEST}; this is not a release folder (expected one written by `corpus build`)")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise CorpusError(f"{path}:{e.lineno}: not valid JSON ({e.msg}); the release is damaged, rebuild it") from None


def verify(release: Path) -> dict:
    """Recompute every checksum of `release`; raise ChecksumError listing (file, expected, actual) of each mismatch.

    Files that are missing count as mismatches (actual 'missing'); files not in the manifest are reported
    as unexpected (expected 'absent'). Returns the manifest when everything matches.
    """
    release = Path(release)
    manifest = read_manifest(release)
    mismatches = []
    for name, entry in sorted(manifest["files"].items()):
        path = release / name
        actual = sha256_file(path) if path.is_file() else "missing"
        if actual != entry["sha256"]:
            mismatches.append((name, entry["sha256"], actual))
    listed = set(manifest["files"]) | {MANIFEST}
    for path in sorted(release.rglob("*")):
        name = path.relative_to(release).as_posix()
        if path.is_file() and name not in listed:
            mismatches.append((name, "absent", sha256_file(path)))
    if mismatches:
        raise ChecksumError(str(release), mismatches)
    return manifest
