"""Text with annotation spans as well-nested HTML.

Annotation layers overlap freely (an entity inside a glossary term, a term across two entities, a reused
passage across everything), but HTML elements must nest. Between two consecutive span boundaries the set
of covering spans is constant; at each boundary the elements that must close are closed, and those still
running are reopened as continuation fragments. Work is linear in the text plus the number of boundaries
times the nesting depth, which stays small.
"""

from __future__ import annotations

from html import escape

from ..pipeline.layer import Mark

__all__ = ["Mark", "render", "attrs"]


def attrs(pairs) -> str:
    """` name="value"` for each pair whose value is not None, values HTML-escaped."""
    return "".join(f' {k}="{escape(str(v), quote=True)}"' for k, v in pairs if v is not None)


def render(text: str, marks: list[Mark], base: int = 0) -> str:
    """`text` (which starts at offset `base`) HTML-escaped, with every mark's element around its part of it.

    Marks are clipped to the text; empty ones are dropped. An `<a>` never opens inside another `<a>`
    (nested links are invalid HTML): an inner link's fragment is left out, its text stays.
    """
    n = len(text)
    clipped = []
    for i, m in enumerate(marks):
        s, e = max(m.start - base, 0), min(m.end - base, n)
        if s < e:
            clipped.append((s, e, m, i))
    starts: dict[int, list] = {}
    for item in clipped:
        starts.setdefault(item[0], []).append(item)
    points = sorted({0, n, *(s for s, _, _, _ in clipped), *(e for _, e, _, _ in clipped)})
    out: list[str] = []
    stack: list[tuple] = []  # open (start, end, mark, order, opened_as_link)
    opened: set[int] = set()  # marks whose first fragment has been written

    def open_(item) -> None:
        s, e, m, i = item
        if m.tag == "a" and any(x[2].tag == "a" and x[4] for x in stack):
            stack.append((s, e, m, i, False))
            return
        extra = m.first_only if i not in opened else (("data-continued", ""),)
        opened.add(i)
        out.append(f"<{m.tag}{attrs(m.attributes)}{attrs(extra)}>")
        stack.append((s, e, m, i, True))

    for k, p in enumerate(points):
        ending = [j for j, x in enumerate(stack) if x[1] == p]
        reopen = []
        if ending:
            for x in reversed(stack[ending[0]:]):
                if x[4]:
                    out.append(f"</{x[2].tag}>")
            reopen = [x[:4] for x in stack[ending[0]:] if x[1] != p]
            del stack[ending[0]:]
        # Longer-running spans go outside, so fewer of them are split later.
        for item in sorted(reopen + starts.get(p, []), key=lambda x: (-x[1], x[2].rank, x[3])):
            open_(item)
        if k + 1 < len(points):
            out.append(escape(text[p:points[k + 1]], quote=False))
    return "".join(out)
