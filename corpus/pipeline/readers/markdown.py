"""Markdown: parsed by markdown-it-py (CommonMark + tables) into plain blocks.

Headings keep a `# ` mark (clean records their offsets); emphasis and link syntax go, and an absolute
link URL follows its link text in parentheses, so notes keep their citation URLs. HTML comments are not
text. Markdown exported from a web page keeps the page's chrome, which goes by its structure, never by
its words or its site: a line of links and nothing else (a bar, a trail, links to files), a link to the
page itself (a control: `[Hide Overview](…#)`), a short link glued to the text after it, a list whose
every item is one link into one folder (a version history), the page's title repeated as a heading, and
metadata blocks (`**Author:** X` lines, tables of bold keys), which give authors, date and title where no
front matter does (source `text`). Footnote definitions `[^1]: …` become notes `[1] …`. A YAML front
matter block gives title, authors, date, URL (source `front-matter`).
"""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

from ...errors import MissingExtraError
from ..clean import is_download_label, join_wrapped
from . import Extracted
from .html import CELL_SEPARATOR, visible_text

__all__ = ["read_markdown"]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.{0,20000}?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FRONT_KEYS = {"title": "title", "author": "authors", "authors": "authors", "date": "published",
               "url": "url", "link": "url", "canonical_url": "url"}
_FOOTNOTE_DEF = re.compile(r"^\[([^\]\s]{1,20})\]:\s*")  # after _inline wrote [^1] as [1]
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]{1,20})\]")
# A footnote definition at a line start. CommonMark has no footnotes: `[^5]: Ibid.` or `[^7]: https://…` (one
# token after the colon) parses as a link reference definition and vanishes, so its bracket is escaped first.
_FOOTNOTE_LINE = re.compile(r"^( {0,3})(\[\^[^\]\s]{1,20}\]:)", re.M)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ABSOLUTE_URL = re.compile(r"^(https?|ftp)://|^mailto:|^doi:", re.I)
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
# What may stand between the links of a line of links: `[PDF](…) | [HTML](…)`.
_LINK_SEPARATORS = re.compile(r"[\s|•·/,;–—-]*")


def _front_matter(text: str) -> tuple[dict, str]:
    """(title, authors, published, url found in a YAML front matter block, the text after it). The block is
    read by a YAML parser (lists of authors in flow `[a, b]` or block `- a` form alike); a block that is not
    YAML gives no metadata, and its text stays out of the document either way."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    import yaml

    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        data = None
    meta = {}
    for key, value in (data.items() if isinstance(data, dict) else ()):
        field = _FRONT_KEYS.get(str(key).strip().lower())
        if not field or field in meta:
            continue
        if field == "authors" and isinstance(value, list):
            names = [str(v).strip() for v in value if isinstance(v, (str, int, float)) and str(v).strip()]
            value = "; ".join(names)
        elif isinstance(value, (datetime.date, int, float)):
            value = value.isoformat() if isinstance(value, datetime.date) else str(value)
        if not isinstance(value, str) or not value.strip():
            continue
        value = value.strip()
        if field == "published":
            d = _DATE.match(value)
            if not d:
                continue
            value = d.group()
        meta[field] = value
    return meta, text[m.end():]


def _inline(token) -> str:
    """The text of an inline token: emphasis and link marks dropped, absolute link URLs kept after the text."""
    out: list[str] = []
    hrefs: list[tuple[str | None, int]] = []
    for child in token.children or []:
        kind = child.type
        if kind in ("text", "code_inline"):
            out.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "link_open":
            hrefs.append((child.attrGet("href"), len(out)))
        elif kind == "link_close" and hrefs:
            href, start = hrefs.pop()
            label = "".join(out[start:]).strip()
            if href and _ABSOLUTE_URL.match(href) and href.removeprefix("mailto:") != label:
                out.append(f" ({href})")
        elif kind == "html_inline" and child.content.lower().startswith("<br"):
            out.append("\n")
    pieces = [p.strip() for p in "".join(out).split("\n") if p.strip()]
    joined = pieces[:1]
    for left, right in zip(pieces, pieces[1:]):
        joined += [join_wrapped(left, right), right]
    return _FOOTNOTE_REF.sub(r"[\1]", "".join(joined))


def _links(token) -> tuple[list[tuple[str, str]], str, bool]:
    """(label, href) of each link of an inline token, the text between them, and whether anything but links,
    text and emphasis is in it (an image, code)."""
    links, between, depth, other = [], [], 0, False
    for child in token.children or []:
        if child.type == "link_open":
            depth += 1
            links.append(["", child.attrGet("href") or ""])
        elif child.type == "link_close" and depth:
            depth -= 1
        elif child.type in ("text", "code_inline"):
            if depth:
                links[-1][0] += child.content
            else:
                between.append(child.content)
        elif child.type not in ("softbreak", "hardbreak", "html_inline", "em_open", "em_close", "strong_open",
                                "strong_close"):
            other = True
    return [(" ".join(label.split()), href) for label, href in links], "".join(between), other


# A link that runs a script on its own page (`[Hide Overview](https://host#)`, `[Print](#)`): a control.
_CONTROL_HREF = re.compile(r"^(?:#|javascript:)|#$", re.I)
# The most words of a lone link's label that is a control or a menu entry (`Subscribe`, `Hide Overview`) rather
# than a reference (a title, a citation).
_CONTROL_WORDS = 3


# What may stand between the links of a bar or a trail: `[Citation](…)[Subscribe](…)`, `[Home](…) > [Products](…)`.
_BAR_SEPARATORS = re.compile(r"[\s|•·/,;–—>»›-]*")


def _is_chrome_line(token) -> bool:
    """A paragraph of links and nothing else: a bar of links (`[Citation](…)[Subscribe](…)[Share](…)`), a trail
    (`[Home](…) > [Products](…) > X`), a control (`[Hide Overview](…#)`), or links to files (`[Download PDF (284KB)](…) | [Versions](…)`): a page's chrome, not its text. Decided by
    the paragraph's structure, whatever the words."""
    links, between, other = _links(token)
    if not links or other:
        return False
    if len(links) >= 2:
        tail = re.search(r"[>»›]\s*[^\s>»›]{1,40}\s*$", between)
        rest = between[:tail.start()] + " " if tail else between
        return _BAR_SEPARATORS.fullmatch(rest) is not None
    if _LINK_SEPARATORS.fullmatch(between) is None:
        return False
    label, href = links[0]  # a lone link to another page is a reference the text makes: it stays
    return is_download_label(label) or bool(_CONTROL_HREF.search(href))


def _link_list(tokens, start: int) -> set[int]:
    """The inline tokens of the list opening at `start` whose first line is one link and nothing else, when every
    item's is and all go to the same folder (a page's versions, its archive): chrome. Empty otherwise."""
    depth, folders, items = 0, set(), set()
    for n in range(start, len(tokens)):
        tok = tokens[n]
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            if depth == 0:
                return items if len(items) >= 2 and len(folders) == 1 else set()
        elif tok.type == "inline":
            links, between, other = _links(_lines(tok)[0])
            if len(links) != 1 or other or _LINK_SEPARATORS.fullmatch(between) is None:
                return set()
            folders.add(links[0][1].rsplit("/", 1)[0])
            items.add(n)
    return set()


def _lines(token) -> list[SimpleNamespace]:
    """The lines of an inline token (its children between soft breaks), each as a token of its own."""
    lines = [[]]
    for child in token.children or []:
        if child.type == "softbreak":
            lines.append([])
        else:
            lines[-1].append(child)
    return [SimpleNamespace(children=line) for line in lines]


def _without_chrome(token, first_is_chrome: bool = False) -> None:
    """Drop the lines of an inline token that are chrome, and a control glued to the start of a line."""
    kept = []
    for n, line in enumerate(_lines(token)):
        _lead_control(line)
        if (n == 0 and first_is_chrome) or _is_download_line(line) or _is_chrome_line(line) or not line.children:
            continue
        if kept:
            kept.append(SimpleNamespace(type="softbreak", content="", children=None))
        kept += line.children
    token.children = kept


def _lead_control(token) -> None:
    """Drop a short link glued to the text after it at a paragraph's start (`[Listen](…)Biometric…`): a control
    the page's export ran into its text."""
    children = token.children or []
    if len(children) < 4 or children[0].type != "link_open":
        return
    close = next((n for n, c in enumerate(children) if c.type == "link_close"), None)
    if close is None or close + 1 >= len(children) or children[close + 1].type != "text":
        return
    label = "".join(c.content for c in children[1:close] if c.type == "text")
    after = children[close + 1].content
    if label and len(label.split()) <= _CONTROL_WORDS and after[:1].isalnum():
        del children[:close + 1]


# A metadata line of an exported page: `**Publication Date:** 04/16/2026`, a table row `| **Author:** | X |`.
_KEY_VALUE = re.compile(r"^\s*([^:：\n]{1,40})[:：]\s*(.*)$")
_META_KEYS = {"author": "authors", "authors": "authors", "author(s)": "authors", "by": "authors",
              "publication date": "published", "date": "published", "published": "published", "title": "title"}


def _bold_key_lines(token) -> list[tuple[str, str]] | None:
    """(key, value) of each line of a paragraph whose every line is `**Key:** value` (or, a table the export left
    unparsed, `| **Key:** | value`); None otherwise."""
    rows, line, key = [], [], None
    for child in (token.children or []) + [None]:
        if child is None or child.type in ("softbreak", "hardbreak"):
            if key is None:
                return None
            rows.append((key, "".join(line).strip(" |\t")))
            line, key = [], None
        elif child.type == "strong_open" and key is None and not "".join(line).strip(" |\t"):
            line = []
        elif child.type == "strong_close" and key is None:
            m = _KEY_VALUE.match("".join(line))
            if not m or m.group(2):
                return None
            key, line = m.group(1).strip(), []
        elif child.type in ("text", "code_inline"):
            line.append(child.content)
        elif child.type not in ("link_open", "link_close"):
            return None
    return rows or None


def _metadata_table(tokens, start: int) -> tuple[int, list[tuple[str, str]]] | None:
    """(index of its closing token, rows) of the table opening at `start` when every row is a bold key ending
    in a colon and its value: a page's metadata, not its text. None otherwise."""
    rows, cells = [], []
    for n in range(start, len(tokens)):
        tok = tokens[n]
        if tok.type == "table_close":
            return (n, rows) if rows else None
        if tok.type == "tr_open":
            cells = []
        elif tok.type == "inline":
            cells.append(tok)
        elif tok.type == "tr_close":
            texts = ["".join(c.content for c in t.children or [] if c.type == "text").strip() for t in cells]
            bold = bool(cells) and any(c.type == "strong_open" for c in cells[0].children or [])
            if len(cells) != 2 or not bold or not texts[0].endswith((":", "：")):
                if len(cells) == 2 and not any(texts):
                    continue  # a header row left empty
                return None
            rows.append((texts[0].rstrip(":："), texts[1]))
    return None


def _metadata(rows: list[tuple[str, str]], found: dict) -> None:
    """Title, authors and date a metadata block states, where nothing before stated them."""
    for key, value in rows:
        field = _META_KEYS.get(key.strip().lower())
        if not field or not value or field in found:
            continue
        if field == "published":
            from .pagemeta import stated_date

            value = stated_date([f"date: {value}"])
            if not value:
                continue
        found[field] = value


def _is_download_line(token) -> bool:
    """A line of links only, one of which is to a file (`[Download PDF (284KB)](…) | [Versions](…)`):
    a page's chrome, not its text."""
    labels, between, depth, any_download = [], [], 0, False
    for child in token.children or []:
        if child.type == "link_open":
            depth += 1
            labels.append([])
        elif child.type == "link_close" and depth:
            depth -= 1
            any_download |= is_download_label("".join(labels[-1]))
        elif child.type in ("text", "code_inline"):
            (labels[-1] if depth else between).append(child.content)
        elif child.type not in ("softbreak", "hardbreak", "html_inline", "em_open", "em_close", "strong_open",
                                "strong_close"):
            return False  # an image or other content besides links
    return any_download and _LINK_SEPARATORS.fullmatch("".join(between)) is not None


def _keep_footnotes(body: str) -> str:
    """`body` with each footnote definition outside fenced code escaped, so that it parses as a paragraph
    of its own."""
    lines, fence = body.split("\n"), None
    for n, line in enumerate(lines):
        opened = _FENCE.match(line)
        if opened and (fence is None or opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence)):
            fence = opened.group(1) if fence is None else None
        elif fence is None and _FOOTNOTE_LINE.match(line):
            lines[n] = "\n" + _FOOTNOTE_LINE.sub(r"\1\\\2", line)  # a block of its own, as each note is
    return "\n".join(lines)


def read_markdown(text: str) -> Extracted:
    """Blocks of a Markdown document, and its front matter's metadata."""
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        raise MissingExtraError("markdown-it-py", "build", "reading Markdown") from None
    meta, body = _front_matter(text)
    tokens = MarkdownIt("commonmark").enable("table").parse(_keep_footnotes(body))
    blocks: list[str] = []
    lists: list[list] = []  # open lists: [ordered, next number]
    prefix, row, in_cell, skip_to = "", [], False, -1
    link_items: set[int] = set()  # inline tokens whose first line is an item of a list of links
    stated: dict = {}  # metadata the document's own metadata blocks state
    headings: set[str] = set()
    for n, tok in enumerate(tokens):
        kind = tok.type
        if n <= skip_to:
            continue
        if kind in ("bullet_list_open", "ordered_list_open") and not lists:
            link_items = _link_list(tokens, n)
        if kind == "table_open" and (table := _metadata_table(tokens, n)) is not None:
            skip_to, rows = table
            _metadata(rows, stated)
            continue
        if kind == "bullet_list_open":
            lists.append([False, 0])
        elif kind == "ordered_list_open":
            lists.append([True, int(tok.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close") and lists:
            lists.pop()
        elif kind == "list_item_open" and lists:
            ordered, number = lists[-1]
            prefix = f"{number}. " if ordered else "- "
            lists[-1][1] += 1
        elif kind == "heading_open":
            prefix = "# "
        elif kind in ("th_open", "td_open"):
            in_cell = True
        elif kind in ("th_close", "td_close"):
            in_cell = False
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            if any(row):
                blocks.append(CELL_SEPARATOR.join(row))
        elif kind == "inline":
            rows = None if in_cell else _bold_key_lines(tok)
            if rows:
                _metadata(rows, stated)
                prefix = ""
                continue
            _without_chrome(tok, n in link_items)
            content = _inline(tok)
            if in_cell:
                row.append(content)
                continue
            footnote = _FOOTNOTE_DEF.match(content)
            if footnote:
                content = f"[{footnote.group(1)}] {content[footnote.end():]}"
            if prefix == "# " and content in headings:
                content = ""  # the page's title again, under its chrome
            elif prefix == "# ":
                headings.add(content)
            if content:
                blocks.append(prefix + content)
            prefix = ""
        elif kind in ("fence", "code_block"):
            blocks.extend(line.strip() for line in tok.content.split("\n") if line.strip())
        elif kind == "html_block":
            shown = visible_text(tok.content)[0]
            if shown:
                blocks.append(shown)
    found = {**stated, **meta}  # the front matter, then the document's own metadata lines
    sources = {k: "front-matter" if k in meta else "text" for k in found}
    return Extracted("\n\n".join(blocks), "markdown-it-py", title=found.get("title"), authors=found.get("authors"),
                     published=found.get("published"), url=found.get("url"), title_source=sources.get("title"),
                     authors_source=sources.get("authors"), published_source=sources.get("published"))

