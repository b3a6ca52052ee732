"""DOCX: the body of a Word document in reading order, from python-docx's package and its XML.

The text is one block per line, as the HTML and Markdown readers give it (clean reads it as markup):
- paragraphs; a heading (its style, or a style it is based on, is a built-in heading or the title, or
  carries an outline level 1-9) starts with `# `, so clean records it in `heading_starts` and segment
  opens a section there;
- list items start with their number or bullet as Word shows it (numbering.xml: `1.`, `(a)`, `一、`; a
  bullet as `- `, since its glyph is usually a symbol-font character);
- table rows, their non-empty cells joined by ` | ` (nested tables flattened into their cell);
- footnote and endnote references become superscript numbers in the text, and the notes a numbered list
  (`1. …`) after the body, as readers/html.py keeps `<sup>` markers and `<ol>` notes for the citations
  layer. Endnotes continue the footnotes' numbering, so that each number names one note.

Tracked changes are read as accepted: insertions and moved-to text stay, deletions and the old place of
moved text go. Comments, headers, footers, field codes, text-box fallbacks, hidden text and the table of
contents (Word's contents control or its `toc N` paragraphs) are never read.

Core properties give the title (unless it is a file name or the template's generic one) and the author,
with provenance `docx-core`. Their created and modified dates are the file's, not the document's (the 143
city reports of 0.4.0 were all saved on 2024-12-19, a year after they were delivered), so no
publication date is taken from them.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from ...errors import MissingExtraError
from . import Extracted
from .html import CELL_SEPARATOR

__all__ = ["read_docx", "DocxUnreadable", "PROVENANCE"]

PROVENANCE = "docx-core"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# A .docx is a zip: its parts are inflated in memory, so a small file that inflates past this is refused.
_MAX_INFLATED_BYTES = 512 * 2**20
# Not text: deleted and moved-away runs, field codes, the properties of paragraphs and runs, the number
# mark inside a note, comment marks, and the fallback copy of content given twice (text boxes).
_NOT_TEXT = {f"{_W}{t}" for t in ("del", "moveFrom", "delText", "instrText", "delInstrText", "pPr", "rPr",
                                  "footnoteRef", "endnoteRef", "annotationRef", "commentReference",
                                  "separator", "continuationSeparator", "sectPr", "tblPr", "trPr", "tcPr")}
_NOT_TEXT.add(f"{_MC}Fallback")
_SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_HEADING_STYLE = re.compile(r"^(heading [1-9]|title)$", re.I)
# Titles that name the file, not the document: `Microsoft Word - report.doc`, `draft.docx`, `Document1`.
_FILE_TITLE = re.compile(r"^(microsoft (word|office word) - .*|.*\.(docx?|dotx?|wps|rtf|pdf|odt)|(document|文档)\s*\d*)$",
                         re.I)


class DocxUnreadable(Exception):
    """The bytes are not a Word document python-docx can read; args[0] is the reason."""


def read_docx(raw: bytes) -> Extracted:
    """The text of a .docx (blocks one per line, see the module docstring), its title and author."""
    try:
        import docx
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
    except ImportError:
        raise MissingExtraError("python-docx", "build", "reading DOCX") from None
    document = _open(raw, docx)
    from lxml import etree

    part = document.part
    notes = _Notes({rt: _xml(p.blob, etree) for rt, p in _related(part, (RT.FOOTNOTES, RT.ENDNOTES)).items()},
                   (RT.FOOTNOTES, RT.ENDNOTES))
    numbering = _related(part, (RT.NUMBERING,)).get(RT.NUMBERING)
    reader = _Body(_Styles(part.styles.element), _Numbering(_xml(numbering.blob, etree) if numbering is not None
                                                             else None), notes)
    lines = reader.blocks(document.element.body)
    lines += [f"{n}. {text}" for n, text in notes.listed()]
    core = document.core_properties
    template = _template(part.package)
    title = " ".join((core.title or "").split())
    if not title or _FILE_TITLE.match(title) or (template and title.casefold() == template.casefold()):
        title = None
    authors = " ".join((core.author or "").split()) or None
    return Extracted("\n\n".join(lines), "python-docx", title=title, authors=authors,
                     title_source=PROVENANCE if title else None, authors_source=PROVENANCE if authors else None)


def _open(raw: bytes, docx):
    """python-docx's Document, or DocxUnreadable with the reason."""
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if sum(info.file_size for info in archive.infolist()) > _MAX_INFLATED_BYTES:
                raise DocxUnreadable("docx_limit")
        return docx.Document(io.BytesIO(raw))
    except DocxUnreadable:
        raise
    except (zipfile.BadZipFile, zlib.error, PackageNotFoundError, LxmlError, KeyError, ValueError, TypeError,
            AttributeError, OSError, EOFError, NotImplementedError, RuntimeError) as e:
        # not a zip, a damaged or encrypted member, no main part, a part that is no XML, a Strict-OOXML part
        raise DocxUnreadable("unreadable_docx") from e


def _xml(blob: bytes, etree):
    """A part's XML, or DocxUnreadable when it is not XML."""
    try:
        return etree.fromstring(blob)
    except etree.XMLSyntaxError as e:
        raise DocxUnreadable("unreadable_docx") from e


def _related(part, reltypes) -> dict:
    """{relationship type: part} of the main part's relationships of those types."""
    return {rel.reltype: rel.target_part for rel in part.rels.values()
            if rel.reltype in reltypes and not rel.is_external}


def _template(package) -> str | None:
    """The template's name without extension (`Normal`), from docProps/app.xml."""
    from lxml import etree

    app = next((p for p in package.parts if str(p.partname) == "/docProps/app.xml"), None)
    if app is None:
        return None
    try:
        root = etree.fromstring(app.blob)
    except etree.XMLSyntaxError:
        return None
    name = next((e.text for e in root if e.tag.endswith("}Template") and e.text), None)
    return re.sub(r"\.\w{3,4}$", "", name.strip()) if name else None


def _val(element, path: str) -> str | None:
    found = element.find(path)
    return None if found is None else found.get(f"{_W}val")


def _hidden(run) -> bool:
    """Whether Word hides the run (w:vanish, not switched off): hidden text is not what a reader sees."""
    vanish = run.find(f"{_W}rPr/{_W}vanish")
    return vanish is not None and vanish.get(f"{_W}val", "true").lower() not in ("0", "false", "off")


class _Styles:
    """Paragraph styles by id: whether a style makes a heading and which numbering it gives, following basedOn."""

    def __init__(self, root):
        self._styles = {s.get(f"{_W}styleId"): s for s in root.iter(f"{_W}style")}

    def _chain(self, style_id: str | None):
        seen = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            style = self._styles[style_id]
            yield style
            style_id = _val(style, f"{_W}basedOn")

    def is_heading(self, style_id: str | None) -> bool:
        for style in self._chain(style_id):
            if _HEADING_STYLE.match(_val(style, f"{_W}name") or ""):
                return True
            level = _val(style, f"{_W}pPr/{_W}outlineLvl")
            if level is not None:
                return level.isdigit() and int(level) < 9
        return False

    def is_contents(self, style_id: str | None) -> bool:
        """A table-of-contents entry (Word's built-in `toc 1` … `toc 9` styles)."""
        return any(re.fullmatch(r"toc [1-9]", _val(style, f"{_W}name") or "", re.I) for style in self._chain(style_id))

    def numbering(self, style_id: str | None) -> tuple[str, int] | None:
        for style in self._chain(style_id):
            num = style.find(f"{_W}pPr/{_W}numPr")
            if num is not None:
                return _val(num, f"{_W}numId") or "0", int(_val(num, f"{_W}ilvl") or 0)
        return None


_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
_HAN_DIGITS = "〇一二三四五六七八九"


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _han(n: int) -> str:
    """一 … 九十九 as Word's chineseCounting writes them (larger numbers as digits: lists are not that long)."""
    if n < 10:
        return _HAN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _HAN_DIGITS[tens]) + "十" + (_HAN_DIGITS[ones] if ones else "")
    return str(n)


def _letters(n: int) -> str:
    """a … z, aa … zz: Word repeats the letter past z."""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


_FORMATS = {"decimal": str, "decimalZero": lambda n: f"{n:02d}", "lowerLetter": _letters,
            "upperLetter": lambda n: _letters(n).upper(), "lowerRoman": _roman, "upperRoman": lambda n: _roman(n).upper(),
            "chineseCounting": _han, "chineseCountingThousand": _han, "chineseLegalSimplified": _han,
            "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10],
            "decimalEnclosedParen": lambda n: f"({n})", "decimalFullWidth": lambda n: str(n).translate(
                str.maketrans("0123456789", "０１２３４５６７８９"))}


class _Numbering:
    """The numbers of list paragraphs as Word shows them: per list (numId) and level a counter, deeper levels
    restarting when a shallower one moves on; `lvlText` gives the shape (`%1.`, `（%1）`, `%1.%2`)."""

    def __init__(self, root):
        self._abstract, self._nums = {}, {}
        if root is None:
            return
        for a in root.iter(f"{_W}abstractNum"):
            self._abstract[a.get(f"{_W}abstractNumId")] = {int(l.get(f"{_W}ilvl")): l for l in a.iter(f"{_W}lvl")}
        for num in root.iter(f"{_W}num"):
            levels = dict(self._abstract.get(_val(num, f"{_W}abstractNumId"), {}))
            for override in num.iter(f"{_W}lvlOverride"):
                level = int(override.get(f"{_W}ilvl"))
                replaced = override.find(f"{_W}lvl")
                start = _val(override, f"{_W}startOverride")
                if replaced is not None:
                    levels[level] = replaced
                elif start is not None and level in levels:
                    levels[level] = (levels[level], int(start))
            self._nums[num.get(f"{_W}numId")] = levels
        self._counters: dict[str, dict[int, int]] = {}

    def label(self, num_id: str, level: int) -> str | None:
        """The label of the next item of list `num_id` at `level` (None when it shows none)."""
        levels = self._nums.get(num_id)
        if not levels or level not in levels:
            return None
        counters = self._counters.setdefault(num_id, {})
        counters[level] = counters.get(level, self._start(levels[level]) - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        lvl = self._lvl(levels[level])
        fmt = _val(lvl, f"{_W}numFmt") or "decimal"
        if fmt == "none":
            return None
        if fmt == "bullet":
            return "-"
        shape = _val(lvl, f"{_W}lvlText") or f"%{level + 1}."

        def number(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            value = counters.get(k, self._start(levels[k]) if k in levels else 1)
            shown = _val(self._lvl(levels[k]), f"{_W}numFmt") if k in levels else "decimal"
            return _FORMATS.get(shown if k != level else fmt, str)(value)

        return re.sub(r"%([1-9])", number, shape).strip() or None

    @staticmethod
    def _lvl(level):
        return level[0] if isinstance(level, tuple) else level

    def _start(self, level) -> int:
        if isinstance(level, tuple):
            return level[1]
        start = _val(level, f"{_W}start")
        return int(start) if start and start.lstrip("-").isdigit() else 1


class _Notes:
    """Footnotes and endnotes in the order the body refers to them, numbered 1, 2, … across both kinds."""

    def __init__(self, parts: dict, order: tuple[str, ...]):
        self._texts: dict[tuple[str, str], object] = {}
        for reltype in order:
            root = parts.get(reltype)
            if root is None:
                continue
            for note in root:
                if note.tag in (f"{_W}footnote", f"{_W}endnote") and note.get(f"{_W}type") in (None, "normal"):
                    self._texts[(note.tag, note.get(f"{_W}id"))] = note
        self._numbers: dict[tuple[str, str], int] = {}
        self._listed: list[tuple[int, tuple[str, str]]] = []
        self._body: _Body | None = None

    def mark(self, kind: str, note_id: str | None) -> str:
        """The superscript number of the note referred to (a new number at its first reference)."""
        key = (f"{_W}{kind}", note_id)
        if key not in self._texts:
            return ""
        if key not in self._numbers:
            self._numbers[key] = len(self._numbers) + 1
            self._listed.append((self._numbers[key], key))
        return str(self._numbers[key]).translate(_SUPERSCRIPT_DIGITS)

    def listed(self) -> list[tuple[int, str]]:
        """(number, text) of each note referred to, in number order; a note's paragraphs on one line. Notes
        referred to from inside notes are numbered on as they are met."""
        out, done = [], 0
        while done < len(self._listed):
            number, key = self._listed[done]
            done += 1
            paragraphs = [self._body.inline(p) for p in self._texts[key].iter(f"{_W}p")]
            text = " ".join(" ".join(p.split()) for p in paragraphs if p.strip())
            out.append((number, text))
        return out


class _Body:
    def __init__(self, styles: _Styles, numbering: _Numbering, notes: _Notes):
        self.styles, self.numbering, self.notes = styles, numbering, notes
        notes._body = self

    def blocks(self, container) -> list[str]:
        """The lines of the block-level content of `container` (the body, a cell, a content control)."""
        lines = []
        for child in container:
            tag = child.tag
            if tag == f"{_W}p":
                line = self.paragraph(child)
                if line:
                    lines.append(line)
            elif tag == f"{_W}tbl":
                lines.extend(self.table(child))
            elif tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                gallery = _val(child, f"{_W}sdtPr/{_W}docPartObj/{_W}docPartGallery") or ""
                if content is not None and not gallery.lower().startswith("table of contents"):
                    lines.extend(self.blocks(content))
            elif tag in (f"{_W}ins", f"{_W}moveTo", f"{_W}customXml", f"{_MC}AlternateContent", f"{_MC}Choice"):
                lines.extend(self.blocks(child))
        return lines

    def paragraph(self, p) -> str:
        """One paragraph as its lines: `# ` before a heading, its list label before the first line. A line
        break inside it (w:br) starts a line of its own, hence a block: documents converted from the web set
        their paragraphs apart with them (four of the city reports are one or two paragraphs of breaks)."""
        ppr = p.find(f"{_W}pPr")
        style = _val(ppr, f"{_W}pStyle") if ppr is not None else None
        if self.styles.is_contents(style):
            return ""
        lines = [" ".join(line.split()) for line in self.inline(p).split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            return ""
        num = ppr.find(f"{_W}numPr") if ppr is not None else None
        list_item = ((_val(num, f"{_W}numId") or "0", int(_val(num, f"{_W}ilvl") or 0)) if num is not None
                     else self.styles.numbering(style))
        label = self.numbering.label(*list_item) if list_item and list_item[0] != "0" else None
        level = _val(ppr, f"{_W}outlineLvl") if ppr is not None else None
        heading = (level.isdigit() and int(level) < 9) if level is not None else self.styles.is_heading(style)
        if label:
            lines[0] = f"{label} {lines[0]}"
        if heading:  # a heading broken over lines is still one heading
            return "# " + " ".join(lines)
        return "\n\n".join(lines)

    def table(self, tbl) -> list[str]:
        rows = []
        for tr in tbl.iter(f"{_W}tr"):
            if tr.getparent() is not tbl:  # a nested table's rows are read inside their cell
                continue
            cells = [" ".join(self.blocks(tc)) for tc in tr if tc.tag == f"{_W}tc"]
            cells = [" ".join(c.split()) for c in cells if c.strip()]
            if cells:
                rows.append(CELL_SEPARATOR.join(cells))
        return rows

    def inline(self, element) -> str:
        out: list[str] = []
        self._inline(element, out)
        return "".join(out)

    def _inline(self, element, out: list[str]) -> None:
        for child in element:
            tag = child.tag
            if tag in _NOT_TEXT or not isinstance(tag, str):  # comments and processing instructions have no str tag
                continue
            if tag == f"{_W}r" and _hidden(child):
                continue
            if tag == f"{_W}t":
                out.append(child.text or "")
            elif tag == f"{_W}tab":
                out.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                out.append("\n")
            elif tag == f"{_W}noBreakHyphen":
                out.append("-")
            elif tag in (f"{_W}footnoteReference", f"{_W}endnoteReference"):
                out.append(self.notes.mark(tag[len(_W):-len("Reference")], child.get(f"{_W}id")))
            elif tag == f"{_W}p":  # a paragraph inside a run (a text box): its own line
                out.append("\n" + self.inline(child) + "\n")
            else:  # runs, hyperlinks, insertions, moved-to text, fields' results, smart tags, content controls
                self._inline(child, out)

