"""The outlet registry (`corpus/data/container_kinds.tsv`): which kind of source a cited container is.

Kinds: chinese_state_media, chinese_commercial_media, foreign_media, academic, think_tank, government;
`unknown` when the registry does not name it. Each registry row gives an English and a Chinese name, their
variants, and where its kind comes from. Names match the whole container after case folding, or inside
it as whole words (Latin names of 5+ characters) or as a run of 3+ Han characters. A name written
`*人民政府` or `Ministry of*` is a pattern of institution names (a suffix or a prefix); nothing is guessed
from single words or characters (`Monitor`, `部`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .text import HAN

__all__ = ["registry", "outlet_kind", "KINDS"]

KINDS = ("chinese_state_media", "chinese_commercial_media", "foreign_media", "academic", "think_tank", "government")
_PATH = Path(__file__).resolve().parent / "data" / "container_kinds.tsv"


@lru_cache(maxsize=1)
def registry() -> list[dict]:
    """Rows of the registry: kind, names (English, Chinese, variants), source."""
    rows = []
    for line_no, line in enumerate(_PATH.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = (line.split("\t") + [""] * 5)[:5]
        if cells[0] not in KINDS:
            raise ValueError(f"{_PATH}:{line_no}: kind {cells[0]!r} is not one of {', '.join(KINDS)}; fix the row")
        names = [n.strip() for n in [cells[1], cells[2], *cells[3].split("|")] if n.strip()]
        rows.append({"kind": cells[0], "names": names, "source": cells[4]})
    return rows


@lru_cache(maxsize=1)
def _matchers() -> tuple[dict[str, str], list[tuple[re.Pattern, str]]]:
    exact: dict[str, str] = {}
    inner: list[tuple[str, str]] = []
    affixes: list[tuple[re.Pattern, str]] = []
    for row in registry():
        for name in row["names"]:
            key = name.casefold()
            if "*" in key:
                body = re.escape(key.strip("*"))
                affixes.append((re.compile(f".+{body}$" if key.startswith("*") else f"^{body}\\s.+"), row["kind"]))
                continue
            exact.setdefault(key, row["kind"])
            if re.fullmatch(f"[{HAN}·、]{{3,}}", name) or (len(name) >= 5 and re.search("[A-Za-z]", name)):
                inner.append((key, row["kind"]))
    inner.sort(key=lambda kv: -len(kv[0]))  # the longest name wins: 人民日报海外版 before 人民日报
    return exact, [(re.compile(rf"(?<!\w){re.escape(k)}(?!\w)" if k.isascii() else re.escape(k)), v)
                   for k, v in inner] + affixes


@lru_cache(maxsize=8192)
def outlet_kind(name: str | None) -> str:
    """Kind of the outlet `name` (a container, publisher or institutional author), or `unknown`."""
    if not isinstance(name, str) or not name.strip():
        return "unknown"
    key = name.strip(" .,;:《》“”\"").casefold()
    exact, inner = _matchers()
    if key in exact:
        return exact[key]
    for pattern, kind in inner:
        if pattern.search(key):
            return kind
    return "unknown"
