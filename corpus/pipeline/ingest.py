"""Ingest: read every file under the sources folder into a `documents` row.

The only stage that reads files. Every file gets exactly one row: decoded (status `built`,
to be refined by later stages) or `rejected` with a `reject_reason`. `sources.toml` supplies
metadata; its problems stop the build before anything is written (`SourcesError`).
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from ..config import IngestConfig
from ..divisions import issuer_level
from ..errors import SourcesError
from ..tables import frame

__all__ = ["ingest", "list_sources", "read_manifest", "doc_id_for", "decode", "html_text"]

MANIFEST = "sources.toml"
MANIFEST_KEYS = {"file": str, "title": str, "authors": (str, list), "publisher": str, "published": (str, object),
                 "url": str, "license": str, "notes": str, "genre": str, "issuer": str}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def doc_id_for(source_file: str) -> str:
    """Stable document ID from the source identity (its relative path), never from its text."""
    return hashlib.sha256(f"doc:{source_file}".encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class _Entry:
    line: int
    values: dict


def read_manifest(sources: Path) -> tuple[dict[str, dict], list[str]]:
    """Parse `sources.toml`: ({file: metadata}, warnings). Raises SourcesError listing every error."""
    path = sources / MANIFEST
    if not path.exists():
        return {}, []
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = getattr(e, "lineno", None) or _line_from_message(str(e))
        raise SourcesError([f"{path}:{line}: malformed TOML ({e}); fix the syntax at that line"]) from None
    errors, warnings, meta = [], [], {}
    header_lines = [i + 1 for i, l in enumerate(text.splitlines()) if l.strip().startswith("[[document]]")]
    for key in data:
        if key != "document":
            warnings.append(f"{path}: unknown top-level key {key!r} ignored; expected [[document]] tables")
    entries = data.get("document", [])
    if not isinstance(entries, list):
        raise SourcesError([f"{path}:1: 'document' must be an array of tables written [[document]]"])
    root = sources.resolve()
    for i, entry in enumerate(entries):
        line = header_lines[i] if i < len(header_lines) else 1

        def where(key: str, line: int = line) -> str:
            return f"{path}:{_key_line(text, line, key)}"

        for key in entry:
            if key not in MANIFEST_KEYS:
                warnings.append(f"{where(key)}: unknown key {key!r} ignored; known keys: {', '.join(MANIFEST_KEYS)}")
        file = entry.get("file")
        if not isinstance(file, str) or not file:
            errors.append(f"{path}:{line}: entry {i + 1} needs key 'file' (a path relative to {sources})")
            continue
        target = (sources / file).resolve()
        if Path(file).is_absolute() or not target.is_relative_to(root):
            errors.append(f"{where('file')}: key 'file': {file!r} escapes the sources folder; give a path inside {sources}")
            continue
        if not (sources / file).exists():
            errors.append(f"{where('file')}: key 'file': {file!r} does not exist in {sources}; fix the name or add the file")
            continue
        values = {}
        for key, expected in MANIFEST_KEYS.items():
            if key not in entry or key == "file":
                continue
            value = entry[key]
            if key == "authors":
                if isinstance(value, list) and all(isinstance(a, str) for a in value):
                    value = "; ".join(value)
                elif not isinstance(value, str):
                    errors.append(f"{where(key)}: key 'authors': expected a string or a list of strings, got {type(value).__name__}")
                    continue
            elif key == "published":
                value = str(value)
                if not _DATE.match(value):
                    errors.append(f"{where(key)}: key 'published': expected a date like 2023-06-01, 2023-06 or 2023, got {value!r}")
                    continue
            elif not isinstance(value, str):
                errors.append(f"{where(key)}: key {key!r}: expected a string, got {type(value).__name__} {value!r}")
                continue
            values[key] = value
        rel = target.relative_to(root).as_posix()
        if rel in meta:
            errors.append(f"{where('file')}: key 'file': {file!r} is listed twice; keep one entry")
        meta[rel] = values
    if errors:
        raise SourcesError(errors)
    return meta, warnings


def _line_from_message(message: str) -> int:
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else 1


def _key_line(text: str, entry_line: int, key: str) -> int:
    lines = text.splitlines()
    for n in range(entry_line, len(lines)):
        stripped = lines[n].strip()
        if stripped.startswith("[["):
            break
        if re.match(rf"{re.escape(key)}\s*=", stripped):
            return n + 1
    return entry_line


def _walk(sources: Path) -> list[tuple[str, Path]]:
    """Every entry under `sources`, sorted, without following directory symlinks (no loops)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(sources, followlinks=False):
        dirnames.sort()
        base = Path(dirpath)
        for name in sorted(filenames) + sorted(d for d in dirnames if (base / d).is_symlink()):
            path = base / name
            rel = path.relative_to(sources).as_posix()
            if rel != MANIFEST:
                found.append((rel, path))
    return sorted(found)


_BOMS = [(b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")]
# Candidates for charset-normalizer, in the order we trust them for this corpus's languages.
_CANDIDATES = ["utf_16", "gb18030", "big5", "cp1252", "shift_jis", "euc_kr", "koi8_r", "cp1251", "latin_1"]


def decode(raw: bytes) -> tuple[str | None, str | None, str | None]:
    """(text, encoding, reject_reason). Text is None when the bytes are rejected."""
    if not raw:
        return None, None, "empty"
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), codec, None
            except UnicodeDecodeError:
                return None, None, "undecodable"
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(raw, cp_isolation=_CANDIDATES).best()
        if best is None:
            return None, None, "binary" if _looks_binary(raw) else "undecodable"
        text, encoding = str(best), best.encoding
    if "\x00" in text or _control_share(text) > 0.05:
        return None, None, "binary"
    return text, encoding, None


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:65536]
    return b"\x00" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) * 0.05


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


def _control_share(text: str) -> float:
    sample = text[:65536]
    return len(_CONTROL_CHARS.findall(sample)) / len(sample) if sample else 0.0


class _VisibleText(HTMLParser):
    """Visible text of an HTML page: no script, style, template or comments; blocks on their own lines."""

    _HIDDEN = {"script", "style", "template", "noscript", "head", "svg"}
    _BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
              "article", "header", "footer", "blockquote", "pre", "title", "hr", "dd", "dt", "figcaption"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in self._HIDDEN and tag != "head":
            self.hidden += 1
        if tag == "title":
            self._in_title = True
        if tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self._HIDDEN and tag != "head" and self.hidden:
            self.hidden -= 1
        if tag == "title":
            self._in_title = False
        if tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self.hidden:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_text(markup: str) -> tuple[str, str]:
    """(visible text, <title>) of an HTML document."""
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip(), parser.title.strip()


def _format(path: Path, config: IngestConfig) -> str:
    suffix = path.suffix.lower()
    if suffix not in config.extensions:
        return "other"
    return "html" if suffix in (".html", ".htm") else suffix.lstrip(".")


def _read_one(rel: str, path: Path, root: Path, config: IngestConfig) -> dict:
    row = {"doc_id": doc_id_for(rel), "source_file": rel, "format": _format(path, config), "text": "",
           "sha256": hashlib.sha256(b"").hexdigest(), "bytes": 0, "status": "rejected"}
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):  # dangling link, or a loop of links
            return {**row, "reject_reason": "broken_symlink"}
        if not target.is_relative_to(root):
            return {**row, "reject_reason": "symlink_outside_sources"}
        if target.is_dir():
            return {**row, "reject_reason": "symlink_to_directory"}
    if not path.is_file():
        return {**row, "reject_reason": "not_a_file"}
    size = path.stat().st_size
    if size > config.max_bytes:
        with path.open("rb") as fh:  # hash in chunks: bounded memory for huge files
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        return {**row, "bytes": size, "sha256": digest, "reject_reason": "too_large"}
    try:
        raw = path.read_bytes()
    except OSError:
        return {**row, "reject_reason": "unreadable"}
    row.update(bytes=len(raw), sha256=hashlib.sha256(raw).hexdigest())
    if row["format"] == "other":
        return {**row, "reject_reason": "unsupported_format"}
    text, encoding, reason = decode(raw)
    row["encoding"] = encoding
    if reason:
        return {**row, "reject_reason": reason}
    page_title = ""
    if row["format"] == "html":
        text, page_title = html_text(text)
    if not text.strip():
        return {**row, "reject_reason": "whitespace_only"}
    return {**row, "text": text, "status": "built", "title": page_title or None}


def list_sources(sources: Path) -> list[str]:
    """The relative paths of every entry under `sources` that ingest reads (sources.toml aside), sorted."""
    return [rel for rel, _ in _walk(Path(sources))]


def ingest(sources: Path, config: IngestConfig = IngestConfig(),
           files: list[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Read `sources` (or only `files`, paths relative to it) into `documents` rows; returns (documents, warnings).

    Columns set here: doc_id, source_file, format, text (decoded, uncleaned), sha256, bytes,
    encoding, status (built or rejected), reject_reason, and the metadata of `sources.toml`
    (title, authors, publisher, published, url, license, notes, genre, issuer, metadata_source), and the
    issuer's level and province derived from its name (issuer_level, province; see corpus/divisions.py).
    """
    sources = Path(sources)
    if not sources.is_dir():
        raise SourcesError([f"{sources}: not a folder; pass --sources with a folder of .txt, .md or .html files"])
    meta, warnings = read_manifest(sources)
    root = sources.resolve()
    entries = _walk(sources) if files is None else [(rel, sources / rel) for rel in files]
    rows = []
    for rel, path in entries:
        row = _read_one(rel, path, root, config)
        known = meta.get(rel)
        row.update(known or {})
        row["issuer_level"], row["province"] = issuer_level(row.get("issuer"))
        row["metadata_source"] = "sources.toml" if known is not None else "inferred"
        rows.append(row)
    return frame("documents", rows), warnings
