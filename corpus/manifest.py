"""Release manifest (`manifest.json`): every file's SHA-256 and size, table row counts, the resolved
build configuration (with the corpus configuration under `config.corpus`) and the versions of every tool
that made the release. `verify` checks it.

The manifest's own digest (`manifest_digest`) is written into the card and the CHANGELOG of its release,
and into the CHANGELOG of the next release: a table tampered with and a manifest edited to match no longer
agree with those records."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from .errors import ChecksumError, CorpusError
from .untrusted import MANIFEST, member

__all__ = ["MANIFEST", "sha256_file", "read_manifest", "verify", "table_files", "manifest_digest", "digest_line",
           "strip_digests", "RECORDS_DIGEST"]

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


_SHA256 = re.compile(r"[0-9a-f]{64}")
_ASCII_VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")


def read_manifest(release: Path) -> dict:
    """The manifest of `release`, checked for the shape `corpus build` writes (a malformed one is a
    CorpusError naming what is wrong, never a traceback further on)."""
    path = Path(release) / MANIFEST
    if path.is_symlink() or not path.is_file():
        raise CorpusError(f"{release}: no {MANIFEST}; this is not a release folder (expected one written by `corpus build`)")
    damaged = "the release is damaged or was not written by `corpus build`: rebuild or re-download it"
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise CorpusError(f"{path}: not UTF-8 text; {damaged}") from None
    except json.JSONDecodeError as e:
        raise CorpusError(f"{path}:{e.lineno}: not valid JSON ({e.msg}); {damaged}") from None
    except RecursionError:
        raise CorpusError(f"{path}: JSON nested too deeply; {damaged}") from None
    if problem := _shape_problem(manifest):
        raise CorpusError(f"{path}: {problem}; {damaged}")
    return manifest


def _shape_problem(manifest) -> str | None:
    """What keeps `manifest` from being one `corpus build` writes, or None."""
    if not isinstance(manifest, dict):
        return f"expected a JSON object, found {type(manifest).__name__}"
    version = manifest.get("version")
    if version is not None and not (isinstance(version, str) and _ASCII_VERSION.fullmatch(version)):
        return f"version {version!r} is not an ASCII MAJOR.MINOR.PATCH string"
    files = manifest.get("files")
    if not isinstance(files, dict):
        return "no 'files' object listing the release's files"
    for name, entry in files.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str) \
                or not _SHA256.fullmatch(entry["sha256"]):
            return f"file entry {name!r} has no sha256 of 64 hexadecimal digits"
        for key in ("rows", "bytes"):
            if key in entry and entry[key] is not None and (type(entry[key]) is not int or entry[key] < 0):
                return f"file entry {name!r} has {key} {entry[key]!r}, expected a count"
    return None


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
        path = member(release, name, "manifest entry")  # never hash a file outside the release
        actual = sha256_file(path) if path.is_file() else "missing"
        if actual != entry["sha256"]:
            mismatches.append((name, entry["sha256"], actual))
    listed, unexpected = set(manifest["files"]) | {MANIFEST}, []
    for folder, dirs, names in os.walk(release):  # links are listed, never followed
        for entry in dirs + names:
            path = Path(folder) / entry
            name = path.relative_to(release).as_posix()
            if path.is_symlink():
                unexpected.append((name, "absent", "a symbolic link"))
            elif path.is_file() and name not in listed:
                unexpected.append((name, "absent", sha256_file(path)))
    mismatches += sorted(unexpected)
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
