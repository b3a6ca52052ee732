"""What a web page says about itself: its title, authors and publication date, each with where it came from.

Evidence is taken in the order the field trusts it: the page's JSON-LD, its `<meta>` tags (through htmldate,
`original_date=True`, no extensive search, over the page's head), then what the page states in its own text
(a labelled date `发布时间：2005/05/17`, `发表于 2004年12月27日`, `Posted on …`; a byline `作者：X`, `by X`, `文/X`;
a date line of its own under the title), then its URL, then htmldate's look at the whole page. Each value
records its source (`json-ld`, `html-meta`, `byline`, `text`, `url`) and a date its precision as stated: a
month stays a month, an ambiguous `9/10/2004` a year. Nothing found is None, never a guess.

Navigation is never evidence: a line all of whose text is link labels (a menu, a breadcrumb trail, an archive
list) is skipped, and a title that reads as a trail, a copyright line, a time stamp or a site name is refused.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = ["PageMeta", "page_metadata", "stated_date", "is_plausible_title", "is_plausible_author"]


@dataclass(frozen=True)
class PageMeta:
    title: str | None = None
    title_source: str | None = None
    authors: str | None = None
    authors_source: str | None = None
    published: str | None = None          # YYYY, YYYY-MM or YYYY-MM-DD: as precise as the evidence
    published_source: str | None = None
    url: str | None = None


_MONTHS = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                       "september", "october", "november", "december"), 1)}
_MONTH_NAMES = "|".join(list(_MONTHS) + [m[:3] for m in _MONTHS] + ["sept"])
_ORD = r"(?:st|nd|rd|th)?"
# Each form a page writes a date in, with the precision it states. Years 1900-2099 only.
_Y = r"((?:19|20)\d\d)"
_DATE_FORMS = [
    (re.compile(_Y + r"\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"), "ymd"),
    (re.compile(r"(?<!\d)" + _Y + r"[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/" + _Y + r"(?!\d)"), "mdy_numeric"),
    (re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}}){_ORD},?\s+{_Y}\b", re.I), "mdy"),
    (re.compile(rf"\b(\d{{1,2}}){_ORD}\s+({_MONTH_NAMES})\.?,?\s+{_Y}\b", re.I), "dmy"),
    (re.compile(_Y + r"\s*年\s*(\d{1,2})\s*月(?!\s*\d)"), "ym"),
    (re.compile(rf"\b({_MONTH_NAMES})\.?\s+{_Y}\b", re.I), "my"),
]


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """The ISO form of a date to the precision given; None for an impossible one."""
    try:
        datetime.date(year, month or 1, day or 1)
    except ValueError:
        return None
    return f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")


def _parse(match: re.Match, form: str) -> str | None:
    g = match.groups()
    if form == "ymd":
        return _iso(int(g[0]), int(g[1]), int(g[2]))
    if form == "ym":
        return _iso(int(g[0]), int(g[1]))
    if form == "mdy_numeric":
        first, second, year = int(g[0]), int(g[1]), int(g[2])
        if first > 12 >= second:
            return _iso(year, second, first)  # day first: 17/9/2004
        if second > 12 >= first or first == second:
            return _iso(year, first, second)  # month first: 9/17/2004
        return _iso(year)  # 9/10/2004: which is the month the page does not say; the year is sure
    if form == "mdy":
        return _iso(int(g[2]), _month(g[0]), int(g[1]))
    if form == "dmy":
        return _iso(int(g[2]), _month(g[1]), int(g[0]))
    return _iso(int(g[1]), _month(g[0]))  # "my"


def _month(name: str) -> int:
    name = name.lower().rstrip(".")
    return _MONTHS.get(name) or next(i for m, i in _MONTHS.items() if m.startswith(name[:3]))


def _dates(text: str) -> list[tuple[int, int, str]]:
    """(start, end, ISO date) of each date written in `text`, earliest first, overlapping forms dropped."""
    found: list[tuple[int, int, str]] = []
    for pattern, form in _DATE_FORMS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e, _ in found):
                continue
            value = _parse(m, form)
            if value:
                found.append((m.start(), m.end(), value))
    return sorted(found)


# A label that says the date next to it is the page's publication: `发布时间：`, `发表于`, `Posted on`. The bare
# 时间/日期 count only where no other word is glued before them (初试时间, 报名日期 are other dates).
_DATE_LABEL = re.compile(
    r"(?:发布|发表|发帖|刊登|出版|上传|录入|提交|创建)(?:时间|日期|于)|(?<![\u4e00-\u9fff])(?:时间|日期)"
    r"|\b(?:posted|published|date)\b(?:\s+on)?", re.I)
# What may stand between a label and its date: `：`, spaces, a bracket.
_LABEL_GAP = re.compile(r"[\s:：\[【(（]{0,4}")
# `本贴由X于2005年8月12日16:12:21在〖…〗发表`: the date between 于 and 发表/发布.
_POSTED_AT = re.compile(r"于\s*$")
_POSTED_AFTER = re.compile(r"^[\d:：\s]*(?:在[^。\n]{0,40})?(?:发表|发布)")
# A line that is a date and nothing else but a weekday and a time (a dateline under a title).
_WEEKDAY = r"(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?|星期[一二三四五六日天]|周[一二三四五六日])"
_TIME = r"(?:(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?)"
_DATELINE_REST = re.compile(rf"[\s,，]*(?:{_WEEKDAY}|{_TIME}|[\s,，()（）])*", re.I)
# A periodical's issue named as the text's source: `——《北京之春》1998年3月号`, `原载《X》2001年第3期`.
_ISSUE = re.compile(r"^[\s—\-－~～]*(?:原载|原刊|刊于|载于|载|来源|出处)?[:：]?\s*《[^》]{1,40}》\s*")


def _labelled_date(line: str) -> str | None:
    """The date a line states as the page's own: after a publication label, or between 于 and 发表."""
    for start, end, value in _dates(line):
        before = line[max(0, start - 16):start]
        label = None
        for m in _DATE_LABEL.finditer(before):
            label = m
        if label and _LABEL_GAP.fullmatch(before[label.end():]):
            return value
        if _POSTED_AT.search(before) and _POSTED_AFTER.match(line[end:]):
            return value
    return None


def _dateline(line: str) -> str | None:
    """The date of a line that holds a date and nothing else (weekday and time aside), to the day."""
    found = _dates(line)
    if len(found) != 1:
        return None
    start, end, value = found[0]
    if value.count("-") != 2:
        return None
    if _DATELINE_REST.fullmatch(line[:start]) and _DATELINE_REST.fullmatch(line[end:]):
        return value
    return None


def _issue_date(line: str) -> str | None:
    """The issue date of a periodical a line names as its source (`——《北京之春》1996年6月号`)."""
    m = _ISSUE.match(line)
    if not m:
        return None
    found = _dates(line[m.end():])
    return found[0][2] if found and found[0][0] == 0 else None


# Lines around the page's heading (its title in the text, or the main text's first line) where a date line of its
# own is the text's dateline; elsewhere it is a clock or a calendar of the site.
_DATELINE_BEFORE, _DATELINE_AFTER = 3, 8


def stated_date(lines: list[str], heading: int | None = None) -> str | None:
    """The date the page states as its own in these lines (navigation already left out): the first labelled
    one near the heading (line index `heading`), else a dateline of its own near it, else the first labelled
    one anywhere, else the issue of a periodical named as its source. Without a heading, the whole page is
    near it."""
    near = lines if heading is None else lines[max(0, heading - _DATELINE_BEFORE):heading + _DATELINE_AFTER + 1]
    for read, where in ((_labelled_date, near), (_dateline, near), (_labelled_date, lines), (_issue_date, lines)):
        for line in where:
            value = read(line.strip())
            if value:
                return value
    return None


def _heading_line(lines: list[str], title: str | None, main_text: str) -> int | None:
    """The index of the line that is the page's title, else of the main text's first line; None if neither."""
    first = next((b.strip().removeprefix("# ") for b in main_text.split("\n") if b.strip()), None)
    for wanted in (title, first):
        if wanted:
            wanted = " ".join(wanted.split())
            for n, line in enumerate(lines):
                if line == wanted or (len(wanted) >= 8 and line.startswith(wanted)):
                    return n
    return None


# --- bylines -------------------------------------------------------------------------------------------------

# `作者：X`, `作者 X`, `文/X`, `撰文：X`, `记者 X`, `by X`, `Posted by X`, `本贴由X于`. The name runs to the next
# separator; what follows a label that is itself a link label (`该作者文章`) has no colon and no name.
_NAME = r"([^\s:：|｜,，;；()（）\[\]【】<>《》〓■□◆●]{1,30}(?:\s?\([^()]{1,30}\)|\s\(?[A-Z][\w.\-]*(?:\s[A-Z][\w.\-]*){0,2}\)?)?)"
# A name in Latin letters after `By` opening a line: two to four capitalised words (`By Email` is a control, not
# a person), or a Han name.
_LATIN_NAME = r"((?-i:[A-Z][\w.'’-]+(?:\s+(?:[A-Z][\w.'’-]+|van|von|de|da|del|bin|al)){1,3})|[\u4e00-\u9fff·]{2,6})"
_BYLINES = [
    re.compile(r"(?:^|[\s|｜【\[(（])(?:作\s*者|撰\s*文|撰\s*稿|发\s*帖\s*人|楼\s*主|发表者|发信人|原作者)\s*[:：]\s*" + _NAME),
    re.compile(r"(?:^|[\s|｜【\[(（])(?:文|作者)\s*[/／]\s*" + _NAME),
    re.compile(r"(?:^|[\s|｜【\[(（])记者\s+" + _NAME),
    # `By Jane Doe` opening a line, or `by handle` after the post's time in a forum header
    re.compile(r"^(?:(?:posted|written|story|words|text|reported)\s+)?by\s+" + _LATIN_NAME, re.I),
    re.compile(r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s+by\s+" + _NAME, re.I),
    re.compile(r"本[贴帖文]由\s*" + _NAME + r"\s*于"),
]
# A byline's name is a person's: not an organisation (a press group, a publisher, a team), not a role.
_NOT_A_PERSON = re.compile(r"(集团|出版社|报社|日报|晚报|新闻网|杂志社|编辑部|委员会|公司|研究院|协会|中心|网站|"
                           r"\b(?:team|inc|ltd|llc|publishers?|press|staff|admin|administrator)\b|文章|本站|佚名|未知|匿名)",
                           re.I)
_HAN_NAME_LINE = re.compile(r"[\u4e00-\u9fff]{2,4}")


def is_plausible_author(name: str, site: str | None = None) -> bool:
    """Whether `name` can be a person's name: short, not a date, not an organisation or a site."""
    name = name.strip()
    if not name or len(name) > 40 or _NOT_A_PERSON.search(name) or _dates(name):
        return False
    if not re.search(r"[^\W\d_]", name) or "http" in name or "@" in name and " " not in name:
        return False
    return not (site and (name.lower() in site.lower() or site.lower() in name.lower()))


# A byline is a short line of its own (a forum post's header: name, date and board).
_MAX_BYLINE = 100


def _byline(lines: list[tuple[str, tuple[bool, ...]]], site: str | None) -> str | None:
    """The first byline of lines (text, which characters are link labels) whose label is no link's (the name
    may be: a link to the author's page)."""
    for line, mask in lines:
        if len(line) > _MAX_BYLINE:
            continue  # a sentence of the text: `…was drafted by the city…`
        for pattern in _BYLINES:
            for m in pattern.finditer(line):
                if any(mask[m.start():m.start(1)]):
                    continue
                name = m.group(1).strip(" .·-—")
                if is_plausible_author(name, site):
                    return name
    return None


# --- titles ------------------------------------------------------------------------------------------------

_TRAIL = re.compile(r"\s(?:>|»|›|→|>>|＞)\s|\s*(?:>|»|›|＞)\s*")
_MENU = re.compile(r"\s*[|｜]\s*")
_COPYRIGHT = re.compile(r"©|\(c\)|copyright|all rights reserved|版权所有|版权", re.I)
_DOMAIN = re.compile(r"(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+/?", re.I)


def is_plausible_title(title: str, site: str | None = None) -> bool:
    """Whether `title` can be a document's title: not a navigation trail (three or more parts between `>`
    or `»`), a copyright line, a time stamp, a bare domain, or the site's own name."""
    title = " ".join(title.split())
    if not title or _COPYRIGHT.search(title) or _DOMAIN.fullmatch(title):
        return False
    if len([p for p in _TRAIL.split(title) if p.strip()]) >= 3 or len([p for p in _MENU.split(title) if p.strip()]) >= 3:
        return False
    letters = re.sub(r"[\W\d_]", "", title)
    if not letters or (_dates(title) and len(letters) <= 4):  # 2003-5-29 09:07, 2003年5月29日
        return False
    return not (site and title.strip().lower() == site.strip().lower())


# What separates the words of a header line (`〓 论坛名 版块名 发布时间 … 〓`), and how many lines of a page
# may hold a title (its <h1>, a breadcrumb, a "you are reading" line) before it is the site's name in every header.
_PARTS = re.compile(r"[\s〓|｜·•»>›\[\]【】]+")
_SITE_REPETITIONS = 4


def _title_part(title: str, site: str | None) -> str | None:
    """The title, or of a `Site » Title` pair the part that is not the site (the last part of a trail)."""
    title = " ".join(title.split())
    parts = [p.strip() for p in _TRAIL.split(title) if p.strip()]
    if len(parts) == 2 and is_plausible_title(parts[-1], site):
        title = parts[-1]
    return title if is_plausible_title(title, site) else None


# --- the page's structure ----------------------------------------------------------------------------------


class _Page(HTMLParser):
    """The lines of a page's visible text, each with which of its characters are link labels; its JSON-LD,
    <meta> name/property -> content, <title>, and its <head> markup's extent."""

    _HIDDEN = {"script", "style", "template", "noscript", "svg", "select", "option"}
    _BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table",
              "section", "article", "header", "footer", "blockquote", "pre", "title", "hr", "dd", "dt", "nav",
              "aside", "form", "figcaption", "center"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, tuple[bool, ...]]] = []  # each line's text and which of its characters are link text
        self._text: list[tuple[str, bool]] = []
        self.hidden = self.links = 0
        self._open_links: list[bool] = []
        self.meta: dict[str, str] = {}
        self.jsonld: list[str] = []
        self._script_type = None
        self.title = ""
        self._in_title = False
        self.head_end = None

    def _flush(self):
        chars, mask = [], []
        for piece, linked in self._text:
            for ch in piece:
                if ch.isspace():
                    if chars and chars[-1] != " ":
                        chars.append(" ")
                        mask.append(False)
                else:
                    chars.append(ch)
                    mask.append(linked)
        if chars and chars[-1] == " ":
            chars.pop()
            mask.pop()
        if chars:
            self.lines.append(("".join(chars), tuple(mask)))
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").lower()
            if key and attrs.get("content") and key not in self.meta:
                self.meta[key] = attrs["content"]
            return
        if tag == "script":
            self._script_type = (attrs.get("type") or "").lower()
        if tag in self._HIDDEN:
            self.hidden += 1
        elif tag == "a" and attrs.get("href") is not None:  # <a name=…> is an anchor, not a link
            self.links += 1
            self._open_links.append(True)
        elif tag == "a":
            self._open_links.append(False)
        elif tag == "title":
            self._in_title = True
        if tag in self._BLOCK:
            self._flush()

    def handle_endtag(self, tag):
        if tag == "head" and self.head_end is None:
            self.head_end = self.getpos()
        if tag in self._HIDDEN and self.hidden:
            self.hidden -= 1
            self._script_type = None
        elif tag == "a" and self._open_links:
            self.links -= self._open_links.pop()
        elif tag == "title":
            self._in_title = False
        if tag in self._BLOCK:
            self._flush()

    def handle_data(self, data):
        if self._script_type == "application/ld+json":
            self.jsonld.append(data)
        elif self._in_title:
            self.title += data
        elif not self.hidden:
            self._text.append((data, self.links > 0))

    def close(self):
        super().close()
        self._flush()


def _jsonld_items(blobs: list[str]) -> list[dict]:
    items: list[dict] = []
    for blob in blobs:
        try:
            data = json.loads(blob)
        except ValueError:
            continue
        pending = data if isinstance(data, list) else [data]
        while pending:
            item = pending.pop(0)
            if isinstance(item, dict):
                items.append(item)
                pending += [v for v in item.get("@graph", []) if isinstance(v, dict)]
    return items


def _jsonld_names(value) -> list[str]:
    values = value if isinstance(value, list) else [value]
    names = []
    for v in values:
        if isinstance(v, dict) and str(v.get("@type", "Person")) in ("Person", "['Person']"):
            v = v.get("name")
        if isinstance(v, str) and v.strip():
            names.append(v.strip())
    return names


def _from_jsonld(items: list[dict]) -> tuple[str | None, list[str], str | None]:
    """(headline, author names, datePublished as stated) of the page's first article-like JSON-LD item."""
    for item in items:
        if not any(k in item for k in ("headline", "datePublished", "author")):
            continue
        date = None
        if isinstance(item.get("datePublished"), str):
            m = re.match(r"((?:19|20)\d\d)(?:-(\d\d)(?:-(\d\d))?)?", item["datePublished"].strip())
            if m:
                date = _iso(*(int(g) if g else None for g in m.groups()))
        headline = item.get("headline") or item.get("name")
        return (headline if isinstance(headline, str) else None), _jsonld_names(item.get("author")), date
    return None, [], None


_META_AUTHORS = ("citation_author", "citation_authors", "dc.creator", "dc.creator.personalname", "author",
                 "article:author", "og:article:author", "byl")
_META_SITE = ("og:site_name", "application-name", "citation_journal_title", "citation_publisher", "dc.publisher",
              "publisher", "generator", "copyright")
_META_TITLE = ("citation_title", "og:title", "twitter:title", "dc.title", "title")


def _split_names(value: str) -> list[str]:
    return [n.strip() for n in re.split(r"\s*[;；,，、/|]\s*|\s+(?:and|&)\s+|\s*和\s*", value) if n.strip()]


def _url_date(url: str | None) -> str | None:
    """A date the URL states in full (`/2005/07/31/`, `20050731`), to the day."""
    if not url:
        return None
    m = re.search(r"(?<!\d)((?:19|20)\d\d)[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?!\d)", url)
    return _iso(*map(int, m.groups())) if m else None


def page_metadata(markup: str, main_text: str = "", extracted_title: str | None = None,
                  whole_page: bool = True) -> PageMeta:
    """Title, authors, date and URL of a page with each value's source; None where the page gives no evidence.

    `main_text` is the page's main content as extracted (trafilatura): a name line right under its first
    line (its heading) is read as a byline. `extracted_title` is trafilatura's title (its metadata
    extraction: og:title, <title> with the site's name cut off, <h1>). `whole_page=False` skips htmldate's
    look at the whole page (a page too big or too deep for lxml to search in reasonable time).
    """
    page = _Page()
    page.feed(markup)
    page.close()
    meta = page.meta
    # navigation is link labels: a line all links is left out, and a statement must stand outside links
    shown = [(text, mask) for text, mask in page.lines if not all(mask)]
    lines = ["".join(_LINKED if linked else ch for ch, linked in zip(text, mask)) for text, mask in shown]
    site = next((meta[k] for k in ("og:site_name", "application-name") if meta.get(k)), None)
    publishers = [meta[k] for k in _META_SITE if meta.get(k)]
    headline, ld_authors, ld_date = _from_jsonld(_jsonld_items(page.jsonld))
    url = meta.get("og:url") or meta.get("citation_abstract_html_url") or None

    title = title_source = None
    # a name the page repeats line after line (in every post's header, every menu) is the site's, not a title
    repeated = Counter(text for text, _ in page.lines)
    repeated.update(part for text, _ in page.lines for part in set(_PARTS.split(text)) if part != text)
    candidates = [(headline, "json-ld"), (meta.get("citation_title"), "html-meta"), (extracted_title, "html-meta")] \
        + [(meta.get(k), "html-meta") for k in _META_TITLE] + [(page.title, "html-meta")]
    for value, source in candidates:
        if value and (found := _title_part(value, site)) and repeated[found] < _SITE_REPETITIONS:
            title, title_source = found, source
            break

    authors = authors_source = None
    names = [n for n in ld_authors if is_plausible_author(n, site)]
    if names:
        authors, authors_source = "; ".join(dict.fromkeys(names)), "json-ld"
    else:
        for key in _META_AUTHORS:
            names = [" ".join(n.split()) for n in _split_names(meta.get(key, ""))]
            names = [n for n in names if is_plausible_author(n, site)
                     and not any(n.lower() in p.lower() for p in publishers)]
            if names:
                authors, authors_source = "; ".join(dict.fromkeys(names)), "html-meta"
                break
    if authors is None:
        name = _byline(shown, site) or _name_under_heading(main_text, site) or _closing_names(main_text, site)
        if name:
            authors, authors_source = name, "byline"

    published, published_source = ld_date, "json-ld" if ld_date else None
    if published is None:
        published = _htmldate(_head(markup, page)) if page.head_end else None
        published_source = "html-meta" if published else None
    if published is None and (published := stated_date(lines, _heading_line(lines, title, main_text))):
        published_source = "text"
    if published is None and (published := _url_date(url)):
        published_source = "url"
    if published is None and whole_page and (published := _htmldate(_LINK_ELEMENT.sub(" ", markup))):
        published_source = "text"
    return PageMeta(title, title_source, authors, authors_source, published, published_source, url)


def _name_under_heading(main_text: str, site: str | None) -> str | None:
    """A Chinese personal name standing alone on the line under the main text's heading (`犬儒病(上)` / `胡平`)."""
    blocks = [b.strip().removeprefix("# ") for b in main_text.split("\n") if b.strip()][:3]
    for block in blocks[1:3]:
        if _HAN_NAME_LINE.fullmatch(block) and is_plausible_author(block, site):
            return block
    return None


# A news text's closing parenthesis naming its reporters: `…佳节。（常书香 马丹阳 ）`, `（记者 张三 通讯员 李四）`.
_CLOSING_NAMES = re.compile(r"[（(]\s*((?:(?:记者|通讯员|实习生)?\s*[\u4e00-\u9fff]{2,3}\s*){1,4})[）)]\s*\Z")
_ROLE = re.compile(r"记者|通讯员|实习生")
_NOT_NAMES = {"完", "待续", "未完", "全文", "原创", "转载", "图文", "待续完", "组图", "附图", "视频"}


def _closing_names(main_text: str, site: str | None) -> str | None:
    m = _CLOSING_NAMES.search(main_text.rstrip())
    if not m:
        return None
    names = [n for n in _ROLE.sub(" ", m.group(1)).split() if n]
    if not names or any(n in _NOT_NAMES or not is_plausible_author(n, site) for n in names):
        return None
    return "; ".join(names)


# What stands for a link label's character in the lines statements are read from: no pattern matches it.
_LINKED = "\x00"
# A link and its label, which htmldate's look at the whole page must not see (a menu's dated entries).
_LINK_ELEMENT = re.compile(r"<a\b[^>]{0,2000}>(?:(?!</?a\b).){0,2000}?</a\s*>", re.I | re.S)


def _head(markup: str, page: _Page) -> str:
    """The markup up to the end of <head>."""
    line, column = page.head_end
    lines = markup.split("\n")
    return "\n".join(lines[:line - 1] + [lines[line - 1][:column]]) + "</head></html>"


def _htmldate(markup: str) -> str | None:
    """htmldate's original publication date, without extensive search, to the precision the page writes it
    with: htmldate answers a day even for `2018-05` (filling in a day of its own)."""
    import htmldate

    try:
        found = htmldate.find_date(markup, original_date=True, extensive_search=False)
    except (ValueError, TypeError):  # htmldate raises on markup lxml cannot parse
        return None
    if not found or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", found):
        return None
    return _as_written(found, markup)


def _as_written(date: str, markup: str) -> str | None:
    """`date` (YYYY-MM-DD) cut to the precision with which `markup` writes it; None where it does not."""
    year, month, day = date.split("-")
    m, d = str(int(month)), str(int(day))
    sep = r"\s*[-/.年]\s*"
    name = list(_MONTHS)[int(month) - 1]
    if re.search(rf"(?<!\d){year}(?:{sep}0?{m}{sep}0?{d}(?!\d)|{month}{day}(?!\d))", markup) or re.search(
            rf"(?i)\b(?:{name}|{name[:3]})\.?\s+0?{d}(?:st|nd|rd|th)?,?\s+{year}|\b0?{d}(?:st|nd|rd|th)?\s+(?:{name}|{name[:3]})\.?,?\s+{year}",
            markup):
        return date
    if re.search(rf"(?<!\d){year}{sep}0?{m}(?!\d)", markup):
        return f"{year}-{month}"
    return year if re.search(rf"(?<!\d){year}(?!\d)", markup) else None
