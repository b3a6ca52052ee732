import pytest
from hypothesis import given, settings, strategies as st

from corpus.pipeline.clean import clean_text

WRAPPED = """Abstract

China has actively adopted digital technology and launched administrative service centers to
improve the government's administrative efficiency and provide corresponding social services,
thereby achieving the goal of accumulating legitimacy of power. With the nationwide coverage
of administrative service centers, the public's satisfaction with the government has also
increased. However, in the process of the active adoption of digital technology, the economy

has become the protagonist, and governing society through digital means has become a technical
activity. Overemphasizing the efficiency of digital governance has made the government overlook
the obtaining of official documents2. Administrative services during this period were remnants

2 In the latter half of the 1990s, attempts were made to establish comprehensive service windows in
Guangdong Province and other regions, to attract foreign investment.

12

of the planned economy era and closely related to the household registration system at the time.
"""


def test_clean_drops_scrape_boilerplate():
    text = "[ad_1]\ntop of page\nTitle\nDownload PDF • 432KB\nBody text here.\nPhoto credit:\nSomeone, CC BY-SA 4.0\nRecent articles:\nbottom of page\n[ad_2]\nSource link\n"
    assert clean_text(text) == "Title\n\nBody text here."


def test_clean_rejoins_ocr_wraps_and_sets_footnotes_apart():
    blocks = clean_text(WRAPPED).split("\n\n")
    assert blocks[0] == "Abstract"
    assert blocks[1].startswith("China has actively") and "the economy has become the protagonist" in blocks[1]
    assert blocks[1].endswith("closely related to the household registration system at the time.")
    assert blocks[-1].startswith("2 In the latter half") and "\n" not in blocks[-1]
    assert "12" not in blocks


def test_clean_normalizes_unicode_and_line_ends():
    assert clean_text("Cafe\u0301\r\nzero\u200bwidth\x07") == "Café\n\nzerowidth"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120), max_size=15))
def test_clean_is_idempotent(lines):
    once = clean_text("\n".join(lines))
    assert clean_text(once) == once


def test_clean_rejoins_wrapped_chinese_without_a_space():
    assert clean_text("网格化管理是基层治理的重要方式，街道主管部\n门要加强协调。\n\n第二段") == \
        "网格化管理是基层治理的重要方式，街道主管部门要加强协调。\n\n第二段"
    lines = ["各地区各部门要把网格化管理作为推进基层治理现代化的重要抓手，健全党组织领导下的自治、",
             "法治、德治相结合的城乡基层治理体系，完善网格员队伍建设和工作保障机制，推动资源下沉到",
             "社区网格，切实提高发现问题、解决问题的能力和水平。"] * 4
    assert clean_text("\n".join(lines)).split("\n\n") == ["".join(lines[:3])] * 4  # a short line ends its paragraph


def test_clean_rejoins_latin_with_a_space_and_hyphenated_words_whole():
    lines = ["Grid management divides each city into cells of a few hundred households,",
             "and every cell has a grid worker who visits homes and records residents.",
             "Critics question the govern-",
             "ance of the data it collects; its governance is left to the street offices,",
             "which store records in cross-",
             "regional platforms run by companies under contract to the districts, and",
             "the workers report each visit through an application on their phones.",
             "Observers note that the system grew fastest after the COVID-",
             "19 epidemic began, when the grids enforced lockdowns across the country."]
    text = clean_text("\n".join(lines))
    assert "\n" not in text
    assert "households, and every cell" in text and "the governance of the data" in text
    assert "cross-regional" in text and "COVID-19" in text


def test_clean_drops_web_chrome_by_what_it_says():
    lines = ["Share on Facebook", "Sign up for our daily newsletter", "Follow us on Twitter",
             "We use cookies to improve your experience. By continuing you agree to our cookie policy.",
             "Tags: China, governance, grids", "© 2023 City Daily Media Group. All rights reserved.",
             "The grid system covers every household in the city."]
    from corpus.pipeline.clean import _clean

    cleaned = _clean("\n".join(lines))
    assert cleaned.text == "The grid system covers every household in the city."
    assert cleaned.boilerplate_lines == 6


def test_download_labels_are_chrome_but_sentences_about_downloads_are_not():
    from corpus.pipeline.clean import is_download_label

    for label in ("Download PDF (284KB)", "PDF (1.2 MB)", "Download the full report (2.3 MB)", "Download"):
        assert is_download_label(label), label
    for text in ("Downloading data from China", "PDF Version History", "Download our 2 MB guide to the grid"):
        assert not is_download_label(text), text
    assert clean_text("Download PDF (284KB)\n\nThe grid covers every household.") == "The grid covers every household."


def test_drop_recurring_removes_a_sites_chrome_but_keeps_copies_of_one_article():
    import pandas as pd

    from corpus.pipeline.clean import clean, drop_recurring
    from corpus.tables import frame

    chrome = "Get the City Daily app for the latest news from your neighbourhood"
    texts = [f"Article {n} about grid workers in district {n}.\n\nIt has its own body text, number {n}.\n\n{chrome}"
             for n in range(4)]
    copy = "A story reposted by three sites.\n\nIts body is the same everywhere."
    rows = [{"doc_id": f"d{i}", "source_file": f"{i}.txt", "format": "txt", "text": t, "sha256": "x", "bytes": 1,
             "status": "built", "metadata_source": "inferred"} for i, t in enumerate(texts + [copy] * 3)]
    docs = drop_recurring(clean(frame("documents", rows)))
    assert all(not t.endswith(chrome) for t in docs["text"][:4])
    assert list(docs["boilerplate_lines"][:4]) == [1, 1, 1, 1]
    assert list(docs["text"][4:]) == [copy.replace("\n\n", "\n\n")] * 3
    assert isinstance(docs, pd.DataFrame) and docs["title"].notna().all()


def test_clean_is_linear_on_pathological_text():
    # one huge hard-wrapped paragraph, no blank lines, and a long line of brackets: must finish quickly
    wrapped = "\n".join(["word " * 14 + "cont-"] * 20_000)
    assert clean_text(wrapped).count("\n") == 0
    assert clean_text("[" * 100_000) == "[" * 100_000
    assert clean_text("网格" * 50_000) == "网格" * 50_000


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["می\u200cخواهم", "क्\u200dष", "👩\u200d💻", "👨\u200d👩\u200d👧", "ﻻ\u200c", "data"]),
                min_size=1, max_size=12))
def test_zero_width_joiners_are_kept_and_only_nfc_changes_the_text(words):
    import unicodedata

    text = " ".join(words)
    assert clean_text(text) == unicodedata.normalize("NFC", text)
    assert clean_text("a\u200bb\u2060c\u00add") == "abcd"  # invisible characters without meaning still go


def _paged(pages: list[list[str]]) -> str:
    return "\f".join("\n".join(lines) for lines in pages)


BODY = "The provincial government published its annual figures on the digital economy and data governance."


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 8), st.integers(0, 30), st.integers(1, 9), st.booleans(),
       st.sampled_from(["Table {}: Budget of the data bureaus, 2019-2023", "Figure {} Staff of the bureaus",
                        "表{} 各省数据局预算", "Chart {}. Complaints per year"]))
def test_numbered_captions_atop_pages_are_text_while_running_headers_go(pages, first_page, first_table, one_per_page,
                                                                         caption):
    numbers = iter(range(first_table, first_table + 3 * pages))
    paged, captions = [], []
    for p in range(pages):
        header = [f"Digital Governance Review | {first_page + p}"] if p else ["Digital Governance Review"]
        mine = [caption.format(next(numbers)) for _ in range(1 if one_per_page else 2)]
        captions += mine
        paged.append(header + [mine[0], BODY, BODY] + mine[1:] + [BODY, f"- {first_page + p} -"])
    blocks = clean_text(_paged(paged)).split("\n\n")
    assert all(c in blocks for c in captions)
    assert not any(b.startswith("Digital Governance Review |") or b.startswith("- ") for b in blocks)


ARTICLE = ["The Cyberspace Administration published new rules on personal information in apps on Monday.",
           "Regulators said hundreds of apps had collected data beyond what their services need to work.",
           "The rules take effect in May and apply to every app offered in the country's app stores."]
COOKIE = ["Under the draft, a website that uses cookies must ask for cookie consent before it sets any that are not "
          "strictly necessary, and the consent banner must offer a reject button as visible as the accept button.",
          "We use cookies to improve your experience on our website. By continuing to browse, you agree to our use "
          "of cookies and to our cookie policy, which explains how to change your cookie settings at any time."]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(COOKIE), st.integers(1, len(ARTICLE) - 1), st.sampled_from(["html", "md"]))
def test_a_long_paragraph_about_cookies_inside_an_article_is_text_at_its_edges_chrome(cookie, at, fmt):
    inside = ARTICLE[:at] + [cookie] + ARTICLE[at:]
    assert clean_text("\n".join(inside), fmt).split("\n\n") == inside
    for edge in ([cookie] + ARTICLE, ARTICLE + [cookie]):  # a banner goes, a sentence about cookies stays
        assert clean_text("\n".join(edge), fmt).split("\n\n") == (ARTICLE if cookie.startswith("We use") else edge)


@pytest.mark.parametrize("sentence", ["Copyright law protects software since the 2001 amendment.",
                                      "Authors keep all rights reserved to them by the statute.",
                                      "(c) the operator shall delete the data within 15 days."])
def test_sentences_about_copyright_are_text_and_notices_are_chrome(sentence):
    assert clean_text("\n".join(ARTICLE + [sentence]), "html").split("\n\n") == ARTICLE + [sentence]
    for notice in ("© 2023 Xinhua News Agency. All rights reserved.", "Copyright (c) 2021 Caixin Global",
                   "Xinhua News Agency, all rights reserved", "Copyright 2020 Reuters"):
        assert clean_text("\n".join(ARTICLE + [notice]), "html").split("\n\n") == ARTICLE


@pytest.mark.parametrize("start", ["Copyright 2010 revision and its rules on software, the courts said,",
                                   "© 2010 notices, which the courts read as claims of authorship, and",
                                   "Share this view of the data rights, the drafters wrote in a memo, and"])
def test_a_wrapped_line_that_starts_like_chrome_stays_in_its_paragraph(start):
    lines = ["The Personal Information Protection Law sets out how data handlers may",
             "process personal information and when they need consent. Its drafters",
             "cited the law on intellectual property, its notices and the amended",
             start,
             "serve as a model for data rights in the new statute, and the courts",
             "have applied both since the law took effect in the November of 2021.",
             "",
             "A second paragraph follows here, wrapped at the same width as the first,",
             "so that the text is plainly hard-wrapped at seventy columns or so, as",
             "e-mails and OCR output are, and the cleaner rejoins its lines again."]
    paragraphs = clean_text("\n".join(lines)).split("\n\n")
    assert paragraphs == [" ".join(lines[:6]), " ".join(lines[7:])]


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab 網格化한글ｆＡ\u1100\u3000K"), max_size=30))
def test_width_counts_wide_characters_twice(line):
    # the fast path (ASCII lines, a search for candidates) keeps the per-character definition
    import unicodedata

    from corpus.pipeline.clean import _width

    wide = sum(1 for ch in line if unicodedata.east_asian_width(ch) in ("W", "F") and not "\uac00" <= ch <= "\ud7af")
    assert _width(line) == len(line) + wide


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["we", "use", "uses", "cookies", "Cookie", "policy", "via", "Wikimedia", "Commons",
                                 "COOKIE", "settings", "photo", "."]), max_size=40))
def test_long_chrome_prefilter_keeps_the_match(words):
    from corpus.pipeline.clean import _LONG_CHROME, _is_chrome

    line = " ".join(words)
    if 100 < len(line) <= 400:
        assert _is_chrome(line) == (_LONG_CHROME.match(line) is not None)
    elif _LONG_CHROME.match(line):
        assert _is_chrome(line)


# A web page's links each on a line of their own, its paragraphs set apart by blank lines (as Wikisource).
LINKED = """各位代表：

一、2011年工作回顾

过去一年，我们认真实施《
民族区域自治法
》、《
国家中长期教育改革和发展规划纲要
》，各项工作取得新进展。加快建设
高速铁路
，新建里程超过1900公里。

一是
加快转变经济发展方式。
二是保障和改善民生。
"""


def test_clean_rejoins_a_sentence_its_links_cut_into_lines():
    assert clean_text(LINKED).split("\n\n") == [
        "各位代表：",
        "一、2011年工作回顾",
        "过去一年，我们认真实施《民族区域自治法》、《国家中长期教育改革和发展规划纲要》，各项工作取得新进展。"
        "加快建设高速铁路，新建里程超过1900公里。",
        "一是加快转变经济发展方式。",
        "二是保障和改善民生。",
    ]


def test_clean_keeps_a_heading_and_its_paragraph_apart_in_paragraphed_text():
    text = "一、2011年工作回顾\n过去一年，经济平稳较快发展。\n\n（一）加快建设\n高速铁路投产里程超过1900公里。\n"
    assert clean_text(text).split("\n\n") == ["一、2011年工作回顾", "过去一年，经济平稳较快发展。",
                                             "（一）加快建设", "高速铁路投产里程超过1900公里。"]


def test_clean_rejoins_a_wrapped_english_line_with_a_space_in_paragraphed_text():
    text = ("Digital Governance\n\nThe State Council issued the\nguidelines in 2022, and the\n"
            "(\nNational Data Administration\n) followed.\nIt began work.\n\nA second paragraph.\n")
    assert clean_text(text).split("\n\n") == [
        "Digital Governance",
        "The State Council issued the guidelines in 2022, and the (National Data Administration) followed.",
        "It began work.", "A second paragraph."]


_PIECES = st.lists(st.sampled_from(["《", "》、《", "法", "民族区域自治法", "，", "。", "一、", "一是", "（一）",
                                    "the", "Act", "(", ")", "：", "报告", "1."]), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_PIECES.map("".join), min_size=1, max_size=6), min_size=1, max_size=4))
def test_joining_lines_never_drops_or_reorders_characters(paragraphs):
    text = "\n\n".join("\n".join(lines) for lines in paragraphs)
    assert "".join(clean_text(text).split()) == "".join(text.split())
