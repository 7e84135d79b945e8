"""Guideline documents written as Markdown or HTML, with an optional front-matter block.

Markdown needs front matter (``---`` / ``key: value`` lines / ``---``) with a title; HTML
may carry the same block before its first tag or describe itself with ``<title>`` and
``<meta>`` tags. Either becomes one document whose text keeps each heading on a line of
its own, so the chunker starts a passage at every heading.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import cast

from pydantic import ValidationError

from medcite.ingest.source import open_binary
from medcite.models import Document, DocumentKind, Malformed, Parsed

FRONT_MATTER_KEYS = ("title", "organization", "year", "url", "id", "publication_types",
                     "license", "kind")
KINDS = ("guideline", "consumer", "drug-label")
_SLUG_MAX = 80
_FENCE = re.compile(r"^(```|~~~)")
_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)$")
_RULE = re.compile(r"^([-*_])(\s*\1){2,}$")
_REF_DEF = re.compile(r"^\[[^\]]+\]:\s*\S+")
_TABLE_SEP = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_ORDERED = re.compile(r"^\s*(\d+[.)])\s+(.*)$")
_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"\*(?=\S)(.+?)(?<=\S)\*"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])"), r"\1"),
)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_CDC = re.compile(r"Centers for Disease Control|Morbidity and Mortality Weekly Report|\bMMWR\b")
_BOILERPLATE = re.compile(
    r"(?i)^(return to top|back to top|top of page)\.?$|"
    # CDC MMWR page furniture after the article
    r"^(Disclaimer All MMWR HTML versions|Use of trade names and commercial sources is for "
    r"identification|References to non-CDC sites on the Internet|\W*Questions or messages "
    r"regarding errors in formatting|Page converted:)"
)
_SPACE_BEFORE = re.compile(r"\s+([.,;:!?)\]])")
_SPACE_AFTER = re.compile(r"([(\[])\s+")
_SKIP_TAGS = frozenset({"script", "style", "nav", "header", "footer", "noscript", "template",
                        "svg", "head"})
_BLOCK_TAGS = frozenset({"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre",
                         "section", "article", "main", "aside", "figure", "figcaption",
                         "caption", "hr", "center", "form", "address", "br"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_META = {
    "title": ("medcite:title", "citation_title", "dc.title", "og:title"),
    "organization": ("medcite:organization", "citation_publisher", "dc.publisher", "publisher",
                     "og:site_name"),
    "year": ("medcite:year", "citation_publication_date", "citation_date", "dc.date",
             "dc.date.issued", "article:published_time", "year", "date"),
    "url": ("medcite:url", "citation_public_url", "citation_fulltext_html_url", "og:url"),
    "id": ("medcite:id",), "kind": ("medcite:kind",), "license": ("medcite:license",
                                                                  "dc.rights"),
    "publication_types": ("medcite:publication_types",),
}


class FrontMatterError(ValueError):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line


def sniff_markdown(head: str) -> bool:
    """Front matter with a ``title:`` line, not followed by HTML."""
    front = _front_block(head)
    return front is not None and any(
        re.match(r"\s*title\s*:", line, re.I) for line in front) and not sniff_html(head)


def sniff_html(head: str) -> bool:
    """An HTML page (``<html`` or ``<!doctype html``), possibly after front matter."""
    head = head.lstrip("\ufeff")
    lower = head.lstrip().lower()
    if head.startswith("---"):
        front = _front_block(head)
        if front is None:
            return False
        lower = "\n".join(head.split("\n")[len(front) + 2:]).lstrip().lower()
    return lower.startswith("<") and ("<html" in lower[:4096] or "<!doctype html" in lower[:1024])


def sniff(head: str) -> bool:
    return sniff_html(head) or sniff_markdown(head)


def read(path: Path) -> Iterator[Parsed]:
    """One document from a Markdown or HTML guideline file."""
    try:
        with _open_text(path) as stream:
            head = stream.read(16_384)
    except (OSError, EOFError) as exc:
        yield _unreadable(path, exc)
        return
    yield from (read_html(path) if sniff_html(head) else read_markdown(path))


def read_markdown(path: Path) -> Iterator[Parsed]:
    """A Markdown guideline: front matter, then the text with headings on their own lines."""
    try:
        lines = _read_lines(path)
    except (OSError, EOFError) as exc:
        yield _unreadable(path, exc)
        return
    try:
        fields, body_start = parse_front_matter(lines)
    except FrontMatterError as exc:
        yield Malformed(f"{path}:{exc.line}", str(exc))
        return
    if not fields.get("title"):
        yield Malformed(f"{path}:1", "front matter has no title")
        return
    yield _document(path, fields, markdown_to_text(lines[body_start:]))


def read_html(path: Path) -> Iterator[Parsed]:
    """An HTML guideline: metadata from front matter or meta tags, text from the page body."""
    try:
        lines = _read_lines(path)
    except (OSError, EOFError) as exc:
        yield _unreadable(path, exc)
        return
    fields: dict[str, str] = {}
    body_start = 0
    if lines and lines[0].strip() == "---":
        try:
            fields, body_start = parse_front_matter(lines)
        except FrontMatterError as exc:
            yield Malformed(f"{path}:{exc.line}", str(exc))
            return
    page = _HTMLText()
    page.feed("\n".join(lines[body_start:]))
    page.close()
    for key, names in _META.items():
        if key not in fields:
            value = next((page.meta[n] for n in names if page.meta.get(n)), "")
            if key == "year":
                match = _YEAR.search(value)
                value = match.group(1) if match else ""
            if value:
                fields[key] = value
    title = " ".join("".join(page.title_parts).split())
    fields.setdefault("title", title or next((t for k, t in page.blocks if k == "h1"), ""))
    fields.setdefault("url", page.canonical)
    # CDC pages: MMWR meta tags, or CDC named in the title or the page chrome (not the article,
    # which may merely cite MMWR).
    mmwr = "mmwr_type" in page.meta
    if mmwr or _CDC.search(title) or _CDC.search(page.chrome()):
        fields.setdefault("organization", "CDC")
    if not fields.get("title"):
        yield Malformed(f"{path}:1", "no title: add a <title>, an <h1> or front matter")
        return
    yield _document(path, fields, page.text(), "MMWR" if mmwr else None)


def parse_front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """``key: value`` pairs between ``---`` lines and the index of the first body line."""
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError(1, "file must start with a '---' front-matter line")
    fields: dict[str, str] = {}
    for i, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        if line == "---":
            return fields, i
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip().lower(), value.strip().strip("'\"").strip()
        if not sep:
            raise FrontMatterError(i, f"front-matter line is not 'key: value': {line[:60]!r}")
        if key not in FRONT_MATTER_KEYS:
            raise FrontMatterError(
                i, f"unknown front-matter key {key!r} (known: {', '.join(FRONT_MATTER_KEYS)})")
        if key == "year" and not (value.isascii() and value.isdigit()
                                  and 1000 < int(value) < 3000):
            raise FrontMatterError(i, f"year must be a four-digit number, not {value!r}")
        if key == "kind" and value not in KINDS:
            raise FrontMatterError(i, f"kind must be one of {', '.join(KINDS)}, not {value!r}")
        fields[key] = value
    raise FrontMatterError(1, "front matter has no closing '---' line")


def markdown_to_text(lines: list[str]) -> str:
    """Markdown as plain text: one block per paragraph, heading, list item or table row."""
    blocks: list[str] = []
    para: list[str] = []
    in_code = False

    def flush() -> None:
        if para:
            blocks.append(" ".join(para))
            para.clear()

    for raw in lines:
        stripped = raw.strip()
        if _FENCE.match(stripped):
            flush()
            in_code = not in_code
            continue
        if in_code:
            if stripped:
                blocks.append(stripped)
            continue
        if stripped.startswith(">"):
            stripped = stripped.lstrip("> ").strip()
        if not stripped:
            flush()
        elif (atx := _ATX.match(stripped)) is not None:
            flush()
            blocks.append(_heading(inline_text(atx.group(2))))
        elif para and _SETEXT.match(stripped) and not _BULLET.match(para[0]):
            blocks.append(_heading(" ".join(para)))
            para.clear()
        elif _RULE.match(stripped) or _REF_DEF.match(stripped) or _TABLE_SEP.match(stripped):
            flush()
        elif stripped.startswith("|"):
            flush()
            cells = [inline_text(c) for c in stripped.strip("|").split("|")]
            blocks.append(" | ".join(c for c in cells if c))
        elif (bullet := _BULLET.match(raw)) is not None:
            flush()
            para.append("- " + inline_text(bullet.group(1)))
        elif (ordered := _ORDERED.match(raw)) is not None:
            flush()
            para.append(f"{ordered.group(1)} {inline_text(ordered.group(2))}")
        else:
            para.append(inline_text(stripped))
    flush()
    return "\n\n".join(b for b in blocks if b)


_MARKDOWN_CUES = re.compile(r"^#{1,6}\s|\*\*\S|^\s*\|.*\|\s*$|^\s*[-*+]\s+\*\*|^```", re.M)


def plain_text(text: str) -> str:
    """Text written in Markdown (headings, bold, tables, nested lists) as plain text in
    which headings, paragraphs, list items and table rows are lines of their own; other
    text unchanged."""
    if not _MARKDOWN_CUES.search(text):
        return text
    return markdown_to_text(text.splitlines())


def inline_text(text: str) -> str:
    """Markdown inline markup removed: links and images become their text."""
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return " ".join(html.unescape(text).split())


def slug(text: str) -> str:
    """Lower-case words joined by '-', long ones cut and suffixed with a short hash."""
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(value) <= _SLUG_MAX:
        return value
    digest = hashlib.blake2b(value.encode(), digest_size=4).hexdigest()
    return value[:_SLUG_MAX].rsplit("-", 1)[0] + "-" + digest


def _document(path: Path, fields: dict[str, str], text: str, journal: str | None = None
              ) -> Parsed:
    where = f"{path}:1"
    if not text.strip():
        return Malformed(where, "guideline has no text")
    kind = fields.get("kind") or "guideline"
    if kind not in KINDS:
        return Malformed(where, f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    doc_kind = cast(DocumentKind, kind)
    org, title, year = fields.get("organization"), fields["title"], fields.get("year")
    doc_id = fields.get("id") or slug(" ".join(p for p in (org, title, year) if p))
    pub_types = [p.strip() for p in fields.get("publication_types", "").strip("[]").split(",")
                 if p.strip().strip("'\"")]
    if not pub_types and doc_kind == "guideline":
        pub_types = ["Practice Guideline"]
    try:
        return Document(
            id=f"guideline:{doc_id}", kind=doc_kind, title=" ".join(title.split()), text=text,
            collection="guidelines", journal=journal, organization=org or None,
            year=int(year) if year else None, url=fields.get("url") or None,
            publication_types=[p.strip("'\"") for p in pub_types],
            license=fields.get("license") or None,
        )
    except ValidationError as exc:
        return Malformed(where, f"cannot build document ({exc.errors()[0]['msg']})")


def _heading(text: str) -> str:
    return text.rstrip(":").strip()


def _read_lines(path: Path) -> list[str]:
    with _open_text(path) as stream:
        return stream.read().lstrip("\ufeff").splitlines()


def _unreadable(path: Path, exc: Exception) -> Malformed:
    return Malformed(str(path), f"file is truncated or unreadable ({exc})")


def _front_block(head: str) -> list[str] | None:
    """The lines between the opening and closing ``---``, or None."""
    lines = head.lstrip("\ufeff").split("\n")
    if lines[0].strip() != "---":
        return None
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return lines[1:i]
    return None


@dataclass
class _Row:
    depth: int
    cells: list[str] = field(default_factory=list)
    layout: bool = False
    cell_open: bool = False


class _HTMLText(HTMLParser):
    """Paragraph and heading blocks of an HTML page, its title and its meta tags.

    Data tables become ``cell | cell`` lines; a table whose cells hold paragraphs or
    headings is taken for layout and its cells' blocks are kept as they are.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.canonical = ""
        self.blocks: list[tuple[str, str]] = []
        self.buf: list[str] = []
        self.title_parts: list[str] = []
        self.skip: list[str] = []
        self.rows: list[_Row] = []
        self.table_depth = 0
        self.in_title = False
        self.heading: str | None = None
        self.prefix = ""
        self.content_end: int | None = None

    def _start(self) -> int:
        return next((i for i, (kind, _) in enumerate(self.blocks) if kind == "h1"), 0)

    def chrome(self) -> str:
        """Text around the content: before the first ``<h1>``, after the content end."""
        blocks = self.blocks[:self._start()] + self.blocks[self.content_end or len(self.blocks):]
        return "\n".join(t for _, t in blocks)

    def text(self) -> str:
        """The content blocks: from the first ``<h1>`` to an ``end content area`` marker."""
        blocks = self.blocks[self._start():self.content_end]
        text = "\n\n".join(t for _, t in blocks if not _BOILERPLATE.match(t))
        # Markup on lines of its own leaves spaces inside "( 1 )" and before "."
        return _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k.lower(): v or "" for k, v in attrs}
        if tag == "meta":
            name = (attr.get("name") or attr.get("property") or "").lower()
            if name and attr.get("content"):
                self.meta.setdefault(name, attr["content"].strip())
        elif tag == "link" and "canonical" in attr.get("rel", "").lower():
            self.canonical = attr.get("href", "")
        elif tag == "title":
            self.in_title = True
        elif tag in _SKIP_TAGS:
            self.skip.append(tag)
        elif not self.skip:
            self._block_start(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
        elif tag in _HEADINGS:
            self._flush()
            self.heading = None
        elif tag in ("td", "th"):
            self._flush()
            row = self._row()
            if row is not None:
                row.cell_open = False
        elif tag == "tr":
            self._flush()
            if self._row() is not None:  # a stray </tr> closes nothing
                self._close_row()
        elif tag == "table":
            self._flush()
            while self._row() is not None:
                self._close_row()
            self.table_depth = max(0, self.table_depth - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag == "li":
                self.prefix = ""

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
        elif not self.skip:
            self.buf.append(data)

    def handle_comment(self, data: str) -> None:
        if data.strip().lower() == "end content area" and self.content_end is None:
            self._flush()
            self.content_end = len(self.blocks)

    def _block_start(self, tag: str) -> None:
        if tag in ("tr", "td", "th") and not self.table_depth:
            tag = "div"  # a row or cell outside any table is a plain block
        row = self._row()
        in_cell = row is not None and row.cell_open
        if tag == "br" and in_cell:
            self.buf.append(" ")
            return
        if tag in _HEADINGS or tag in _BLOCK_TAGS or tag == "table":
            self._flush()
            if in_cell and row is not None and not row.layout:
                row.layout = True
                self.blocks.extend(("p", c) for c in row.cells if c)
                row.cells = []
        if tag in _HEADINGS:
            self.heading = tag
        elif tag == "li":
            self.prefix = "- "
        elif tag == "table":
            self.table_depth += 1
        elif tag == "tr":
            self._flush()
            if self._row() is not None:
                self._close_row()
            self.rows.append(_Row(self.table_depth))
        elif tag in ("td", "th"):
            self._flush()
            if self._row() is None:
                self.rows.append(_Row(self.table_depth))
            current = self._row()
            assert current is not None
            current.cell_open = True
            if not current.layout:
                current.cells.append("")

    def _row(self) -> _Row | None:
        if self.rows and self.rows[-1].depth == self.table_depth and self.table_depth:
            return self.rows[-1]
        return None

    def _close_row(self) -> None:
        row = self.rows.pop()
        cells = [c for c in row.cells if c]
        if cells and not row.layout:
            self.blocks.append(("p", " | ".join(cells)))

    def _flush(self) -> None:
        text = " ".join("".join(self.buf).split())
        self.buf.clear()
        if not text:
            return
        row = self._row()
        if self.heading:
            self.blocks.append((self.heading, _heading(text)))
        elif row is not None and row.cell_open and not row.layout:
            row.cells[-1] = f"{row.cells[-1]} {text}".strip()
        else:
            self.blocks.append(("p", self.prefix + text))
            self.prefix = ""


@contextmanager
def _open_text(path: Path) -> Iterator[io.TextIOWrapper]:
    """The file as UTF-8 text, plain or gzip; every file handle is closed on exit."""
    with open_binary(path) as raw, io.TextIOWrapper(
        raw, encoding="utf-8", errors="replace", newline=""
    ) as stream:
        yield stream
