"""HTML: the declared charset, the main content by trafilatura, everything visible as the fallback.

Trafilatura gets text already decoded by ingest (BOM, then the page's own declaration, then byte
detection): on raw bytes it guesses, and garbles GB2312/GBK pages that declare their charset.
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from ...errors import MissingExtraError
from . import Extracted

__all__ = ["declared_charset", "read_html", "visible_text"]

# `<meta charset=X>` or `<meta http-equiv="Content-Type" content="text/html; charset=X">`, within the
# part of the page a browser sniffs (WHATWG prescan: the first 1024 bytes; pages put long comments first).
_PRESCAN_BYTES = 4096
_META_CHARSET = re.compile(rb"<meta\b[^>]{0,512}?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]{1,40})", re.I)
# WHATWG maps these labels to the supersets browsers actually decode with (keys: Python's codec names, `-` as
# `_`): an ISO-8859-1 page is a cp1252 page, its curly quotes, dashes and euro signs in bytes 0x80-0x9F.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "euc_cn": "gb18030", "iso8859_1": "cp1252", "ascii": "cp1252",
              "iso8859_9": "cp1254", "big5": "big5hkscs", "shift_jis": "cp932", "euc_kr": "cp949",
              "iso8859_11": "cp874", "tis_620": "cp874", "utf_16": "utf-8", "utf_16_le": "utf-8",
              "utf_16_be": "utf-8"}


def declared_charset(raw: bytes) -> str | None:
    """The Python codec of the charset a page declares in a <meta> tag, or None (none, or unknown)."""
    m = _META_CHARSET.search(raw[:_PRESCAN_BYTES])
    if not m:
        return None
    try:
        name = codecs.lookup(m.group(1).decode("ascii").lower()).name.replace("-", "_")
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


# trafilatura's text rendering of a table: `| a | b | ` rows and `|---|---|` rules.
_TABLE_ROW = re.compile(r"^\|(.*)\|\s*$")
_TABLE_RULE = re.compile(r"^\|?(\s*:?-{3,}:?\s*\|)+\s*$")
CELL_SEPARATOR = " | "


def _table_row(line: str) -> str | None:
    """A rendered table row as its cells joined by CELL_SEPARATOR; None for a rule line."""
    if _TABLE_RULE.match(line):
        return None
    m = _TABLE_ROW.match(line)
    if not m:
        return line
    return CELL_SEPARATOR.join(c.strip() for c in m.group(1).split("|") if c.strip())


# libxml2, under trafilatura, stops building the tree this many elements deep (without XML_PARSE_HUGE).
_LIBXML2_MAX_DEPTH = 256


def _too_deep(markup: str) -> bool:
    """Whether libxml2 would cut the page's tree (a page nested thousands of <div>s deep)."""
    if markup.count("<") < _LIBXML2_MAX_DEPTH:
        return False
    from lxml import etree

    parser = etree.HTMLParser()
    etree.fromstring(markup, parser)
    return any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log)


# Trafilatura's XPath queries (`//p//text()` over the candidate subtree) grow quadratically with the number
# of elements: a page of 100,000 paragraphs took ten minutes. Real pages have a few thousand elements (the
# largest of the html dev set, 1,737); a page with more than this many start tags is read as visible text.
_MAX_ELEMENTS = 30_000
_START_TAG = re.compile(r"<[A-Za-z]")


# A note marker written as a superscript number (`<sup><a href="#fn4">4</a></sup>`) and the items of an
# ordered list: the text keeps them as Unicode superscript digits and `n. ` (trafilatura would flatten the
# one into the prose and turn the other into `- ` bullets, losing which note is which).
_SUP_NUMBER = re.compile(r"<sup\b[^>]{0,200}>\s*(?:<a\b[^>]{0,300}>\s*)?\[?(\d{1,5})\]?\s*(?:</a>\s*)?</sup>", re.I)
_SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_ORDERED_LIST = re.compile(r"<ol\b[^>]{0,300}>(?:(?!</?ol\b).){0,2000000}?</ol>", re.I | re.S)
_LIST_ITEM_OPEN = re.compile(r"<li\b[^>]{0,300}>", re.I)


def _numbered_lists(markup: str) -> str:
    """Each <li> of a (non-nested) <ol> starts with its number, from the list's `start`."""
    def number(ol: re.Match) -> str:
        start = re.match(r"<ol\b[^>]{0,300}?\bstart\s*=\s*[\"']?(\d{1,5})", ol.group(), re.I)
        counter = iter(range(int(start.group(1)) if start else 1, 10**9))
        return _LIST_ITEM_OPEN.sub(lambda li: f"{li.group()}{next(counter)}. ", ol.group())

    markup = _SUP_NUMBER.sub(lambda m: m.group(1).translate(_SUPERSCRIPT_DIGITS), markup)
    return _ORDERED_LIST.sub(number, markup)


def read_html(markup: str) -> Extracted:
    """Main content of a page (trafilatura, precision first; tables as rows; headings marked `# `) and
    its metadata; the visible text, flagged as a fallback, when trafilatura finds no main content, cannot
    see the whole page (nested deeper than libxml2 builds) or the page is too big for it (over _MAX_ELEMENTS
    elements)."""
    try:
        import trafilatura
    except ImportError:
        raise MissingExtraError("trafilatura", "build", "reading HTML") from None
    markup = _numbered_lists(markup)
    # trafilatura would see a too-deep page cut at that depth, and take minutes over a too-big one
    if _too_big(markup) or _too_deep(markup):
        return _fallback(markup, whole_page=False)
    tree = _tree(trafilatura, markup)
    labels = _link_labels(tree)
    doc = trafilatura.bare_extraction(tree, favor_precision=True, include_tables=True, include_comments=False,
                                      include_images=False, include_links=False, with_metadata=True)
    text = (doc.text or "").strip() if doc is not None else ""
    if not text:
        return _fallback(markup)
    headings = {" ".join("".join(h.itertext()).split()) for h in doc.body.iter("head")}
    blocks = []
    for line in text.split("\n"):
        line = _table_row(re.sub(r"^- (?=\d{1,5}\. )", "", line.strip()))  # trafilatura's bullet before an <ol> number
        if not line or _is_link_row(line, labels):
            continue
        blocks.append(f"# {line}" if " ".join(line.split()) in headings else line)
    from .pagemeta import page_metadata

    found = page_metadata(markup, "\n".join(blocks), extracted_title=doc.title)
    return Extracted("\n\n".join(blocks), "trafilatura", title=found.title, authors=found.authors,
                     published=found.published, url=found.url or doc.url or None, title_source=found.title_source,
                     authors_source=found.authors_source, published_source=found.published_source)


# A line of the main text whose characters (spaces and separators aside) are link labels for at least this share,
# in two links or more, is a row of navigation that a table layout put beside the text (`全国版 | 安徽省 | …`,
# `首页 > 电影版区 > 留言板 | [精华区]`, `关于我们 | 网站公告 | …`).
_MIN_LINKED_SHARE = 0.6
_SEPARATOR_CHARS = re.compile(r"[\s|｜>»›/\\·•\-–—\[\]【】()（）:：,，]+")


def _link_labels(tree) -> re.Pattern | None:
    """One pattern matching each link label of the page (two characters or more), longest first."""
    if isinstance(tree, str):
        return None
    labels = {" ".join(a.text_content().split()) for a in tree.iter("a")}
    labels = sorted((label for label in labels if len(label) >= 2), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, labels))) if labels else None


def _is_link_row(line: str, labels: re.Pattern | None) -> bool:
    if labels is None:
        return False
    found = labels.findall(line)
    if len(found) < 2:
        return False
    total = len(_SEPARATOR_CHARS.sub("", line))
    return total > 0 and len(_SEPARATOR_CHARS.sub("", "".join(found))) >= _MIN_LINKED_SHARE * total


# An XML declaration naming an encoding: lxml refuses it in text already decoded.
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]{0,200}\?>")


def _tree(trafilatura, markup: str):
    """The page's tree as trafilatura loads it; where trafilatura refuses a page as not HTML enough (markup
    wrapped in an element other than <html>, as archives and crawls store pages), as lxml's HTML parser
    builds it, which puts it in <html><body> (both None only when lxml finds no element at all)."""
    tree = trafilatura.load_html(markup)
    if tree is not None:
        return tree
    import lxml.html
    from lxml.etree import ParserError

    try:
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", markup))
    except (ParserError, ValueError):
        return markup


def _fallback(markup: str, whole_page: bool = True) -> Extracted:
    """The page's visible text, flagged as a fallback, and what the page says about itself."""
    from .pagemeta import page_metadata

    visible, _ = visible_text(markup)
    found = page_metadata(markup, visible, whole_page=whole_page)
    return Extracted(visible, "visible_text", fallback=True, title=found.title, authors=found.authors,
                     published=found.published, url=found.url, title_source=found.title_source,
                     authors_source=found.authors_source, published_source=found.published_source)


def _too_big(markup: str) -> bool:
    """More than _MAX_ELEMENTS start tags; counts stop there."""
    for n, _ in enumerate(_START_TAG.finditer(markup), 1):
        if n > _MAX_ELEMENTS:
            return True
    return False


class _VisibleText(HTMLParser):
    """Visible text of an HTML page: no script, style, template or comments; blocks on their own lines,
    table cells apart; the title from <title> outside inline SVG."""

    _HIDDEN = {"script", "style", "template", "noscript", "svg"}
    _BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
              "article", "header", "footer", "blockquote", "pre", "title", "hr", "dd", "dt", "figcaption"}
    _CELL = {"td", "th"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.title = ""
        self._in_title = False
        self._cells_in_row = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._HIDDEN:
            self.hidden += 1
        if tag == "title" and not self.hidden:
            self._in_title = True
        if tag in self._CELL:
            if self._cells_in_row:
                self.parts.append(CELL_SEPARATOR)
            self._cells_in_row += 1
        if tag in self._BLOCK:
            self._cells_in_row = 0
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in self._HIDDEN and self.hidden:
            self.hidden -= 1
        if tag == "title":
            self._in_title = False
        if tag in self._BLOCK:
            self._cells_in_row = 0
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self.hidden:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def visible_text(markup: str) -> tuple[str, str]:
    """(visible text, <title>) of an HTML document."""
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip(), " ".join(parser.title.split())
