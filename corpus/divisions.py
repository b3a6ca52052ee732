"""The administrative level and province of an issuing body, from its name.

Chinese official names begin with the division they belong to: 滨州市人民代表大会常务委员会 is an organ of
滨州市 (prefecture-level, 山东省); 上海市经济和信息化委员会 one of 上海市 (a provincial-level municipality);
杭州市西湖区人民政府 one of a county-level district of 杭州市. The divisions come from
`corpus/data/divisions.tsv` (every provincial- and prefecture-level unit of the Ministry of Civil Affairs'
code table, see its header); central organs (国务院, 最高人民法院, ministries) are national.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .text import HAN

__all__ = ["issuer_level", "LEVELS", "place_names"]

LEVELS = ("national", "provincial", "prefectural", "county")
_DATA = Path(__file__).parent / "data" / "divisions.tsv"
# Central party-state organs: their names carry no division. A name is national when it starts with one of
# these, or is a ministry-like body (…部, …总局, …委员会 of the State Council) named without a division.
_NATIONAL = re.compile(r"^(?:全国人民代表大会|全国人大|国务院|最高人民法院|最高人民检察院|中共中央|中国共产党中央|中央|"
                       rf"国家|中华人民共和国|中国人民银行|中国人民解放军|[{HAN}]{{1,10}}(?:部|总局|总署)$)")
# A county-level unit named right after its prefecture (or municipality): …区/县/旗/市 + one of its organs.
_COUNTY = re.compile(rf"^[{HAN}]{{1,10}}?(?:自治县|自治旗|新区|县|区|旗|市)"
                     r"(?=人民政府|人民代表大会|人大|委员会|党委|人民法院|人民检察院|政府)")
_SEPARATORS = re.compile(r"[;；、,，/]")


@lru_cache(maxsize=1)
def _divisions() -> tuple[dict[str, tuple[str, str]], int]:
    """({name or alias: (level, province)}, longest name)."""
    names: dict[str, tuple[str, str]] = {}
    for line in _DATA.read_text(encoding="utf-8").splitlines()[1:]:
        if not line or line.startswith("#") or line.startswith("code\t"):
            continue
        _code, name, level, province, aliases = line.split("\t")
        for n in [name, *filter(None, aliases.split(","))]:
            names[n] = (level, province)
    return names, max(map(len, names))


# What a division's short form leaves out of its full name (山东省 → 山东, 滨州市 → 滨州).
_SUFFIX = re.compile(r"(?:维吾尔自治区|壮族自治区|回族自治区|特别行政区|自治区|省|市|地区|盟)$")


@lru_cache(maxsize=2)
def place_names(short: bool = False) -> tuple[str, ...]:
    """Every division's full name and alias, longest first (for one alternation that prefers the longest);
    with `short`, their short forms too (山东, 滨州), which running text uses as often but which a common word
    can also be (安康)."""
    names = set(_divisions()[0])
    if short:
        names |= {s for n in list(names) if len(s := _SUFFIX.sub("", n)) >= 2}
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def _one(name: str) -> tuple[str | None, str | None]:
    names, longest = _divisions()
    name = re.sub(r"\s+", "", name)
    # The longest division name the issuer starts with; then a prefecture or county named after it.
    level, province, end = None, None, 0
    while True:
        rest = name[end:]
        match = next((rest[:k] for k in range(min(longest, len(rest)), 1, -1) if rest[:k] in names), None)
        if match is None:
            break
        found_level, found_province = names[match]
        if level is not None and (found_province != province or LEVELS.index(found_level) <= LEVELS.index(level)):
            break
        level, province, end = found_level, found_province, end + len(match)
    if level is None:
        return ("national", None) if _NATIONAL.match(name) else (None, None)
    if level in ("provincial", "prefectural") and _COUNTY.match(name[end:]):
        level = "county"
    return level, province


def issuer_level(issuer: str | None) -> tuple[str | None, str | None]:
    """(level, province) of an issuing body from its Chinese name; (None, None) when the name shows neither.

    level is national, provincial, prefectural or county; province is the full name of the provincial-level
    unit (山东省, 上海市, 广西壮族自治区), None for national bodies. Several issuers separated by ';', '、' or
    ',' resolve to the first one whose level is known.

    >>> issuer_level("滨州市人民代表大会常务委员会")
    ('prefectural', '山东省')
    """
    if not isinstance(issuer, str):
        return None, None
    for part in _SEPARATORS.split(issuer):
        level, province = _one(part.strip())
        if level is not None:
            return level, province
    return None, None
