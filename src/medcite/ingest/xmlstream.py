"""Streaming XML shared by the XML readers: records with their line numbers and bounded
memory (:func:`xml_records`), text with inner markup removed (:func:`flatten`), and the
document element's name for sniffing (:func:`root_element`)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import xml.parsers.expat as expat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from medcite.ingest.source import open_binary
from medcite.models import Malformed

FEED_BYTES = 65_536
# Tags whose text is a separate block: flattening puts a space around them.
BLOCK_TAGS = frozenset({
    "p", "paragraph", "title", "label", "caption", "list-item", "item", "td", "th", "tr",
    "sec", "section", "list", "table", "br", "def-item", "term", "def", "AbstractText",
})
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_FIRST_TAG = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")

class XMLFatalError(Exception):
    """The file stops being well-formed XML (or readable) at ``where``."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.malformed = Malformed(where, reason)


def root_element(head: str) -> str | None:
    """The local name of the first element in an XML head (after prolog and comments)."""
    match = _FIRST_TAG.search(_COMMENT.sub("", head))
    return match.group(1) if match else None



def local(tag: str) -> str:
    """A tag or attribute name without its namespace or prefix."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def strip_namespaces(elem: ET.Element) -> None:
    """Drop namespace prefixes from the tags and attribute names of ``elem``'s subtree."""
    for node in elem.iter():
        node.tag = local(node.tag)
        if any(":" in k or "}" in k for k in node.attrib):
            node.attrib = {local(k): v for k, v in node.attrib.items()
                           if not k.startswith("xmlns")}


def xml_records(
    path: Path, tags: Iterable[str], strip: bool = False
) -> Iterator[tuple[ET.Element, int]]:
    """``(element, line of its start tag)`` for each outermost element named in ``tags``.

    Streams like ``ElementTree.iterparse`` (expat feeding an ElementTree ``TreeBuilder``,
    which also gives each record's exact line); once the caller resumes, the record and
    everything parsed before it is released, so memory stays bounded on multi-GB files.
    A syntax error or unreadable data raises :class:`XMLFatalError`.
    """
    wanted = frozenset(tags)
    parser = expat.ParserCreate()
    parser.buffer_text = True
    builder = ET.TreeBuilder()
    stack: list[ET.Element] = []
    done: list[tuple[ET.Element, int, tuple[ET.Element, ...]]] = []
    current: list[Any] = [None, 0]

    def start(tag: str, attrs: dict[str, str]) -> None:
        elem = builder.start(tag, attrs)
        stack.append(elem)
        if current[0] is None and local(tag) in wanted:
            current[0], current[1] = elem, parser.CurrentLineNumber

    def end(tag: str) -> None:
        elem = builder.end(tag)
        stack.pop()
        if elem is current[0]:
            done.append((elem, current[1], tuple(stack)))
            current[0] = None

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    with open_binary(path) as stream:
        while True:
            try:
                data = stream.read(FEED_BYTES)
            except (OSError, EOFError) as exc:
                line = parser.CurrentLineNumber
                raise XMLFatalError(f"{path}:{line}", f"file is truncated ({exc})") from exc
            error = None
            try:
                parser.Parse(data, not data)
            except expat.ExpatError as exc:
                error = XMLFatalError(f"{path}:{exc.lineno}", f"XML syntax error: {exc}")
            for elem, line, ancestors in done:  # records completed before any error
                if strip:
                    strip_namespaces(elem)
                yield elem, line
                elem.clear()
                for ancestor in ancestors:  # drop the record and its finished siblings
                    del ancestor[:]
            done.clear()
            if error is not None:
                raise error
            if not data:
                return



def flatten(elem: ET.Element | None, skip: frozenset[str] = frozenset()) -> str:
    """The text of ``elem`` with inner markup removed and whitespace collapsed.

    Subtrees named in ``skip`` are left out (their tail text is kept).
    """
    if elem is None:
        return ""
    parts: list[str] = []
    _collect(elem, skip, parts)
    return " ".join("".join(parts).split())


def _collect(elem: ET.Element, skip: frozenset[str], parts: list[str]) -> None:
    if elem.text:
        parts.append(elem.text)
    for child in elem:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag not in skip:
            block = tag in BLOCK_TAGS
            if block:
                parts.append(" ")
            _collect(child, skip, parts)
            if block:
                parts.append(" ")
        if child.tail:
            parts.append(child.tail)
