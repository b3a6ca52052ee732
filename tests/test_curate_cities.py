"""tools/curate_cities.py: whose report a city file is, and its years, judged from texts written here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("docx")
_SPEC = importlib.util.spec_from_file_location("curate_cities", Path(__file__).parents[1] / "tools" / "curate_cities.py")
curate = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = curate  # dataclasses look their module up there
_SPEC.loader.exec_module(curate)


def _report(stem: str, text: str):
    report = curate.Report(Path(f"{stem}.docx"), stem, text.encode(), text)
    curate._who(report)
    if not report.dropped:
        curate._when(report)
    return report


def test_a_city_report_gets_its_division_issuer_level_and_years():
    r = _report("滨州", "各位代表：\n\n现在，我代表市人民政府向大会报告工作。\n\n一、2023年工作回顾\n\n……\n\n二、2024年工作安排\n\n……")
    assert (r.division.name, r.issuer, r.administrative_level) == ("滨州市", "滨州市人民政府", "prefecture-level city")
    assert (r.reviewed, r.published) == (2023, "2024") and "plans for" in r.published_evidence


def test_a_stated_date_of_delivery_is_the_published_day():
    r = _report("杭州", "——2024年1月29日在杭州市第十四届人民代表大会第四次会议上\n\n各位代表：\n\n我代表市人民政府"
                        "向大会报告工作。\n\n一、2023年工作回顾")
    assert r.published == "2024-01-29" and r.session == "第十四届人民代表大会第四次会议"
    assert r.administrative_level == "sub-provincial city; provincial capital"


def test_without_a_date_or_a_planned_year_the_year_is_inferred_and_says_so():
    r = _report("池州", "各位代表：\n\n我代表市人民政府，向大会报告工作。\n\n一、2022年工作回顾\n\n今年工作。")
    assert (r.reviewed, r.published) == (2022, "2023") and r.published_evidence.startswith("year only, inferred")


def test_the_speaker_decides_whose_report_it_is():
    national = _report("台州", "各位代表：\n\n现在，我代表国务院，向大会报告政府工作。\n\n一、2023年工作回顾")
    assert national.dropped and "国务院" in national.dropped
    district = _report("黄山", "我代表区人民政府，向大会报告政府工作。2023年是黄山区发展史上极不寻常的一年。")
    assert (district.issuer, district.administrative_level) == ("黄山市黄山区人民政府", "district")
    seat = _report("恩施", "我代表市人民政府向大会报告工作。一、2023年工作回顾 是恩施市建州40周年。2024年工作安排")
    assert (seat.issuer, seat.administrative_level) == ("恩施土家族苗族自治州恩施市人民政府", "county-level city")
    league = _report("锡林郭勒", "各位主任、委员：\n\n下面，我代表行署作工作报告。\n\n一、2023年工作回顾")
    assert (league.issuer, league.administrative_level) == ("锡林郭勒盟行政公署", "league")
    prefecture = _report("凉山", "我代表州人民政府向大会报告工作。一、2023年工作回顾")
    assert prefecture.issuer == "凉山彝族自治州人民政府"
    assert _report("北京", "我代表北京市人民政府。一、2023年工作回顾").administrative_level == "municipality"
    assert _report("吉林", "我代表市政府向大会报告工作。一、2023年工作回顾").division.name == "吉林市"


def test_the_same_text_under_two_names_is_one_report():
    text = "我代表市人民政府向大会报告工作。一、2023年工作回顾。" + "推进数字政府建设，完善网格化管理。" * 30
    first, second = _report("滨州", text), _report("济宁", text)
    other = _report("青岛", "我代表市人民政府向大会报告工作。一、2023年工作回顾。" + "建设海洋强市。" * 60)
    curate._copies([first, second, other])
    assert first.dropped is None and other.dropped is None
    assert second.dropped.startswith("a copy of 滨州.docx") and first.copies == ["济宁"]


def test_a_file_name_that_names_no_division_is_dropped_with_the_reason():
    assert "names no division" in _report("某某", "我代表市人民政府。2023年工作回顾").dropped
