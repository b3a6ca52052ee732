"""Text helpers shared by the stages: which script a character is in, runs of non-Latin script, span trimming."""

from __future__ import annotations

import re

__all__ = ["script_counts", "non_latin_runs", "HAN", "han_variant", "trim_spans"]

# Han ideographs (URO, extension A, compatibility) — the character class of Chinese runs.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
KANA = "\u3040-\u30ff\u31f0-\u31ff"
HANGUL = "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
_CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20"
_SCRIPTS = [
    ("Hani", f"[{HAN}]"), ("Kana", f"[{KANA}]"), ("Hang", f"[{HANGUL}]"),
    ("Cyrl", "[\u0400-\u04ff]"), ("Arab", "[\u0600-\u06ff]"), ("Grek", "[\u0370-\u03ff]"),
    ("Hebr", "[\u0590-\u05ff]"), ("Thai", "[\u0e00-\u0e7f]"), ("Deva", "[\u0900-\u097f]"),
    ("Latn", "[A-Za-z\u00c0-\u024f]"),
]
_SCRIPT_RE = {name: re.compile(cls) for name, cls in _SCRIPTS}

# A run of East Asian script: ideographs, kana or hangul, joined by CJK punctuation, digits, or the
# commas, colons, plus signs and quotes (with a space either side) that authors put inside Chinese phrases; a trailing '+' stays (互联网+).
_EAST = f"{HAN}{KANA}{HANGUL}"
_EAST_RUN = re.compile(
    f"[{_EAST}](?:[{_EAST}{_CJK_PUNCT}0-9０-９]|(?:[ ]?[,:;·\\-—+][ ]?|[‘’“”])(?=[{_EAST}]))*\\+?"
)
_OTHER_RUN = {name: re.compile(f"{cls[:-1]}]+(?:[ \\-]+{cls[:-1]}]+)*") for name, cls in _SCRIPTS
              if name in ("Cyrl", "Arab", "Grek", "Hebr", "Thai", "Deva")}


def script_counts(text: str) -> dict[str, int]:
    """Number of letters of each script in `text` (ISO 15924 codes)."""
    return {name: len(rx.findall(text)) for name, rx in _SCRIPT_RE.items()}


def han_variant(text: str) -> str:
    """zh-Hans, zh-Hant or zh (ambiguous or mixed), decided offline from the characters."""
    import hanzidentifier

    kind = hanzidentifier.identify(text)
    if kind == hanzidentifier.SIMPLIFIED:
        return "zh-Hans"
    if kind == hanzidentifier.TRADITIONAL:
        return "zh-Hant"
    return "zh"


def east_asian_script(run: str) -> str:
    """ISO 15924 code of an East Asian run: Jpan (kana with or without kanji), Hang, Kore, or Hani."""
    counts = script_counts(run)
    if counts["Kana"]:
        return "Jpan"
    if counts["Hang"]:
        return "Kore" if counts["Hani"] else "Hang"
    return "Hani"


def non_latin_runs(text: str) -> list[tuple[int, int, str]]:
    """(start, end, script) of every run of non-Latin script in `text`, in order."""
    runs = [(m.start(), m.end(), east_asian_script(m.group())) for m in _EAST_RUN.finditer(text)]
    for name, rx in _OTHER_RUN.items():
        runs.extend((m.start(), m.end(), name) for m in rx.finditer(text))
    return sorted(runs)


def trim_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`spans` of `text` without leading and trailing whitespace; spans left empty are dropped."""
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out
