"""Web pages as researchers collect them: decoded in their own codec despite stray bytes, mojibake flagged,
metadata from the page's own statements with its source and honest precision, never from navigation."""

import datetime

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.pipeline.ingest import ingest, quality_flags
from corpus.pipeline.readers.markdown import read_markdown
from corpus.pipeline.readers.pagemeta import page_metadata, stated_date
from corpus.quality import metadata_quality, quality_card

BODY = ("国务院办公厅印发关于加快推进政务服务标准化规范化便利化的指导意见，要求各地区各部门认真贯彻落实，"
        "推动政务服务事项全面实现标准化管理，健全政务服务标准体系，规范审批服务行为，提升政务服务效能。")


def _page(head: str = "", body: str = "", charset: str | None = None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return f"<html><head>{meta}{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize("declared", [None, "gb2312", "gbk"])
def test_a_stray_byte_in_gbk_keeps_the_page_chinese(sources, declared):
    body = "".join(f"<p>{BODY}</p>" for _ in range(4))
    raw = _page("<title>政务服务标准化</title>", body, declared).encode("gb18030")
    cut = raw.index(BODY[:10].encode("gb18030")) + 7  # inside a character: its pair is broken
    (sources / "a.html").write_bytes(raw[:cut] + b"\xff" + raw[cut:])
    row = ingest(sources)[0].iloc[0]
    assert row["status"] == "built" and row["encoding"] in ("gb18030", "gbk", "gb2312")
    assert 1 <= row["replaced_bytes"] <= 3
    assert "政务服务事项全面实现标准化管理" in row["text"]
    assert row["quality_flags"] is None or "mojibake" not in row["quality_flags"]


def test_cyrillic_and_latin_texts_are_not_read_as_chinese(sources):
    (sources / "ru.txt").write_bytes(("Правительство утвердило новые правила цифрового управления. " * 20).encode("cp1251"))
    (sources / "fr.txt").write_bytes(("Le gouvernement a publié les règles d'administration numérique. " * 20)
                                     .encode("cp1252"))
    docs = ingest(sources)[0].set_index("source_file")
    assert docs.loc["ru.txt", "encoding"] in ("cp1251", "koi8_r", "windows-1251")
    assert "Правительство" in docs.loc["ru.txt", "text"]
    assert "publié" in docs.loc["fr.txt", "text"]


def test_mojibake_is_flagged_and_clean_text_is_not():
    garbled = "网格化管理".encode("utf-8").decode("cp1252", errors="replace") + " — “grid†management in Zhengzhou"
    assert quality_flags(garbled * 5) == "mojibake"
    assert quality_flags(BODY * 5) is None
    assert quality_flags(BODY, fallback=True) == "extraction_fallback"


# Each way a page states its own date, and the precision that statement has.
DATED = [
    ("<p>发布日期：2004-09-17</p>", "2004-09-17"),
    ("<p>发布日期： 9/17/2004</p>", "2004-09-17"),
    ("<p>发布日期：9/10/2004</p>", "2004"),               # month and day cannot be told apart
    ("<p>〓 留言板 发布时间 2005/05/17 22:11:42 by 眉间尺 〓</p>", "2005-05-17"),
    ("<p>发表于 2004年12月27日 12:40 - (阅读:3727)</p>", "2004-12-27"),
    ("<p>楼层： 第 1 楼 时间：2005-08-28 20:56:20</p>", "2005-08-28"),
    ("<p>本贴由大卫于2005年8月12日16:12:21在〖心灵体操〗发表.</p>", "2005-08-12"),
    ("<p>Saturday, September 10th, 2005 10:56 am</p>", "2005-09-10"),
    ("<p>Posted on March 3, 2021</p>", "2021-03-03"),
    ("<p>2005年1月2日</p>", "2005-01-02"),
    ("<p>——《北京之春》1998年3月号</p>", "1998-03"),
    ("<p>日期：2003年11月</p>", "2003-11"),
]


@pytest.mark.parametrize("statement,expected", DATED)
def test_dates_a_page_states_keep_their_precision(sources, statement, expected):
    body = f"<h1>政务服务标准化</h1>{statement}<p>{BODY}</p><p>{BODY}</p>"
    (sources / "a.html").write_text(_page("<title>政务服务标准化</title>", body), encoding="utf-8")
    row = ingest(sources)[0].iloc[0]
    precision = ("year", "month", "day")[expected.count("-")]
    year, month, day = (list(map(int, expected.split("-"))) + [1, 1])[:3]
    assert (row["published"], row["published_precision"], row["published_source"]) == (expected, precision, "text")
    assert row["published_date"] == datetime.date(year, month, day)


def test_meta_and_json_ld_dates_come_first_with_their_source():
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "数字政府", ' \
         '"datePublished": "2021-06-01T08:00:00+08:00", "author": {"@type": "Person", "name": "王芳"}}</script>'
    found = page_metadata(_page(ld, f"<p>发布时间：2020-01-01</p><p>{BODY}</p>"))
    assert (found.published, found.published_source) == ("2021-06-01", "json-ld")
    assert (found.authors, found.authors_source, found.title, found.title_source) == ("王芳", "json-ld", "数字政府", "json-ld")
    meta = '<meta property="article:published_time" content="2019-04-05T10:00:00Z">'
    found = page_metadata(_page(meta, f"<p>发布时间：2020-01-01</p><p>{BODY}</p>"))
    assert (found.published, found.published_source) == ("2019-04-05", "html-meta")


def test_a_page_that_states_no_date_has_none():
    body = (f"<p>{BODY}</p><p>初试时间：2004年3月底。报名日期为2003年11月1日至2003年11月30日。</p>"
            "<p>Copyright © 2000-2006 All rights reserved.</p>")
    found = page_metadata(_page("<title>招生简章</title>", body))
    assert (found.published, found.published_source) == (None, None)


@pytest.mark.parametrize("byline,expected", [
    ("<p>作者： 放飞&amp;心情</p>", "放飞&心情"),
    ("<p>作者：周思博 (Joel Spolsky)</p>", "周思博 (Joel Spolsky)"),
    ("<p>文/李明</p>", "李明"),
    ("<p>发布时间 2005/05/17 22:11:42 by 眉间尺</p>", "眉间尺"),
    ("<p>本贴由大卫于2005年8月12日16:12:21在〖心灵体操〗发表.</p>", "大卫"),
])
def test_bylines(byline, expected):
    found = page_metadata(_page("<title>政务服务标准化</title>", f"{byline}<p>{BODY}</p>"))
    assert (found.authors, found.authors_source) == (expected, "byline")


def test_an_author_is_never_a_publisher_or_a_link_label():
    head = ('<meta name="author" content="Discuz! Team and Comsenz UI Team">'
            '<meta name="copyright" content="2001-2013 Comsenz Inc.">')
    body = f'<p><a href="/u/1">■ 该作者文章</a></p><p>{BODY}</p><p>来源：云南日报报业集团</p>'
    assert page_metadata(_page(head, body)).authors is None
    head = '<meta name="author" content="云南日报报业集团"><meta property="og:site_name" content="云南网">'
    assert page_metadata(_page(head, f"<p>{BODY}</p>")).authors is None


def test_closing_reporter_names_are_authors():
    found = page_metadata(_page(), main_text=f"{BODY}（常书香 马丹阳 ）")
    assert (found.authors, found.authors_source) == ("常书香; 马丹阳", "byline")


@pytest.mark.parametrize("title", ["搜狐首页 > 搜狐财经 > 国际财经", "CopyRight@2004-2008 All rights reserved",
                                   "2003-5-29 09:07", "sina.net", "首页 | 新闻 | 行情 | 评测"])
def test_a_title_is_never_a_trail_a_copyright_line_a_time_stamp_or_a_domain(title):
    assert page_metadata(_page(f"<title>{title}</title>", f"<p>{BODY}</p>")).title is None


def test_the_site_name_in_every_header_is_not_the_title():
    posts = "".join(f"<p>〓 网易娱乐 留言板 发布时间 2005/05/1{n} 22:11:42 by 网友{n} 〓</p><p>{BODY}</p>" for n in range(5))
    found = page_metadata(_page("<title>网易娱乐</title>", posts))
    assert found.title is None
    assert (found.published, found.authors) == ("2005-05-10", "网友0")  # the thread's first post


def test_navigation_above_the_title_gives_no_metadata(sources):
    nav = ('<div><a href="/">首页</a> | <a href="/a">2023年5月4日 要闻</a> | <a href="/b">作者：编辑部 王五</a>'
           '| <a href="/c">发布时间：2022-01-01</a></div>')
    body = f"{nav}<h1>政务服务标准化</h1><p>发布时间：2021-03-02</p><p>作者：李四</p><p>{BODY}</p><p>{BODY}</p>"
    (sources / "a.html").write_text(_page("<title>政务服务标准化</title>", body), encoding="utf-8")
    row = ingest(sources)[0].iloc[0]
    assert (row["title"], row["published"], row["authors"]) == ("政务服务标准化", "2021-03-02", "李四")
    assert (row["title_source"], row["published_source"], row["authors_source"]) == ("html-meta", "text", "byline")


_LINK_TEXT = st.one_of(
    st.builds(lambda y, m, d: f"{y}-{m:02d}-{d:02d}", st.integers(1990, 2030), st.integers(1, 12), st.integers(1, 28)),
    st.builds(lambda y, m, d: f"发布时间：{y}年{m}月{d}日", st.integers(1990, 2030), st.integers(1, 12), st.integers(1, 28)),
    st.builds(lambda n: f"作者：{n}", st.text("张王李赵刘陈杨黄周吴", min_size=2, max_size=3)),
    st.builds(lambda n: f"by {n}", st.from_regex(r"[A-Z][a-z]{2,8}", fullmatch=True)),
    st.text("首页新闻要闻政务公开服务互动数据", min_size=2, max_size=8),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINK_TEXT, min_size=1, max_size=6), st.sampled_from([" | ", " > ", " ", "</li><li>"]))
def test_metadata_never_comes_from_navigation(labels, separator):
    nav = separator.join(f'<a href="/n{i}">{label}</a>' for i, label in enumerate(labels))
    page = _page("", f"<div><ul><li>{nav}</li></ul></div><p>{BODY}</p><p>{BODY}</p>")
    found = page_metadata(page, main_text=f"{BODY}\n\n{BODY}")
    assert (found.title, found.authors, found.published) == (None, None, None)


def test_stated_date_reads_the_first_statement():
    assert stated_date(["2005年9月 (1)", "发表于 2004年12月27日 12:40", "# re: 2004-12-28 12:46 网友"]) == "2004-12-27"


def test_markdown_export_chrome_goes_by_structure():
    text = ("# Grid Governance\n\n**Report No.:** R123\n**Publication Date:** 04/16/2026\n**Author(s):** Wang, Fang\n\n"
            "---\n[Cite](https://ex.org#c)[Alerts](https://ex.org/alerts)[Share](https://ex.org#s) > "
            "[Home](https://ex.org/) > R123\n\n# Grid Governance\n\n[Hide Overview](https://ex.org#)\n\n"
            "- [May 1, 2026 (v2)](https://ex.org/files/R123.2.pdf)\n- [May 1, 2025 (v1)](https://ex.org/files/R123.1.pdf)\n"
            "[Listen](https://reader.example.net/?u=1)Grids cover the city.\n\n"
            "Cities divide wards into grids. See [the notice](https://ex.org/notice).\n")
    found = read_markdown(text)
    assert found.text.split("\n\n") == ["# Grid Governance", "- Grids cover the city.",
                                        "Cities divide wards into grids. See the notice (https://ex.org/notice)."]
    assert (found.authors, found.published, found.authors_source, found.published_source) == (
        "Wang, Fang", "2026-04-16", "text", "text")


def test_quality_counts_given_inferred_and_null():
    docs = pd.DataFrame({"status": ["built", "built", "built", "rejected"], "format": ["html", "html", "md", "html"],
                         "title": ["A", None, "C", None], "title_source": ["sources.toml", None, "text", None],
                         "published": ["2020", "2021-03-02", None, None],
                         "published_source": ["html-meta", "text", None, None],
                         "published_precision": ["year", "day", None, None],
                         "authors": [None, "李四", None, None], "authors_source": [None, "byline", None, None],
                         "quality_flags": ["mojibake", None, "extraction_fallback mojibake", None]})
    quality = metadata_quality(docs).set_index("format")
    assert quality.loc["html", ["documents", "title", "published", "authors", "dates day/month/year", "mojibake"]].tolist() \
        == [2, "1 / 0 / 1", "0 / 2 / 0", "0 / 1 / 1", "1/0/1", 1]
    assert quality.loc["md", ["mojibake", "extraction_fallback"]].tolist() == [1, 1]
    card = quality_card(docs, lambda df: df.to_csv(index=False))
    assert "published: html-meta 1, text 1" in card


@pytest.mark.parametrize("content,expected", [("2018-05-07T10:00:00+08:00", "2018-05-07"), ("2018-05", "2018-05"),
                                              ("20180507", "2018-05-07")])
def test_a_meta_date_keeps_the_precision_it_is_written_with(content, expected):
    meta = f'<meta property="article:published_time" content="{content}">'
    found = page_metadata(_page(meta, f"<p>{BODY}</p>"))
    assert (found.published, found.published_source) == (expected, "html-meta")


def test_rows_of_links_beside_the_text_are_navigation(sources):
    provinces = "安徽省 北京市 重庆市 福建省 贵州省 广东省".split()
    menu = "<tr>" + "".join(f'<td><a href="/p{n}">{p}</a></td>' for n, p in enumerate(provinces)) + "</tr>"
    body = (f"<table>{menu}<tr><td colspan=6><h1>政务服务标准化</h1><p>{BODY}</p><p>{BODY[::-1]}</p>"
            f"<p>各地区要在北京市、上海市的经验基础上推进。{BODY}</p></td></tr></table>")
    (sources / "a.html").write_text(_page("<title>政务服务标准化</title>", body), encoding="utf-8")
    text = ingest(sources)[0].iloc[0]["text"]
    assert "安徽省" not in text and "各地区要在北京市、上海市的经验基础上推进" in text


def test_a_site_clock_far_from_the_heading_is_no_date():
    sidebar = "".join(f"<p>栏目{n}：政务公开 数据开放</p>" for n in range(12))
    body = f"<p>2006年12月27日 星期三</p>{sidebar}<h1>政务服务标准化</h1><p>{BODY}</p><p>{BODY}</p>"
    found = page_metadata(_page("<title>政务服务标准化</title>", body), main_text=f"政务服务标准化\n\n{BODY}")
    assert found.published is None
    body = f"{sidebar}<h1>政务服务标准化</h1><p>2006年12月27日 星期三</p><p>{BODY}</p>"
    found = page_metadata(_page("<title>政务服务标准化</title>", body), main_text=f"政务服务标准化\n\n{BODY}")
    assert (found.published, found.published_source) == ("2006-12-27", "text")


def test_by_in_a_sentence_is_no_byline():
    text = "The rules on public data were drafted by the municipal data bureau and adopted by the city council " * 2
    assert page_metadata(_page("", f"<p>{text}</p>")).authors is None


GB_TEXT = "网格化管理系统在郑州引起争议，民众抗议健康码，政府表示将依法保护个人信息。"


@pytest.mark.parametrize("codec,text,stray", [
    ("gb18030", GB_TEXT, b"\xff"),
    ("big5", "網格化管理系統在鄭州引起爭議，民眾抗議健康碼，政府表示將依法保護個人資訊。", b"\x80"),
])
def test_a_stray_byte_without_declaration_keeps_the_text_in_its_own_codec(sources, codec, text, stray):
    raw = (text * 6).encode(codec)
    (sources / "a.txt").write_bytes(raw[:41] + stray + raw[41:])
    row = ingest(sources)[0].iloc[0]
    assert row["status"] == "built" and row["replaced_bytes"] >= 1 and row["quality_flags"] is None
    assert text[25:] in row["text"]


def test_a_stray_byte_that_pairs_with_the_next_is_flagged_mojibake(sources):
    raw = (GB_TEXT * 6).encode("gb18030")
    (sources / "a.txt").write_bytes(raw[:41] + b"\x80" + raw[41:])  # \x80 is a valid second byte in GBK
    row = ingest(sources)[0].iloc[0]
    assert row["text"].startswith(GB_TEXT[:20]) and row["quality_flags"] == "mojibake"


@pytest.mark.parametrize("line,expected", [("By Jane Doe", "Jane Doe"), ("Posted by John van Dyke on May 3", "John van Dyke"),
                                           ("By Email", None), ("Delivered by FeedBurner", None),
                                           ("Photo by the Nigeria Police", None)])
def test_english_bylines_open_their_line_and_name_a_person(line, expected):
    assert page_metadata(_page("", f"<p>{line}</p><p>{BODY}</p>")).authors == expected
