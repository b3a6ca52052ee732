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
