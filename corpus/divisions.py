"""The administrative level and province of an issuing body, from its name.

Chinese official names begin with the division they belong to: 滨州市人民代表大会常务委员会 is an organ of
滨州市 (prefecture-level, 山东省); 上海市经济和信息化委员会 one of 上海市 (a provincial-level municipality);
杭州市西湖区人民政府 one of a county-level district of 杭州市. The divisions come from
`corpus/data/divisions.tsv` (every provincial- and prefecture-level unit of the Ministry of Civil Affairs'
code table, see its header); central organs (国务院, 最高人民法院, ministries) are national.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .text import HAN

__all__ = ["issuer_level", "LEVELS", "place_names", "Division", "division_of", "administrative_level",
           "short_form"]

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


@dataclass(frozen=True)
class Division:
    """One row of corpus/data/divisions.tsv; `status` is municipality, provincial capital, sub-provincial city
    (`; `-joined where several hold) or empty."""
    code: str
    name: str
    level: str
    province: str
    status: str


@lru_cache(maxsize=1)
def _rows() -> dict[str, Division]:
    """{name or alias: its division}."""
    rows: dict[str, Division] = {}
    for line in _DATA.read_text(encoding="utf-8").splitlines()[1:]:
        if not line or line.startswith("#") or line.startswith("code\t"):
            continue
        code, name, level, province, aliases, status = (line.split("\t") + [""])[:6]
        for n in [name, *filter(None, aliases.split(","))]:
            rows[n] = Division(code, name, level, province, status)
    return rows


@lru_cache(maxsize=1)
def _divisions() -> tuple[dict[str, tuple[str, str]], int]:
    """({name or alias: (level, province)}, longest name)."""
    names = {n: (d.level, d.province) for n, d in _rows().items()}
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


def _chain(name: str) -> tuple[str | None, int]:
    """(the deepest division name `name` starts with, where the rest begins): the longest division name it
    starts with, then a division of lower level in the same province named after it (山东省滨州市 → 滨州市)."""
    names, longest = _divisions()
    found, end = None, 0
    while True:
        rest = name[end:]
        match = next((rest[:k] for k in range(min(longest, len(rest)), 1, -1) if rest[:k] in names), None)
        if match is None:
            return found, end
        if found is not None:
            (level, province), (found_level, found_province) = names[found], names[match]
            if found_province != province or LEVELS.index(found_level) <= LEVELS.index(level):
                return found, end
        found, end = match, end + len(match)


def _one(name: str) -> tuple[str | None, str | None]:
    name = re.sub(r"\s+", "", name)
    found, end = _chain(name)
    if found is None:
        return ("national", None) if _NATIONAL.match(name) else (None, None)
    level, province = _divisions()[0][found]
    if level in ("provincial", "prefectural") and _COUNTY.match(name[end:]):
        level = "county"
    return level, province


def division_of(issuer: str | None) -> Division | None:
    """The division of the table an issuer's name starts with, the deepest one (杭州市西湖区人民政府 → 杭州市;
    黄山市黄山区人民政府 → 黄山市); None for central organs and unknown names.

    >>> division_of("锡林郭勒盟行政公署").status, division_of("武汉市人民政府").status
    ('', 'sub-provincial city; provincial capital')
    """
    if not isinstance(issuer, str):
        return None
    found, _ = _chain(re.sub(r"\s+", "", issuer))
    return _rows()[found] if found else None


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


def administrative_level(issuer: str | None) -> str | None:
    """What kind of local government an issuer is, from corpus/data/divisions.tsv: municipality,
    sub-provincial city, provincial capital (both, `; `-joined, where both hold), prefecture-level city,
    autonomous prefecture, league, prefecture, county-level city (administered by the province); for a unit
    named after its division (黄山市黄山区人民政府, 恩施州恩施市人民政府): district, county or county-level city.
    None for central organs and names the table does not know.

    >>> administrative_level("武汉市人民政府"), administrative_level("黄山市黄山区人民政府")
    ('sub-provincial city; provincial capital', 'district')
    """
    division = division_of(issuer)
    if division is None:
        return None
    rest = re.sub(r"\s+", "", issuer)
    rest = next((rest[len(n):] for n in sorted(_rows(), key=len, reverse=True)
                 if _rows()[n] == division and rest.startswith(n)), rest)
    unit = _COUNTY.match(rest)
    if unit and division.level != "county":
        return {"区": "district", "县": "county", "旗": "county", "市": "county-level city"}.get(unit.group()[-1], "county")
    if division.level == "provincial":
        return "municipality" if "municipality" in division.status else "province"
    if division.level == "county":
        return "county-level city (administered by the province)"
    for suffix, kind in (("自治州", "autonomous prefecture"), ("盟", "league"), ("地区", "prefecture")):
        if division.name.endswith(suffix):
            return kind
    return division.status or "prefecture-level city"


def short_form(name: str) -> str:
    """`name` with each division's full name that has a short form in the table written short
    (恩施土家族苗族自治州恩施市 → 恩施州恩施市).

    >>> short_form("凉山彝族自治州")
    '凉山州'
    """
    for alias, division in sorted(_rows().items(), key=lambda item: -len(item[1].name)):
        if alias != division.name and division.name in name:
            name = name.replace(division.name, alias)
    return name
