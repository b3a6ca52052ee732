"""What a corpus says about itself, read from its sources folder: `corpus.toml`, or a `[corpus]` table in
`sources.toml` (CorpusInfo), and what a build configuration leaves to it (`resolve`).
"""

from __future__ import annotations

import datetime as _dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path

from .config import (CORPUS_TOML, DATE, LIST_KEYS, SOURCES_TOML, VERSION, BuildConfig, CardProse, CorpusInfo,
                     max_failures_from)
from .errors import ConfigError, SourcesError
from .metadata import spdx_license

__all__ = ["read_toml", "read_corpus_info", "resolve"]

# A metadata file larger than this is not a hand-kept manifest; reading it whole would risk memory.
_MAX_TOML_BYTES = 64_000_000


def read_toml(path: Path) -> tuple[str, dict]:
    """(text, data) of a TOML file; SourcesError naming the file when it is not a regular UTF-8 TOML file.

    Only regular files are opened: a FIFO or a device named sources.toml would block or never end.
    """
    if not path.is_file():
        raise SourcesError([f"{path}: not a regular file; replace it with a UTF-8 text file"])
    with path.open("rb") as fh:
        raw = fh.read(_MAX_TOML_BYTES + 1)
    if len(raw) > _MAX_TOML_BYTES:
        raise SourcesError([f"{path}: larger than {_MAX_TOML_BYTES} bytes; split the sources into folders"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise SourcesError([f"{path}:{line}: not UTF-8 (byte 0x{raw[e.start]:02x}); TOML files are UTF-8: "
                            "re-save it as UTF-8"]) from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise SourcesError([f"{path}:{m.group(1) if m else 1}: malformed TOML ({e}); fix the syntax at that line"]) from None


def _text_value(where: str, key: str, value, problems: list[str]):
    if key in LIST_KEYS:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        problems.append(f"{where}: key {key!r}: expected a list of strings, got {value!r}")
        return None
    if key == "date" and isinstance(value, _dt.date):
        value = value.isoformat()[:10]
    if not isinstance(value, str):
        problems.append(f"{where}: key {key!r}: expected a string, got {type(value).__name__} {value!r}")
        return None
    if key == "version" and value and not VERSION.fullmatch(value):
        problems.append(f"{where}: key 'version': expected a version like 1.0.0, got {value!r}")
        return None
    if key == "date" and value and not (DATE.fullmatch(value) and _possible_date(value)):
        problems.append(f"{where}: key 'date': expected a date like 2024-05-01, 2024-05 or 2024 that exists "
                        f"in the calendar, got {value!r}")
        return None
    return value


def _possible_date(value: str) -> bool:
    """Whether a YYYY, YYYY-MM or YYYY-MM-DD string names a real year, month or day (not 2023-02-30)."""
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        _dt.date(*parts[:3])
    except ValueError:
        return False
    return True


def _corpus_info(table: dict, where: str) -> CorpusInfo:
    known = {f.name for f in fields(CorpusInfo)}
    prose = {f.name for f in fields(CardProse)}
    problems, values = [], {}
    for key, value in table.items():
        if key not in known:
            problems.append(f"{where}: unknown key {key!r}; known keys: {', '.join(sorted(known))}")
        elif key == "card":
            if not isinstance(value, dict):
                problems.append(f"{where}: 'card' must be a table of Markdown texts ({', '.join(sorted(prose))})")
                continue
            for k, v in value.items():
                if k not in prose:
                    problems.append(f"{where}: unknown card section {k!r}; known sections: {', '.join(sorted(prose))}")
                elif not isinstance(v, str):
                    problems.append(f"{where}: card section {k!r}: expected Markdown text, got {type(v).__name__}")
            if not problems:
                values["card"] = CardProse(**value)
        else:
            checked = _text_value(where, key, value, problems)
            if checked is not None and key == "license":
                try:
                    checked = spdx_license(checked, where)
                except SourcesError as e:
                    problems += e.problems
                    continue
            if checked is not None:
                values[key] = checked
    if problems:
        raise SourcesError(problems)
    return CorpusInfo(**values)


def read_corpus_info(sources: Path) -> CorpusInfo:
    """The corpus configuration of a sources folder: `corpus.toml`, or the `[corpus]` table of `sources.toml`.

    Without either, the corpus is named after its folder and its licence is "unknown".
    """
    sources = Path(sources)
    found = []
    corpus_toml, sources_toml = sources / CORPUS_TOML, sources / SOURCES_TOML
    if corpus_toml.exists() or corpus_toml.is_symlink():
        found.append((corpus_toml, read_toml(corpus_toml)[1]))
    if sources_toml.exists() or sources_toml.is_symlink():
        table = read_toml(sources_toml)[1].get("corpus")
        if table is not None:
            if not isinstance(table, dict):
                raise SourcesError([f"{sources_toml}: 'corpus' must be a table written [corpus]"])
            found.append((sources_toml, table))
    if len(found) > 1:
        raise SourcesError([f"{sources_toml}: a [corpus] table and {corpus_toml} both describe the corpus; keep one"])
    if not found:
        return CorpusInfo(name=_slug(sources.resolve().name), pretty_name=sources.resolve().name)
    path, table = found[0]
    info = _corpus_info(table, str(path))
    if not info.name:
        name = info.pretty_name or sources.resolve().name
        info = CorpusInfo(**{**_shallow(info), "name": _slug(name), "pretty_name": info.pretty_name or name})
    return info


def _shallow(obj) -> dict:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._]+", "-", text.lower()).strip("-") or "corpus"


def resolve(config: BuildConfig, env: Mapping[str, str]) -> BuildConfig:
    """`config` as a build runs it: the corpus's description read from its sources folder (unless given), its
    version defaulted from it (else 0.1.0), `max_failures` from $CORPUS_MAX_FAILURES of `env` when unset; a
    ConfigError when --out lies inside the sources (the next build would ingest this one's release)."""
    out, sources = Path(config.out).resolve(), Path(config.sources).resolve()
    if out.is_relative_to(sources):
        raise ConfigError(f"--out {config.out} is inside --sources {config.sources}: the next build would ingest "
                          "this release; pass an --out folder outside the sources")
    corpus = config.corpus if config.corpus is not None else read_corpus_info(config.sources)
    max_failures = config.max_failures if config.max_failures is not None else max_failures_from(env)
    return replace(config, corpus=corpus, version=config.version or corpus.version or "0.1.0", max_failures=max_failures)
