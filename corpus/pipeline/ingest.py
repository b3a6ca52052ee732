"""Ingest: read every file under the sources folder into a `documents` row.

The only stage that reads files. Every file gets exactly one row: decoded (status `built`,
to be refined by later stages) or `rejected` with a `reject_reason`. `sources.toml` supplies
metadata; its problems stop the build before anything is written (`SourcesError`).

Bytes become text here, by one charset logic for every format: a BOM, else (HTML) the page's own
`<meta charset>` when the bytes fit it, else UTF-8 (with a few stray bytes replaced and counted),
else byte detection. The readers in `readers/` then take the main content of HTML (trafilatura),
the blocks of Markdown (markdown-it-py), the laid-out pages of PDF (pypdfium2, after pypdf's checks) and the
body of DOCX (python-docx).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from ..config import CORPUS_TOML, IngestConfig
from ..corpus_toml import read_toml
from ..divisions import issuer_level
from ..errors import CorpusError, SourcesError
from ..metadata import parse_date
from ..tables import frame
from .guard import Failure, reader_failure
from .layer import Layer, dists
from .readers import Extracted
from .readers.docx import DocxUnreadable, read_docx
from .readers.html import declared_charset, read_html, visible_text
from .readers.markdown import read_markdown
from .readers.pdf import PdfUnreadable, read_pdf

__all__ = ["ingest", "list_sources", "read_manifest", "doc_id_for", "decode", "html_text", "display_name"]

MANIFEST = "sources.toml"
MANIFEST_KEYS = {"file": str, "title": str, "authors": (str, list), "publisher": str, "published": (str, object),
                 "url": str, "license": str, "notes": str, "genre": str, "issuer": str}


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
    if not (path.exists() or path.is_symlink()):
        return {}, []
    text, data = read_toml(path)
    lines = text.splitlines()
    errors, warnings, meta = [], [], {}
    header_lines = [i + 1 for i, l in enumerate(lines) if l.strip().startswith("[[document]]")]
    for key in data:
        if key not in ("document", "corpus"):  # [corpus] is read by corpus_toml.read_corpus_info
            warnings.append(f"{path}: unknown top-level key {key!r} ignored; expected [[document]] tables")
    entries = data.get("document", [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise SourcesError([f"{path}:1: 'document' must be an array of tables written [[document]] with "
                            f"file = \"...\" in each, got {entries!r:.80}"])
    root = sources.resolve()
    for i, entry in enumerate(entries):
        line = header_lines[i] if i < len(header_lines) else 1

        key_lines = _key_lines(lines, line)

        def where(key: str, line: int = line, key_lines: dict = key_lines) -> str:
            return f"{path}:{key_lines.get(key, line)}"

        unknown = [key for key in entry if key not in MANIFEST_KEYS]
        if unknown:  # one warning per entry, however many keys: a generated file may carry thousands
            shown = ", ".join(repr(k) for k in unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
            keys = "key" if len(unknown) == 1 else "keys"
            warnings.append(f"{where(unknown[0])}: unknown {keys} {shown} ignored; known keys: {', '.join(MANIFEST_KEYS)}")
        file = entry.get("file")
        if not isinstance(file, str) or not file:
            errors.append(f"{path}:{line}: entry {i + 1} needs key 'file' (a path relative to {sources})")
            continue
        if "\x00" in file:
            errors.append(f"{where('file')}: key 'file': {file!r} contains a NUL character; give a file name")
            continue
        target = (sources / file).resolve()
        if Path(file).is_absolute() or not target.is_relative_to(root):
            errors.append(f"{where('file')}: key 'file': {file!r} escapes the sources folder; give a path inside {sources}")
            continue
        if not (sources / file).exists():
            errors.append(f"{where('file')}: key 'file': {file!r} does not exist in {sources}; fix the name or add the file")
            continue
        if target == root or not target.is_file():
            errors.append(f"{where('file')}: key 'file': {file!r} is a folder, not a file; metadata describes one "
                          "file: give its path")
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
                try:
                    parse_date(value)
                except ValueError as e:
                    errors.append(f"{where(key)}: key 'published': {e}")
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


# The last sources.toml parsed in this process: (folder, digest of its bytes) -> (metadata, warnings).
_PARSED: dict[tuple[str, str], tuple[dict[str, dict], list[str]]] = {}


def _manifest(sources: Path) -> tuple[dict[str, dict], list[str]]:
    """read_manifest, once per process for each content of the file: every partition of a build ingests
    with the same sources.toml, and re-parsing it for each made a build quadratic in the number of files
    (8,000 entries: one parse per 1,000-file partition)."""
    path = sources / MANIFEST
    if not path.is_file():  # missing, or a FIFO that reading would wait on: read_manifest says which
        return read_manifest(sources)
    try:
        raw = path.read_bytes()
    except OSError:
        return read_manifest(sources)
    key = (str(sources.resolve()), hashlib.sha256(raw).hexdigest())
    if key not in _PARSED:
        _PARSED.clear()
        _PARSED[key] = read_manifest(sources)
    meta, warnings = _PARSED[key]
    return meta, list(warnings)


_KEY = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")


def _key_lines(lines: list[str], entry_line: int) -> dict[str, int]:
    """{key: line} of the entry starting at `entry_line`, read in one pass over that entry."""
    found: dict[str, int] = {}
    for n in range(entry_line, len(lines)):
        if lines[n].lstrip().startswith("[["):
            break
        if m := _KEY.match(lines[n]):
            key = m.group(1)
            found.setdefault(key[1:-1] if key[0] in "\"'" else key, n + 1)
    return found


def _walk(sources: Path) -> list[tuple[str, Path]]:
    """Every entry under `sources`, sorted, without following directory symlinks (no loops); a folder that
    cannot be listed is an entry of its own (ingest rejects it, `unreadable_folder`). Iterative: a tree
    thousands of folders deep is walked without recursion."""
    found, pending = [], [sources]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            if folder == sources:
                raise
            found.append((Path(folder).relative_to(sources).as_posix(), Path(folder)))
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:  # the folder can be listed but not entered: its files are rejected one by one
                is_folder = False
            if is_folder:
                pending.append(path)
                continue
            rel = path.relative_to(sources).as_posix()
            if rel not in (MANIFEST, CORPUS_TOML):
                found.append((rel, path))
    return sorted(found)


_BOMS = [(b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")]
# Candidates for charset-normalizer, in the order we trust them for this corpus's languages. UTF-16 without
# a BOM comes last: CJK in UTF-16 has no NUL bytes to give it away (_utf16_without_bom), only its coherence.
_CANDIDATES = ["gb18030", "big5", "cp1252", "shift_jis", "euc_kr", "koi8_r", "cp1251", "utf_16_le", "utf_16_be"]
# UTF-8 with a few bad bytes (a pasted cp1252 quote) stays UTF-8, the bad bytes replaced and counted: each bad
# byte stands alone (a legacy multi-byte codec leaves runs of them), and they are few beside the valid
# non-ASCII characters, or one in _STRAY_BYTE_SPACING bytes of a mostly ASCII text (a cp1252 text in
# French or Spanish has an accent every few dozen bytes).
_MAX_BAD_PER_VALID = 0.25
_STRAY_BYTE_SPACING = 100
# Text with more control characters than this share (besides tab, line and page breaks) is binary.
_MAX_CONTROL_SHARE = 0.05
# A text whose valid UTF-8 lines hold this share of its non-ASCII bytes, the other lines in one legacy
# codec, was pasted together from two sources: each line is decoded by its own codec.
_MIN_MIXED_UTF8_SHARE = 0.2


def decode(raw: bytes, declared: str | None = None) -> tuple[str | None, str | None, str | None]:
    """(text, encoding, reject_reason): the BOM, else `declared` (a page's own charset) when the bytes
    fit it, else byte detection. Text is None when the bytes are rejected."""
    text, encoding, reason, _ = decode_counting(raw, declared)
    return text, encoding, reason


def decode_counting(raw: bytes, declared: str | None = None) -> tuple[str | None, str | None, str | None, int]:
    """decode, and the number of invalid bytes replaced by U+FFFD."""
    if not raw:
        return None, None, "empty", 0
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return _checked(raw.decode(codec), codec, 0)
            except UnicodeDecodeError:
                return None, None, "undecodable", 0
    utf16 = _utf16_without_bom(raw)  # before UTF-8: NUL bytes are valid UTF-8
    if utf16:
        try:
            return _checked(raw.decode(utf16), utf16, 0)
        except UnicodeDecodeError:
            pass
    utf8, bad = _utf8(raw)
    if utf8 is not None and (bad == 0 or declared in (None, "utf_8")):
        return _checked(utf8, "utf-8", bad)
    if declared and declared != "utf_8":
        found = _declared(raw, declared)
        if found is not None:
            return found
        # else the declaration is wrong: detect from the bytes
    mixed = _mixed(raw)
    if mixed is not None:
        return mixed
    matches = _detect(raw)
    if not any(_is_cjk(m.encoding) for m in matches):
        # a few bad bytes made the detector drop the CJK codecs: the one whose frequent characters the text uses
        readings = [found for codec in ("gb18030", "big5hkscs") if (found := _han_text(raw, codec)) is not None]
        if readings:
            return max(readings, key=lambda found: _frequent_share(found[0], found[1]))
    for match in matches:  # the most coherent first; a decoding full of control characters is not it
        found = _checked(str(match), match.encoding, 0)
        if found[2] is None:
            return found
    return None, None, "binary" if _control_share(raw[:65536].decode("latin-1")) > _MAX_CONTROL_SHARE \
        else "undecodable", 0


def _detect(raw: bytes, candidates: list[str] = _CANDIDATES):
    from charset_normalizer import from_bytes

    return from_bytes(raw, cp_isolation=candidates)


def _declared(raw: bytes, declared: str) -> tuple | None:
    """The bytes decoded by the page's declared legacy charset when they read as that charset (a few stray
    bytes aside); None when they read as another one (a wrong declaration: Shift-JIS declared GB2312 decodes
    without an error, into nonsense)."""
    try:
        text = raw.decode(declared, errors="corpus-resync" if _is_cjk(declared) else "replace")
    except LookupError:
        return None
    bad = text.count("\ufffd")  # legacy codecs have no U+FFFD of their own (gb18030's is never used)
    if bad > _MAX_BAD_PER_VALID * _non_ascii(raw) / 2:  # more than a few stray bytes among its byte pairs
        return None
    matches = _detect(raw, [declared] + _CANDIDATES)
    names = {codecs.lookup(m.encoding).name for m in matches}
    if names and codecs.lookup(declared).name not in names:
        # it decodes, yet reads as text only in another charset; unless the other is a Cyrillic or Latin
        # one chosen for want of the CJK codec a few stray bytes ruled out, and the page reads as Han text
        if not (_is_cjk(declared) and not any(_is_cjk(m.encoding) for m in matches)
                and _han_text(raw, declared) is not None):
            return None
    found = _checked(text, declared, bad)
    return found if found[2] is None else None


# Codecs of Chinese, Japanese and Korean text: two bytes a character, which a single-byte codec also decodes
# (into Cyrillic or accented Latin) when a stray byte has ruled the CJK codec out for the detector.
_CJK = {codecs.lookup(c).name for c in ("gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "shift_jis",
                                        "cp932", "euc_jp", "euc_kr", "cp949", "iso2022_jp", "hz")}
# Han text: most of its non-ASCII characters are Han or CJK punctuation, and at most one byte in a hundred of
# its non-ASCII bytes is invalid (a Cyrillic or Latin text read as GBK breaks a pair at most word ends).
_GB = {codecs.lookup(c).name for c in ("gb18030", "gbk", "gb2312", "hz")}
_MIN_HAN_SHARE = 0.6
_MAX_BAD_IN_HAN = 0.01
_HAN_OR_CJK_PUNCTUATION = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


# How many bytes past a bad byte the decoder looks to tell whether the text goes on in step or one byte later.
_RESYNC_WINDOW = 64


def _in_step(raw: bytes, codec: str) -> int:
    """How well `raw` reads in `codec` from its first byte: its ASCII and, for the GB family, its common
    characters (GB2312's punctuation rows and its first level of 3,755 frequent Hanzi) count for it, other
    characters (what a pair shifted by one byte mostly decodes to) against it."""
    common = codecs.lookup(codec).name in _GB
    score = 0
    for ch in raw.decode(codec, errors="replace"):
        if ord(ch) < 0x80:
            score += 1
        elif ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff":
            score -= 1
        elif not common:
            score += 1
        else:
            try:
                lead = ch.encode("gb2312")[0]
            except UnicodeEncodeError:
                lead = 0
            score += 1 if 0xA1 <= lead <= 0xA3 or 0xB0 <= lead <= 0xD7 else -1
    return score


def _resync(error: UnicodeDecodeError) -> tuple[str, int]:
    """Replace a bad byte of a two-byte codec and go on where the following bytes read in step: a stray byte
    inside a character would otherwise shift every pair after it into other, rare characters to the line's end."""
    raw, end = error.object, error.end
    ahead = [(_in_step(raw[at:at + _RESYNC_WINDOW], error.encoding), -at) for at in (end, end + 1, end + 2) if at <= len(raw)]
    at = -max(ahead)[1] if ahead else end
    return "\ufffd" * (at - error.start), at


codecs.register_error("corpus-resync", _resync)


def _is_cjk(codec: str) -> bool:
    try:
        return codecs.lookup(codec).name in _CJK
    except LookupError:
        return False


# Where each codec keeps its frequent Hanzi (lead bytes): GB2312's first level (3,755 characters), Big5's
# frequently used block (5,401 characters). A text read in the wrong one of the two lands mostly outside them.
_FREQUENT_LEADS = {"gb18030": ("gb2312", 0xB0, 0xD7), "big5hkscs": ("big5", 0xA4, 0xC6)}


def _frequent_share(text: str, codec: str) -> float:
    """The share of the text's non-ASCII characters that are frequent Hanzi of `codec`'s repertoire."""
    repertoire, low, high = _FREQUENT_LEADS[codec]
    non_ascii = [ch for ch in text if ord(ch) > 0x7f and ch != "\ufffd"]
    frequent = 0
    for ch in non_ascii:
        try:
            frequent += low <= ch.encode(repertoire)[0] <= high
        except UnicodeEncodeError:
            pass
    return frequent / len(non_ascii) if non_ascii else 0.0


def _han_text(raw: bytes, codec: str) -> tuple | None:
    """The bytes decoded by a CJK codec, stray bytes replaced and counted, when they read as Han text; else None."""
    text = raw.decode(codec, errors="corpus-resync")
    bad = text.count("\ufffd")
    non_ascii = [ch for ch in text if ord(ch) > 0x7f and ch != "\ufffd"]
    if not non_ascii or bad > _MAX_BAD_IN_HAN * _non_ascii(raw):
        return None
    han = sum(1 for ch in non_ascii if _HAN_OR_CJK_PUNCTUATION.match(ch))
    if han < _MIN_HAN_SHARE * len(non_ascii):
        return None
    found = _checked(text, codec, bad)
    return found if found[2] is None else None


def _mixed(raw: bytes) -> tuple | None:
    """Text pasted together from UTF-8 and one legacy codec, decoded line by line: the valid UTF-8 lines
    as UTF-8, the others as the codec detected over all of them (encoding `utf-8+CODEC`)."""
    lines = [(line, _is_utf8(line)) for line in raw.splitlines(keepends=True)]
    other = b"".join(line for line, utf8 in lines if not utf8)
    in_utf8 = _non_ascii(raw) - _non_ascii(other)
    if not other or in_utf8 < _MIN_MIXED_UTF8_SHARE * _non_ascii(raw):
        return None
    match = _detect(other).best()
    if match is None:
        return None
    codec = match.encoding
    text = "".join(line.decode("utf-8") if utf8 else line.decode(codec, errors="replace") for line, utf8 in lines)
    return _checked(text, f"utf-8+{codec}", text.count("\ufffd"))


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


_ASCII = bytes(range(0x80))


def _non_ascii(raw: bytes) -> int:
    return len(raw.translate(None, _ASCII))


def _checked(text: str, encoding: str, bad: int) -> tuple[str | None, str | None, str | None, int]:
    if _control_share(text) > _MAX_CONTROL_SHARE:
        return None, None, "binary", 0
    return text, encoding, None, bad


# Well-formed in shape but forbidden: overlong forms of 2, 3 and 4 bytes, and UTF-16 surrogates.
_OVERLONG = re.compile(rb"[\xc0\xc1][\x80-\xbf]|\xe0[\x80-\x9f][\x80-\xbf]|\xed[\xa0-\xbf][\x80-\xbf]"
                       rb"|\xf0[\x80-\x8f][\x80-\xbf]{2}")


def _utf8(raw: bytes) -> tuple[str | None, int]:
    """(UTF-8 text, bad bytes replaced) when the bytes are UTF-8 but for a few stray ones; (None, count) otherwise."""
    try:
        return raw.decode("utf-8"), 0
    except UnicodeDecodeError:
        pass
    # An overlong or surrogate sequence (C0 AF for '/') decodes to one U+FFFD per byte, which would read
    # like a legacy codec's text and garble every character around it: one U+FFFD for the whole sequence.
    text = _OVERLONG.sub("\ufffd".encode("utf-8"), raw).decode("utf-8", errors="replace")
    # Each maximal invalid subsequence becomes one U+FFFD; count the bytes the valid part does not explain.
    bad = len(raw) - len(text.replace("\ufffd", "").encode("utf-8")) - 3 * raw.count("\ufffd".encode("utf-8"))
    valid = len(text) - len(text.encode("ascii", errors="ignore")) - text.count("\ufffd")
    stray = "\ufffd\ufffd" not in text and (bad <= _MAX_BAD_PER_VALID * valid or bad * _STRAY_BYTE_SPACING <= len(raw))
    return (text, bad) if stray else (None, bad)


# UTF-16 without a BOM is told by where its NUL bytes fall: fewer bytes than this are no evidence.
_MIN_UTF16_BYTES = 16


def _utf16_without_bom(raw: bytes) -> str | None:
    """utf-16-le or -be when the NUL bytes fall on one side of the byte pairs, as in UTF-16 of Latin text."""
    sample = raw[:65536 - 65536 % 2] if len(raw) % 2 == 0 else b""
    if len(sample) < _MIN_UTF16_BYTES:  # a few bytes with a NUL are as likely UTF-8 with a NUL character
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    pairs = len(sample) // 2
    if odd >= 0.3 * pairs and even <= 0.01 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.01 * pairs:
        return "utf-16-be"
    return None


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


def _control_share(text: str) -> float:
    sample = text[:65536]
    return len(_CONTROL_CHARS.findall(sample)) / len(sample) if sample else 0.0


def html_text(markup: str) -> tuple[str, str]:
    """(visible text, <title>) of an HTML document."""
    return visible_text(markup)


_FORMATS = {".html": "html", ".htm": "html", ".xhtml": "html", ".md": "md", ".markdown": "md", ".pdf": "pdf",
            ".docx": "docx"}


def _format(path: Path, config: IngestConfig) -> str:
    suffix = path.suffix.lower()
    if suffix not in config.extensions:
        return "other"
    return _FORMATS.get(suffix, suffix.lstrip("."))


def display_name(rel: str) -> str:
    """The path as stored in `documents.source_file`: bytes of a non-UTF-8 file name shown as \\xNN escapes."""
    return os.fsencode(rel).decode("utf-8", errors="backslashreplace")


def _read_bounded(path: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes: a file whose size the system misreports (/proc, devices) cannot flood memory."""
    with path.open("rb") as fh:
        return fh.read(limit + 1)


def _extract(fmt: str, raw: bytes) -> tuple[dict, str | None]:
    """({row fields}, reject_reason) of the bytes of one file in format `fmt`."""
    fields: dict = {}
    if fmt == "pdf":
        try:
            extracted = read_pdf(raw)
        except PdfUnreadable as e:
            return fields, e.args[0]
    elif fmt == "docx":
        try:
            extracted = read_docx(raw)
        except DocxUnreadable as e:
            return fields, e.args[0]
    else:
        declared = None
        if fmt == "html":
            declared = declared_charset(raw)
        text, encoding, reason, bad = decode_counting(raw, declared)
        fields.update(encoding=encoding, replaced_bytes=bad)
        if reason:
            return fields, reason
        if fmt == "html":
            extracted = read_html(text)
        elif fmt == "md":
            extracted = read_markdown(text)
        else:
            extracted = Extracted(text, "plain")
    fields.update(text=extracted.text, extractor=extracted.extractor, extraction_fallback=extracted.fallback,
                  quality_flags=quality_flags(extracted.text, extracted.fallback, fields.get("encoding")))
    found = {k: getattr(extracted, k) for k in ("title", "authors", "published", "url")}
    fields["found"] = {k: v for k, v in found.items() if v}
    fields["found_sources"] = {f"{k}_source": getattr(extracted, f"{k}_source") or _FILE_METADATA[fmt]
                               for k in _SOURCED if found[k]}
    if not extracted.text.strip():
        return fields, "no_text_layer" if fmt == "pdf" else "whitespace_only"
    return fields, None


# Where a reader's metadata comes from when it does not say: the file's own metadata fields.
_FILE_METADATA = {"pdf": "pdf-info", "md": "front-matter", "html": "html-meta", "txt": "text", "docx": "docx-core"}
_SOURCED = ("title", "authors", "published")
# ftfy's badness (sequences of characters that are rarely text and often mis-decoded bytes) per this many
# characters, beyond which a text is flagged as mojibake; ftfy.is_bad says whether one such sequence exists.
_MOJIBAKE_PER_CHARS = 2000
# Replaced bytes (U+FFFD) beyond one in this many characters: the text was not decoded, whatever its codec
# (a few stray bytes are counted in replaced_bytes, not flagged).
_MAX_REPLACED_PER_CHARS = 20


def _misaligned(text: str, encoding: str | None) -> bool:
    """Mojibake ftfy does not see: two-byte text read one byte out of step (a stray byte that forms a valid pair
    with the next one shifts every pair after it) turns into private-use and rare characters. Normal text has
    next to none of the first, and in the GB family few characters outside GB2312."""
    non_ascii = [ch for ch in text if ord(ch) > 0x7f]
    private = sum(1 for ch in non_ascii if "\ue000" <= ch <= "\uf8ff")
    if private >= _MIN_PRIVATE_USE and private > _MAX_PRIVATE_USE_SHARE * len(non_ascii):
        return True
    if not encoding or not _is_cjk(encoding) or codecs.lookup(encoding).name not in _GB:
        return False
    han = [ch for ch in non_ascii if _HAN_OR_CJK_PUNCTUATION.match(ch)]
    rare = 0
    for ch in han:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            rare += 1
    return len(han) >= _MIN_HAN_FOR_RARE and rare > _MAX_RARE_SHARE * len(han)


# Private-use characters: at least this many, and more than this share of the non-ASCII ones, are mojibake; so is
# a GB-family text with more than _MAX_RARE_SHARE of its Han characters outside GB2312 (of _MIN_HAN_FOR_RARE or more).
_MIN_PRIVATE_USE = 3
_MAX_PRIVATE_USE_SHARE = 0.01
_MIN_HAN_FOR_RARE = 20
_MAX_RARE_SHARE = 0.2


def quality_flags(text: str, fallback: bool = False, encoding: str | None = None) -> str | None:
    """What a reader of the text should know before trusting it, space-separated: `mojibake` (ftfy finds
    mis-decoded sequences, more than one per _MOJIBAKE_PER_CHARS characters; more than one character in
    _MAX_REPLACED_PER_CHARS is U+FFFD; or two-byte text read out of step, _misaligned),
    `extraction_fallback` (the visible text of a page, chrome and all). None when there is nothing to say."""
    from ftfy.badness import badness

    flags = []
    if text and (badness(text.replace("\ufffd", "")) * _MOJIBAKE_PER_CHARS > len(text)
                 or text.count("\ufffd") * _MAX_REPLACED_PER_CHARS > len(text) or _misaligned(text, encoding)):
        flags.append("mojibake")
    if fallback:
        flags.append("extraction_fallback")
    return " ".join(flags) or None


def _kind(path: Path, root: Path) -> str | None:
    """Why `path` is not a regular file inside the sources to read, or None. OSError when it cannot be looked at."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):  # dangling link, or a loop of links
            return "broken_symlink"
        if not target.is_relative_to(root):
            return "symlink_outside_sources"
        if target.is_dir():
            return "symlink_to_directory"
    if path.is_dir():  # the walk gives a folder only when it could not list it
        return "unreadable_folder"
    if not path.is_file():  # FIFOs, sockets and devices: opening or reading them may never end
        return "not_a_file"
    return None


def _read_one(rel: str, path: Path, root: Path, config: IngestConfig) -> dict:
    row = {"doc_id": doc_id_for(display_name(rel)), "source_file": display_name(rel), "format": _format(path, config),
           "text": "", "sha256": hashlib.sha256(b"").hexdigest(), "bytes": 0, "status": "rejected"}
    try:
        kind = _kind(path, root)
        if kind:
            return {**row, "reject_reason": kind}
        size = path.stat().st_size
        if size > config.max_bytes:
            with path.open("rb") as fh:  # hash in chunks: bounded memory for huge files
                digest = hashlib.file_digest(fh, "sha256").hexdigest()
            return {**row, "bytes": size, "sha256": digest, "reject_reason": "too_large"}
        raw = _read_bounded(path, config.max_bytes)
    except OSError:
        return {**row, "reject_reason": "unreadable"}
    row.update(bytes=len(raw), sha256=hashlib.sha256(raw).hexdigest())
    if len(raw) > config.max_bytes:
        return {**row, "reject_reason": "too_large"}
    if row["format"] == "other":
        return {**row, "reject_reason": "unsupported_format"}
    try:
        fields, reason = _extract(row["format"], raw)
    except CorpusError:  # a missing extra: the build's fault, not the file's
        raise
    except Exception as e:  # a reader's bug or a file it cannot take: this file only is rejected
        failure = reader_failure(row["doc_id"], e)
        return {**row, "reject_reason": f"reader_error: {failure.exception}", "failure": failure}
    row.update(fields)
    if reason:
        return {**row, "text": "", "reject_reason": reason}
    if len(row["text"] or "") > config.max_chars:
        return {**row, "text": "", "reject_reason": "too_long"}
    return {**row, "status": "built"}


def _typed_date(published: str | None) -> tuple[str | None, object, str | None]:
    """(published, published_date, published_precision). sources.toml's dates were checked when it was
    read; a date a page states of itself that is no date (2023-02-30) is unknown, not published."""
    if not published:
        return None, None, None
    try:
        date, precision = parse_date(str(published))
    except ValueError:
        return None, None, None
    return str(published), date, precision


def list_sources(sources: Path) -> list[str]:
    """The relative paths of every entry under `sources` that ingest reads (sources.toml aside), sorted."""
    return [rel for rel, _ in _walk(Path(sources))]


def ingest(sources: Path, config: IngestConfig = IngestConfig(), files: list[str] | None = None,
           failures: list[Failure] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Read `sources` (or only `files`, paths relative to it) into `documents` rows; returns (documents, warnings).

    Columns set here: doc_id, source_file, format, text (as its reader gives it, uncleaned: HTML's main
    content, Markdown's blocks, PDF pages separated by form feeds), sha256 (of the raw bytes), bytes,
    encoding, replaced_bytes, extractor, extraction_fallback, status (built or rejected), reject_reason,
    and the metadata of `sources.toml` (title, authors, publisher, published with its typed date and
    precision published_date and published_precision, url, license, notes,
    genre, issuer, metadata_source), where each of title, authors and published came from (title_source,
    authors_source, published_source), what to know before trusting the text (quality_flags), the issuer's level and province derived from its name (issuer_level,
    province; see corpus/divisions.py); title, authors, published and url come from the page or file where
    `sources.toml` does not give them.

    A reader that raises rejects its file alone (`reader_error: <exception>`) and appends a `failures` row
    (layer `ingest`) to `failures`.
    """
    sources = Path(sources)
    if not sources.is_dir():
        raise SourcesError([f"{sources}: not a folder; pass --sources with a folder of .txt, .md, .html or .pdf files"])
    meta, warnings = _manifest(sources)
    root = sources.resolve()
    entries = _walk(sources) if files is None else [(rel, sources / rel) for rel in files]
    rows = []
    for rel, path in entries:
        row = _read_one(rel, path, root, config)
        failure = row.pop("failure", None)
        if failure is not None and failures is not None:
            failures.append(replace(failure, source_file=row["source_file"]))
        found = row.pop("found", {})
        found_sources = row.pop("found_sources", {})
        known = meta.get(row["source_file"])
        row.update({k: v for k, v in found.items() if k not in (known or {})})  # sources.toml has the last word
        row.update({k: v for k, v in found_sources.items() if k.removesuffix("_source") not in (known or {})})
        row.update(known or {})
        row.update({f"{k}_source": "sources.toml" for k in _SOURCED if k in (known or {})})
        row["published"], row["published_date"], row["published_precision"] = _typed_date(row.get("published"))
        if row["published"] is None:
            row.pop("published_source", None)
        row["issuer_level"], row["province"] = issuer_level(row.get("issuer"))
        row["metadata_source"] = "sources.toml" if known is not None else "inferred"
        rows.append(row)
    return frame("documents", rows), warnings


LAYER = Layer("ingest", produces=("documents",), tools=dists("charset-normalizer", "trafilatura", "markdown-it-py", "pypdf",
                                                            "pypdfium2", "python-docx"))
