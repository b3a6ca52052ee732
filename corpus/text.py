"""The text primitives the stages, the baselines and the site share: which script a character is in (the Han,
kana and Hangul classes), runs of non-Latin script, span trimming, the numbering of Chinese provisions,
tokens, token n-gram hashes, MinHash signatures and LSH candidates.

Scripts come from the Unicode Script property through the `regex` module (`\\p{Script=...}`), so every
Han extension (A to J and the compatibility blocks), Vietnamese Latin with its stacked diacritics, and
every script Unicode encodes are told apart without a hand-kept table of code-point ranges. Codes are
ISO 15924, with one fold: Hiragana and Katakana are counted together as `Kana` (the kana that tell
Japanese from Chinese).

The one definition of the Han character class for the other stages is `HAN_CLASS` (use it with the
`regex` module: `regex.compile(f"[{HAN_CLASS}]")`).
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from functools import lru_cache

import numpy as np
import regex

from .errors import MissingExtraError

__all__ = ["band_keys", "script_counts", "script_of", "non_latin_runs", "HAN", "KANA", "HANGUL", "HAN_CLASS", "EAST_ASIAN_CLASS",
           "han_variant", "east_asian_script", "dominant_script", "trim_spans", "ZH_ORDINAL", "CJK", "TOKEN", "CJK_TOKEN",
           "token_ids", "gram_hashes", "set_signatures", "lsh_candidates"]

HAN_CLASS = r"\p{Script=Han}"
# The number of a Chinese article, chapter or part (第十二条, 第3章), in Chinese numerals or digits.
ZH_ORDINAL = r"[〇零一二三四五六七八九十百千\d]+"


def _ranges_of(class_: str) -> str:
    """The code points of a `regex` character class as ranges for a stdlib `re` class (`\u3400-\u4dbf...`),
    read from the same Unicode data, for the modules whose patterns use `re`."""
    return "".join(f"{m.group()[0]}-{m.group()[-1]}" for m in regex.finditer(f"[{class_}]+", _EAST_ASIAN_SPAN))


_EAST_ASIAN_SPAN = "".join(map(chr, range(0x1100, 0x32400)))  # every Han, kana and Hangul block lies here
# The Han script (every CJK Unified Ideographs block, Extension B and later included), kana and Hangul,
# for `re` patterns.
HAN = _ranges_of(HAN_CLASS)
KANA = _ranges_of(r"\p{Script=Hiragana}\p{Script=Katakana}")
HANGUL = _ranges_of(r"\p{Script=Hangul}")
EAST_ASIAN_CLASS = r"\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}"
_EAST_ASIAN = frozenset({"Hani", "Kana", "Hang"})


def _script_codes() -> list[str]:
    """The ISO 15924 codes of every script the installed Unicode database knows, as `regex` names them."""
    from regex import _regex_core

    values = _regex_core.PROPERTIES["SCRIPT"][1]
    codes: dict[int, str] = {}
    for name, number in values.items():
        if len(name) == 4 and name.isalpha() and not name.startswith("QAA"):
            codes.setdefault(number, name.title())
    return [c for c in codes.values() if c not in ("Zzzz", "Zyyy", "Zinh", "Hrkt")]


@lru_cache(maxsize=1)
def _script_pattern() -> regex.Pattern:
    codes = _script_codes()
    return regex.compile("|".join(f"(?P<{c}>\\p{{Script={c}}})" for c in codes))


@lru_cache(maxsize=65536)
def script_of(char: str) -> str | None:
    """ISO 15924 code of a letter's script (Hiragana folded into Kana), or None for a non-letter
    (digits, punctuation, combining marks, symbols)."""
    if not char.isalpha():
        return None
    m = _script_pattern().match(char)
    if m is None:
        return None
    return "Kana" if m.lastgroup == "Hira" else m.lastgroup


def script_counts(text: str) -> Counter:
    """Number of letters of each script in `text`, keyed by ISO 15924 code (a Counter: absent scripts are 0)."""
    counts: Counter = Counter()
    for char, n in Counter(text).items():
        script = script_of(char)
        if script is not None:
            counts[script] += n
    return counts


def dominant_script(counts: Counter) -> str | None:
    """The script with the most letters; an ideograph weighs about a word, so Han, kana and Hangul
    letters count three times against alphabetic letters. None when there are no letters."""
    if not counts:
        return None
    weighted = {s: n * (3 if s in _EAST_ASIAN else 1) for s, n in counts.items()}
    return max(sorted(weighted), key=weighted.get)


@lru_cache(maxsize=1)
def _telling_characters() -> tuple[frozenset[str], frozenset[str]]:
    """The characters only Traditional and only Simplified Chinese writes (hanzidentifier's CC-CEDICT sets)."""
    from hanzidentifier import helpers

    shared = helpers.SHARED_CHARACTERS
    return frozenset(helpers.TRADITIONAL_CHARACTERS - shared), frozenset(helpers.SIMPLIFIED_CHARACTERS - shared)


def han_variant(text: str) -> str:
    """zh-Hant or zh-Hans by the characters only one of the two systems writes (CC-CEDICT's lists in
    hanzidentifier), whichever the text has more of; `zh` when none of its characters tells them apart
    (a Traditional text with one Simplified-only character is Traditional: editors and converters leave
    strays)."""
    from hanzidentifier import helpers

    traditional_only, simplified_only = _telling_characters()
    chinese = helpers.get_hanzi(text)
    traditional, simplified = len(chinese & traditional_only), len(chinese & simplified_only)
    if traditional == simplified == 0:
        return "zh"
    return "zh-Hant" if traditional > simplified else "zh-Hans"


def east_asian_script(run: str) -> str:
    """ISO 15924 code of an East Asian run: Jpan (kana with or without kanji), Hang, Kore, or Hani."""
    counts = script_counts(run)
    if counts["Kana"]:
        return "Jpan"
    if counts["Hang"]:
        return "Kore" if counts["Hani"] else "Hang"
    return "Hani"


# A run of East Asian script: ideographs, kana or hangul, joined by CJK punctuation, digits, or the
# commas, colons, plus signs and quotes (with a space either side) that authors put inside Chinese
# phrases; a trailing '+' stays (互联网+).
_CJK_PUNCT = r"\u3000-\u303f\u30fb\u30fc\uff01-\uff0f\uff1a-\uff20"
_EAST_RUN = regex.compile(
    f"[{EAST_ASIAN_CLASS}](?:[{EAST_ASIAN_CLASS}{_CJK_PUNCT}0-9０-９]|(?:[ ]?[,:;·\\-—+][ ]?|[‘’“”])"
    f"(?=[{EAST_ASIAN_CLASS}]))*\\+?")
# A run of letters (with their combining marks) of any other non-Latin script, words joined by spaces or hyphens.
_OTHER_CHAR = rf"[[\p{{L}}\p{{M}}]--[\p{{Script=Latin}}{EAST_ASIAN_CLASS}]]"
_OTHER_START = rf"[{_OTHER_CHAR}--[\p{{Script=Common}}\p{{Script=Inherited}}]]"
_OTHER_RUN = regex.compile(rf"(?V1){_OTHER_START}{_OTHER_CHAR}*(?:[ \-]+{_OTHER_START}{_OTHER_CHAR}*)*")


def non_latin_runs(text: str) -> list[tuple[int, int, str]]:
    """(start, end, script) of every run of non-Latin script in `text`, in order; a run of scripts other
    than Latin and the East Asian ones is named by the script of most of its letters."""
    runs = [(m.start(), m.end(), east_asian_script(m.group())) for m in _EAST_RUN.finditer(text)]
    for m in _OTHER_RUN.finditer(text):
        counts = script_counts(m.group())
        for s in _EAST_ASIAN:
            counts.pop(s, None)
        if counts:
            runs.append((m.start(), m.end(), max(sorted(counts), key=counts.get)))
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


# --- tokens, n-gram hashes, MinHash and LSH (dedup and reuse) ---------------------------------------------

CJK = f"{HAN}{KANA}{HANGUL}"
# One token per CJK character, else a run of word characters.
TOKEN = re.compile(f"[{CJK}]|[^\\W{CJK}]+")
CJK_TOKEN = re.compile(f"[{CJK}]")
MINHASH_SEED = 20230601  # fixed: signatures must not change between runs
SMALL_BUCKET = 8  # LSH buckets up to this size give all their pairs; bigger ones give neighbours


def token_ids(tokens: list[str], vocabulary: dict[str, int]) -> np.ndarray:
    """Each token as the CRC-32 of its UTF-8 bytes (stable across processes, unlike hash())."""
    for t in set(tokens).difference(vocabulary):
        vocabulary[t] = zlib.crc32(t.encode("utf-8"))
    return np.fromiter(map(vocabulary.__getitem__, tokens), dtype=np.uint64, count=len(tokens))


def gram_hashes(ids: np.ndarray, n: int) -> np.ndarray:
    """64-bit hashes of the token n-grams of `ids` in order (one hash of all of them when fewer than n)."""
    count = max(1, len(ids) - n + 1) if len(ids) else 0
    out = ids[:count] + np.uint64(1)
    with np.errstate(over="ignore"):
        for k in range(1, min(n, len(ids))):  # in place: no temporary arrays
            out *= np.uint64(0x100000001B3)
            out += ids[k:k + count]
            out += np.uint64(k + 1)
        out *= np.uint64(0x9E3779B97F4A7C15)
        return out


def set_signatures(hashes: list[np.ndarray], num_perm: int) -> np.ndarray:
    """MinHash signatures (sets x num_perm, uint32) of sets of 64-bit hashes, with the fixed seed."""
    try:
        from rensa import RMinHash
    except ImportError:
        raise MissingExtraError("rensa", "build", "dedup") from None
    if not hashes:
        return np.zeros((0, num_perm), dtype=np.uint32)
    offsets = np.concatenate(([0], np.cumsum([len(h) for h in hashes]))).astype(np.uint64)
    matrix = RMinHash.digest_matrix_from_flat_token_hashes(np.concatenate(hashes), offsets, num_perm, MINHASH_SEED)
    return np.array(matrix.to_rows(), dtype=np.uint32).reshape(len(hashes), num_perm)


def band_keys(sigs: np.ndarray, bands: int):
    """For each band: (band, each row's bucket key in that band, each row's order within a bucket, which
    changes from band to band). One definition for the in-memory search below and dedup's on-disk one."""
    n, rows = len(sigs), sigs.shape[1] // bands
    index = np.arange(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            cols = sigs[:, band * rows:(band + 1) * rows].astype(np.uint64)
            keys = cols[:, 0].copy()
            for c in range(1, rows):
                keys = keys * np.uint64(0x100000001B3) ^ cols[:, c]
            yield band, keys, (index + np.uint64(band + 1)) * np.uint64(0x9E3779B97F4A7C15)


def lsh_candidates(sigs: np.ndarray, bands: int, min_estimate: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) sharing a band bucket whose signatures agree on at least `min_estimate` of values,
    and that share (the estimated bigram Jaccard).

    A bucket of up to SMALL_BUCKET documents gives all its pairs; a bigger one gives each member and the
    next in an order that differs from band to band (copies share many bands, so they meet).
    """
    n = len(sigs)
    found = []
    with np.errstate(over="ignore"):
        for band, keys, shuffle in band_keys(sigs, bands):
            order = np.lexsort((shuffle, keys))
            sorted_keys = keys[order]
            same = sorted_keys[1:] == sorted_keys[:-1]
            starts = np.flatnonzero(np.concatenate(([True], ~same)))
            sizes = np.diff(np.concatenate((starts, [n])))
            big = np.repeat(sizes > SMALL_BUCKET, sizes)
            neighbours = np.flatnonzero(same & big[1:])
            found.append(np.stack([order[neighbours], order[neighbours + 1]], axis=1))
            for size in range(2, SMALL_BUCKET + 1):
                first = starts[sizes == size]
                if len(first):
                    i, j = np.triu_indices(size, k=1)
                    found.append(np.stack([order[(first[:, None] + i).ravel()], order[(first[:, None] + j).ravel()]], 1))
    pairs = np.sort(np.concatenate(found), axis=1).astype(np.int64) if found else np.zeros((0, 2), np.int64)
    pairs = np.unique(pairs[:, 0] * n + pairs[:, 1])
    pairs = np.stack([pairs // n, pairs % n], axis=1)
    agree = np.concatenate([(sigs[pairs[k:k + 50_000, 0]] == sigs[pairs[k:k + 50_000, 1]]).sum(axis=1)
                            for k in range(0, len(pairs), 50_000)] or [np.zeros(0, np.int64)]) / sigs.shape[1]
    keep = agree >= min_estimate
    return pairs[keep], agree[keep]
