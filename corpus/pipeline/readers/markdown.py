"""Markdown: parsed by markdown-it-py (CommonMark + tables) into plain blocks.

Headings keep a `# ` mark (clean records their offsets); emphasis and link syntax go, and an absolute
link URL follows its link text in parentheses, so notes keep their citation URLs. HTML comments are not
text, and a line of links to files (`[Download PDF (284KB)](…)`) is the page's chrome. Footnote
definitions `[^1]: …` become notes `[1] …`. A YAML front matter block gives title, authors, date, URL.
"""

from __future__ import annotations

import datetime
import re

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
    prefix, row, in_cell = "", [], False
    for tok in tokens:
        kind = tok.type
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
            content = "" if _is_download_line(tok) else _inline(tok)
            if in_cell:
                row.append(content)
                continue
            footnote = _FOOTNOTE_DEF.match(content)
            if footnote:
                content = f"[{footnote.group(1)}] {content[footnote.end():]}"
            if content:
                blocks.append(prefix + content)
            prefix = ""
        elif kind in ("fence", "code_block"):
            blocks.extend(line.strip() for line in tok.content.split("\n") if line.strip())
        elif kind == "html_block":
            shown = visible_text(tok.content)[0]
            if shown:
                blocks.append(shown)
    return Extracted("\n\n".join(blocks), "markdown-it-py", title=meta.get("title"), authors=meta.get("authors"),
                     published=meta.get("published"), url=meta.get("url"))

