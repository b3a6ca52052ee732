"""Admit the city government work reports of `corpus-candidates/city-gwr/docx/` as bundled sources.

    python tools/curate_cities.py CANDIDATES_DIR      # e.g. ../shared/corpus-candidates/city-gwr

Each .docx is read with the corpus's own DOCX reader and judged from its text:
- whose report it is: the file name names a division of corpus/data/divisions.tsv (北京 → 北京市, 凉山 →
  凉山彝族自治州 by its short form 凉山州); the report's own opening (我代表市人民政府 / 州人民政府 / 区人民政府 /
  行署 / 国务院) says which government speaks. A report spoken by the State Council is the national report,
  not a city's, and is dropped; one spoken by a district or county-level city named like the division
  (黄山区 in 黄山市, 恩施市 in 恩施州) is that unit's, and its issuer says so;
- the year it reviews (`2023年工作回顾`, else `刚刚过去的2023年` / `2023年是…`), and the year of the report:
  the date of its delivery where the text states one (`2024年1月16日在…人民代表大会`), else the year
  it plans for (`2024年工作安排`, `2024年主要目标`), else the year after the one reviewed (inferred);
- copies: files whose texts share nearly all their character 8-grams are one report, kept once.

Admitted files are copied unchanged to corpus/sources/ as NNN_<sha256 prefix>.docx; their entries are written
as the block of sources.toml after CITIES_MARK, and the tables of corpus/CURATION.md after its CITIES_MARK
(both replaced on each run; the rest of the files is left alone). Deterministic: same candidates, same output.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402

from corpus.divisions import Division, _rows, administrative_level, division_of, issuer_level  # noqa: E402
from corpus.pipeline.readers.docx import read_docx  # noqa: E402

SOURCES = ROOT / "corpus" / "sources"
CURATION = ROOT / "corpus" / "CURATION.md"
CITIES_MARK = "# --- City government work reports (0.4.0): written by tools/curate_cities.py; edit the tool, not this block ---"
CURATION_MARK = "<!-- cities: written by tools/curate_cities.py -->"
FIRST_NUMBER = 133
REPOSITORY = "JiangGufan/digital-governance"
COMMIT = "94421b3549d140e534397d857ca473dce58f0ad3"
LICENSE = "Not subject to copyright: official document of a state organ (PRC Copyright Law, Art. 5)"
# Share of a file's character 8-grams found in another file above which the two are one report.
COPY_SHARE = 0.9
HEAD = 1500  # the opening, where a report says who speaks and when it was delivered

# Who speaks: 我代表国务院 / 我代表(北京)市人民政府 / 我代表市政府 / 我代表行署; groups: State Council, unit, league's office.
_SPEAKER = re.compile(r"我代表\s*(?:(国务院)|([^\s，,。]{0,10}?(?:市|州|区|县|盟))?(?:人民政府|政府)|(行署|行政公署))")
_DELIVERED = re.compile(r"((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日\s*在[^。\n]{0,40}?人民代表大会")
_SESSION = re.compile(r"第[一二三四五六七八九十]{1,3}届人民代表大会第[一二三四五六七八九十]{1,3}次会议")
_REVIEWED = [re.compile(r"((?:19|20)\d\d)年(?:政府)?工作回顾"),
             re.compile(r"(?:刚刚)?过去的((?:19|20)\d\d)年"),
             re.compile(r"(?:^|\n|。|：)((?:19|20)\d\d)年(?:是|，)")]  # a sentence opening on the year
_PLANNED = re.compile(r"((?:19|20)\d\d)年(?:政府)?(?:工作安排|工作总体要求|工作的总体要求|主要目标|主要预期目标|重点工作)")


@dataclass
class Report:
    file: Path
    stem: str
    raw: bytes
    text: str
    division: Division | None = None
    issuer: str | None = None
    unit: str | None = None  # the government's own name when it is below the division (黄山区)
    administrative_level: str | None = None
    reviewed: int | None = None
    reviewed_evidence: str | None = None
    published: str | None = None
    published_evidence: str | None = None
    session: str | None = None
    dropped: str | None = None
    copies: list[str] = field(default_factory=list)
    speaker: str | None = None
    core: tuple[str, str] = ("", "")  # the .docx's author and creation date

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


def _division(stem: str) -> Division | None:
    """The division the file name names: a name or alias whose short form is the stem; a prefecture-level unit
    before a province of the same name (吉林 is 吉林市 here: the reports are cities')."""
    order = {"prefectural": 0, "county": 1, "provincial": 2}
    found = {d for name, d in _rows().items()
             if name == stem or re.sub(r"(?:市|州|盟|地区|省)$", "", name) == stem}
    return min(found, key=lambda d: (order.get(d.level, 3), d.code)) if found else None


def _who(report: Report) -> None:
    """Division, issuer, administrative level, or why the report is not a city's."""
    division = _division(report.stem)
    if division is None:
        report.dropped = f"the file name {report.stem!r} names no division of corpus/data/divisions.tsv"
        return
    report.division = division
    m = _SPEAKER.search(report.text[:HEAD])
    speaker = next((g for g in m.groups() if g), "") if m else ""
    report.speaker = m.group(0) if m else None
    if speaker == "国务院":
        report.dropped = ("not a city's report: the State Council's (我代表国务院), the national Government Work "
                          "Report of 2024, already in the corpus as 111 (the Wikisource transcription)")
        return
    unit_char = speaker[-1:] if speaker else ""
    own = next((unit for suffix, unit in (("自治州", "州"), ("盟", "盟"), ("地区", "地区")) if division.name.endswith(suffix)),
               "市")
    if speaker in ("行署", "行政公署"):
        report.issuer = f"{division.name}行政公署"
    elif unit_char in ("区", "县") or (unit_char == "市" and own in ("州", "盟", "地区")):
        # a government one level below, named like the division: 黄山区 (黄山市), 恩施市 (恩施州)
        name = f"{report.stem}{unit_char}"
        if name not in report.text:
            report.dropped = f"spoken by a {speaker}人民政府 that the text does not name ({name} not found)"
            return
        report.unit = name
        report.issuer = f"{division.name}{name}人民政府"
    else:
        report.issuer = f"{division.name}人民政府"
    report.administrative_level = administrative_level(report.issuer)


def _when(report: Report) -> None:
    text = report.text
    for pattern in _REVIEWED:
        m = pattern.search(text[:3000])
        if m:
            report.reviewed, report.reviewed_evidence = int(m.group(1)), m.group(0).strip()
            break
    session = _SESSION.search(text[:HEAD])
    report.session = session.group(0) if session else None
    delivered = _DELIVERED.search(text[:HEAD])
    if delivered:
        y, mo, d = (int(g) for g in delivered.groups())
        report.published = f"{y:04d}-{mo:02d}-{d:02d}"
        report.published_evidence = f"the date of delivery in the text ('{delivered.group(0)}')"
        return
    planned = [int(y) for y in _PLANNED.findall(text)]
    if report.reviewed and report.reviewed + 1 in planned:
        report.published = str(report.reviewed + 1)
        match = next(m.group(0) for m in _PLANNED.finditer(text) if int(m.group(1)) == report.reviewed + 1)
        report.published_evidence = (f"year only, from the text: the year the report plans for ('{match}'); "
                                     "the text states no date of delivery")
    elif report.reviewed:
        report.published = str(report.reviewed + 1)
        report.published_evidence = ("year only, inferred: the year after the year the report reviews "
                                     f"('{report.reviewed_evidence}'); the text states no date of delivery")


def _grams(text: str) -> set[str]:
    t = re.sub(r"\s+", "", text)
    return {t[i:i + 8] for i in range(len(t) - 7)}


def _copies(reports: list[Report]) -> None:
    """Reports whose texts share nearly all their 8-grams are one: the first by file name is kept."""
    kept: list[tuple[Report, set[str]]] = []
    for report in reports:
        if report.dropped:
            continue
        grams = _grams(report.text)
        for other, other_grams in kept:
            if len(grams & other_grams) >= COPY_SHARE * min(len(grams), len(other_grams)):
                report.dropped = f"a copy of {other.stem}.docx (the same text under another name)"
                other.copies.append(report.stem)
                break
        else:
            kept.append((report, grams))


def _title(report: Report) -> str:
    year = report.published[:4]
    if report.issuer.endswith("行政公署"):
        return f"{year}年{report.issuer}工作报告"
    return f"{year}年{report.issuer.removesuffix('人民政府')}政府工作报告"


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _entry(report: Report, file: str) -> str:
    division = report.division
    notes = [f"Government work report of {report.issuer}.",
             f"Origin: {REPOSITORY}@{COMMIT[:7]}:data/docxV/{report.stem}.docx (that repository's file name: "
             f"{report.stem}); read from the .docx.",
             f"Division: {division.name} ({division.code}, {administrative_level(division.name)}), {division.province}"
             + (f"; the report is that of {report.unit}, a {report.administrative_level} of {division.name}, as its "
                f"opening says ('{report.speaker}')" if report.unit else "") + ".",
             f"Administrative level: {report.administrative_level}.",
             f"Year reviewed: {report.reviewed} (from the text: '{report.reviewed_evidence}')." if report.reviewed
             else "Year reviewed: not stated in the opening (null).",
             f"published: {report.published_evidence}.",
             f"Session: {report.session}." if report.session else "",
             "Title: constructed from the year of the report and the issuer (the file has no title; the document's "
             "own title is 政府工作报告).",
             f"Core properties of the .docx (author {report.core[0]}, created {report.core[1]}) are the compiler's, "
             "not the report's." if any(report.core) else "",
             "Language zh."]
    if report.copies:
        notes.append(f"The same text was also filed as {', '.join(c + '.docx' for c in report.copies)} (not admitted).")
    lines = ["[[document]]", f"file = {_toml(file)}", f"title = {_toml(_title(report))}",
             f"authors = [{_toml(report.issuer)}]",
             f"publisher = {_toml(f'{REPOSITORY} (GitHub), a compilation of city government work reports as .docx')}",
             f"published = {_toml(report.published)}",
             f"url = {_toml(f'https://github.com/{REPOSITORY}/blob/{COMMIT}/data/docxV/{report.stem}.docx')}",
             f"license = {_toml(LICENSE)}", 'genre = "government work report"', f"issuer = {_toml(report.issuer)}",
             f"notes = {_toml(' '.join(n for n in notes if n))}"]
    return "\n".join(lines) + "\n"


def _conversions(reports: list[Report], candidates: Path) -> tuple[int, list[str]]:
    """(files checked, those whose text differs): the reader's text against the repository's own text
    conversion beside each .docx (`txt/<city>.txt`), modulo whitespace."""
    checked, differ = 0, []
    for report in reports:
        txt = candidates / "txt" / f"{report.stem}.txt"
        if txt.is_file():
            checked += 1
            if "".join(report.text.split()) != "".join(txt.read_text(encoding="utf-8").split()):
                differ.append(report.stem)
    return checked, differ


def _curation(kept: list[tuple[Report, str]], dropped: list[Report], conversions: tuple[int, list[str]]) -> str:
    levels: dict[str, int] = {}
    for report, _ in kept:
        levels[report.administrative_level] = levels.get(report.administrative_level, 0) + 1
    provinces = sorted({r.division.province for r, _ in kept})
    # the 31 of the mainland (the table's provincial rows less 台湾省 and the two special administrative regions)
    mainland = sorted({d.province for d in _rows().values() if d.level == "provincial" and d.code[:2] not in ("71", "81", "82")})
    absent = [p for p in mainland if p not in provinces]
    stated = sum(1 for r, _ in kept if r.published_evidence.startswith("the date"))
    planned = sum(1 for r, _ in kept if "plans for" in r.published_evidence)
    inferred = len(kept) - stated - planned
    reviewed = {}
    for r, _ in kept:
        reviewed[r.reviewed] = reviewed.get(r.reviewed, 0) + 1
    out = [CURATION_MARK, "",
           f"## Kept for 0.4.0 ({len(kept)}): city government work reports",
           "",
           f"From the {len(kept) + len(dropped)} files of `corpus-candidates/city-gwr/docx/` ({REPOSITORY}@{COMMIT[:7]}), "
           f"{len(kept)} are admitted, read through the DOCX reader; the text conversions beside them (`txt/`) "
           f"only checked it: of {conversions[0]}, "
           + (f"{conversions[0] - len(conversions[1])} agree modulo whitespace, {len(conversions[1])} differ "
              f"({', '.join(conversions[1])})" if conversions[1] else "all agree modulo whitespace")
           + ". They cover "
           f"{len(provinces)} of the {len(mainland)} provincial-level units of the mainland"
           + (f" (none from {'、'.join(absent)})" if absent else "") + "; by administrative level: "
           + ", ".join(f"{n} {level}" for level, n in sorted(levels.items(), key=lambda x: (-x[1], x[0]))) + ". "
           f"Years reviewed: " + ", ".join(f"{y} ({n})" for y, n in sorted(reviewed.items(), key=lambda x: str(x[0])))
           + ". `published` (the year of the report): "
           f"{stated} stated as a date of delivery in the text (precision day); {planned} the year the text plans "
           f"for (precision year); {inferred} inferred as the year after the year reviewed (precision year). "
           "Titles are constructed (year + issuer + 政府工作报告) and marked so in each entry's notes. "
           "genre `government work report`, issuer `<division>人民政府` (a league's: 行政公署), authors the issuer; "
           "issuer level and province are derived at build time from the issuer (corpus/divisions.py), the "
           "administrative level from corpus/data/divisions.tsv's `status`.",
           "",
           "**Whose report.** The file name is not trusted alone: each report's opening says which government "
           "speaks. " + ("; ".join(f"`{r.stem}.docx` is the report of {r.unit} ({r.speaker}), a "
                                    f"{r.administrative_level} of {r.division.name}, and is kept as such (issuer "
                                    f"{r.issuer})" for r, _ in kept if r.unit) + ". " if any(r.unit for r, _ in kept)
                         else "")
           + "A league (盟) has an administrative office, not a people's government: its report is the 行政公署's. "
           "Municipalities are provincial-level units: their `issuer_level` is `provincial`, so the cities are "
           "`genre == 'government work report'` with `issuer_level` in provincial, prefectural or county (the "
           "national reports are `national`).",
           "",
           "**Duplicates.** Texts were compared by their character 8-grams (two files sharing "
           f"{COPY_SHARE:.0%} of them are one report): "
           + ("; ".join(f"{r.stem}.docx is {r.dropped.split(':')[0]}" for r in dropped if r.dropped.startswith("a copy"))
              or "no city report was filed twice")
           + ". The files reposting one text under several city names are "
           + (", ".join(f"{r.stem}.docx" for r in dropped if "国务院" in r.dropped) or "none")
           + ": the national report, not theirs, dropped (it is in the corpus already).",
           "",
           "**Inferred metadata.** `published` and the year reviewed come from the text (evidence quoted in each "
           "entry's notes); where the text gives neither a date nor the year it plans for, the year of the report "
           "is inferred as the year after the one reviewed and the notes say so. No report reviews 2024 by its own "
           "statement (the candidates' README expected one). Titles are constructed. The .docx core properties "
           "(author and dates) are the compiler's and are not used.",
           "",
           "| file | candidate | issuer | province | administrative level | reviews | published | how |",
           "|---|---|---|---|---|---|---|---|"]
    for report, file in kept:
        how = ("stated" if report.published_evidence.startswith("the date") else
               "planned year" if "plans for" in report.published_evidence else "inferred")
        out.append(f"| {file} | city-gwr/docx/{report.stem}.docx | {report.issuer} | {report.division.province} | "
                   f"{report.administrative_level} | {report.reviewed or ''} | {report.published} | {how} |")
    out += ["", f"## Dropped for 0.4.0 ({len(dropped)})", "", "| candidate | why |", "|---|---|"]
    out += [f"| city-gwr/docx/{r.stem}.docx | {r.dropped} |" for r in dropped]
    return "\n".join(out) + "\n"


def _replace_after(path: Path, mark: str, block: str) -> None:
    text = path.read_text(encoding="utf-8")
    head = text.split(mark)[0].rstrip("\n") if mark in text else text.rstrip("\n")
    if f"{head}\n\n{block}" != text:
        path.write_text(f"{head}\n\n{block}", encoding="utf-8")


def main(candidates: Path) -> None:
    files = sorted((candidates / "docx").glob("*.docx"))
    reports = []
    for path in files:
        raw = path.read_bytes()
        properties = docx.Document(io.BytesIO(raw)).core_properties
        created = properties.created.date().isoformat() if properties.created else ""
        reports.append(Report(path, path.stem, raw, read_docx(raw).text, core=(properties.author or "", created)))
    for report in reports:
        _who(report)
        if not report.dropped:
            _when(report)
            if report.published is None:
                report.dropped = "states neither the year it reviews nor a date of delivery"
    _copies(reports)
    kept, dropped = [], [r for r in reports if r.dropped]
    number = FIRST_NUMBER
    for report in reports:
        if report.dropped:
            continue
        file = f"{number:03d}_{report.digest[:12]}.docx"
        if not (SOURCES / file).is_file() or (SOURCES / file).read_bytes() != report.raw:
            shutil.copyfile(report.file, SOURCES / file)
        kept.append((report, file))
        number += 1
    for old in set(SOURCES.glob("*.docx")) - {SOURCES / file for _, file in kept}:  # admitted by an earlier run only
        old.unlink()
    block = "\n".join(_entry(r, f) for r, f in kept)
    _replace_after(SOURCES / "sources.toml", CITIES_MARK, f"{CITIES_MARK}\n\n{block}")
    conversions = _conversions(reports, candidates)
    _replace_after(CURATION, CURATION_MARK, _curation(kept, dropped, conversions))
    for report, _ in kept:  # the issuer resolves to the level and province the division table gives
        assert issuer_level(report.issuer)[1] == report.division.province, report.issuer
        assert division_of(report.issuer) == report.division, report.issuer
    print(f"text equal to the conversion modulo whitespace: {conversions[0] - len(conversions[1])} of "
          f"{conversions[0]}; kept {len(kept)}, dropped {len(dropped)}: " + "; ".join(f"{r.stem}: {r.dropped}" for r in dropped))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tools/curate_cities.py CANDIDATES_DIR (the folder holding docx/, e.g. "
                 "../shared/corpus-candidates/city-gwr)")
    main(Path(sys.argv[1]))
