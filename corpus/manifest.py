"""Release manifest (`manifest.json`): every file's SHA-256 and size, table row counts, the resolved
build configuration (with the corpus configuration under `config.corpus`) and the versions of every tool
that made the release. `verify` checks it.

The manifest's own digest (`manifest_digest`) is written into the card and the CHANGELOG of its release,
and into the CHANGELOG of the next release: a table tampered with and a manifest edited to match no longer
agree with those records."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from .errors import ChecksumError, CorpusError

__all__ = ["MANIFEST", "sha256_file", "read_manifest", "verify", "table_files", "manifest_digest", "digest_line",
           "strip_digests", "RECORDS_DIGEST"]

MANIFEST = "manifest.json"
# The files of a release that record its manifest's digest: the digest leaves their own entries out.
RECORDS_DIGEST = ("README.md", "CHANGELOG.md")
_RECORDED = re.compile(r"Manifest SHA-256 \((\d+\.\d+\.\d+)\): `([0-9a-f]{64})`")


def manifest_digest(manifest: dict) -> str:
    """SHA-256 of the manifest as written (sorted keys, UTF-8), without the entries of RECORDS_DIGEST."""
    files = {k: v for k, v in manifest["files"].items() if k not in RECORDS_DIGEST}
    text = json.dumps({**manifest, "files": files}, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def strip_digests(data: bytes) -> bytes:
    """A card's or changelog's bytes without the manifest digests they record (which follow from the tool
    versions in the manifest, among the rest: two builds alike but for those are the same release)."""
    return re.sub(_RECORDED.pattern.encode(), b"", data)


def digest_line(version: str, digest: str) -> str:
    """How the card and the changelogs record a manifest's digest (what `verify` reads back)."""
    return f"Manifest SHA-256 ({version}): `{digest}`"


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
    as unexpected (expected 'absent'); a manifest whose digest differs from the one its card, its CHANGELOG
    or a later release's CHANGELOG in the same folder records is a mismatch of `manifest.json`. Returns the
    manifest when everything matches.
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
    mismatches += _recorded_digests(release, manifest)
    if mismatches:
        raise ChecksumError(str(release), mismatches)
    return manifest


def _recorded_digests(release: Path, manifest: dict) -> list[tuple[str, str, str]]:
    """(manifest.json (recorded in FILE), recorded, actual) for each record of this manifest's digest that differs."""
    version = manifest.get("version") or release.name
    actual = manifest_digest(manifest)
    records = [release / name for name in RECORDS_DIGEST]
    later = [p for p in sorted(release.parent.glob("*/CHANGELOG.md")) if p.parent != release]
    found = []
    for path in records + later:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for recorded_version, recorded in _RECORDED.findall(text):
            if recorded_version == version and recorded != actual:
                where = path.name if path.parent == release else f"{path.parent.name}/{path.name}"
                found.append((f"{MANIFEST} (recorded in {where})", recorded, actual))
                break
    return found
