"""Verifying an answer written elsewhere (another AI tool, a colleague): Markdown with
``[n]`` citations and a numbered reference list.

1. :func:`parse_answer` splits the text into sentences with the numbers they cite, and the
   reference list into entries with the identifiers they carry: a medcite document id
   (``guideline:...``, ``pmid:123``), a PMID, a DOI or a URL.
2. :func:`resolve` finds each reference's document in the store.
3. :func:`verify_pasted` checks every cited sentence against the passages of the
   documents it cites (``answer/verify.py``): supported, not supported, changed meaning.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from medcite.answer.entities import Lexicon
from medcite.answer.verify import check_sentence, reason_list, verdict
from medcite.errors import InvalidRequestError
from medcite.store.sqlite import SQLiteStore
from medcite.text.sentences import sentence_spans

MAX_ANSWER_CHARS = 100_000
_HEADING = re.compile(r"^\s{0,3}(?:#{1,6}\s*|\*\*)?\s*(references|sources|bibliography|"
                      r"citations|works cited)\b", re.I)
_REF_LINE = re.compile(r"^\s*(?:\[(\d{1,3})\]|(\d{1,3})[.)])\s+(\S.*)$")
_CITE = re.compile(r"\s?\[(\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]")
_LABEL = re.compile(r"^\s*(?:[-*+]\s+|\d{1,3}[.)]\s+)?(?:\*\*[^*]{1,60}[.:]\*\*\s*)?")
_SKIP = re.compile(r"^\s*(?:#|>|---|\*\*\*|___|\|)")
_DOC_ID = re.compile(r"(?<![\w/])((?!https?:|doi:|mailto:)[a-z][a-z0-9_-]{1,20}:"
                     r"[A-Za-z0-9][\w.\-/:@]*[\w/])")
_PMID = re.compile(r"\bpmid\s*[:#]?\s*(\d{1,9})\b|pubmed\.ncbi\.nlm\.nih\.gov/(\d{1,9})", re.I)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s<>\"\])]+)")
_URL = re.compile(r"<?(https?://[^\s<>]+?)>?(?=[\s,;]|$)")


@dataclass(frozen=True)
class PastedSentence:
    index: int
    text: str
    """The sentence without its ``[n]`` marks."""
    citations: tuple[int, ...]


@dataclass(frozen=True)
class PastedReference:
    n: int
    text: str
    identifiers: tuple[tuple[str, str], ...]
    """``(scheme, value)``: ``id``, ``pmid``, ``doi`` or ``url``, in the order tried."""


@dataclass
class SentenceResult:
    sentence: PastedSentence
    status: str  # supported | not_supported | changed_meaning | no_citation | unresolved
    reasons: list[tuple[str, str]] = field(default_factory=list)
    passage_sentence: str | None = None
    doc_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.sentence.index, "sentence": self.sentence.text,
                "citations": list(self.sentence.citations), "status": self.status,
                "supported": self.status == "supported",
                "reasons": [{"code": c, "detail": d} for c, d in self.reasons],
                "passage_sentence": self.passage_sentence, "doc_id": self.doc_id}


@dataclass
class PastedReport:
    sentences: list[SentenceResult]
    references: list[PastedReference]
    resolved: dict[int, str | None]

    def counts(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self.sentences))

    @property
    def ok(self) -> bool:
        return all(r.status in ("supported", "no_citation") for r in self.sentences)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "counts": self.counts(),
                "sentences": [r.as_dict() for r in self.sentences],
                "references": [{"n": r.n, "text": r.text, "doc_id": self.resolved.get(r.n),
                                "identifiers": [{"scheme": s, "value": v}
                                                for s, v in r.identifiers]}
                               for r in self.references]}


def _numbers(marks: str) -> list[int]:
    found: list[int] = []
    for part in re.split(r"\s*,\s*", marks):
        ends = [int(x) for x in re.split(r"\s*[–-]\s*", part) if x]
        found += list(range(ends[0], ends[-1] + 1)) if len(ends) == 2 and \
            ends[0] <= ends[1] <= ends[0] + 20 else ends
    return found


def identifiers(text: str) -> tuple[tuple[str, str], ...]:
    """The identifiers a reference entry carries, most specific first."""
    found: list[tuple[str, str]] = [("id", m) for m in _DOC_ID.findall(text)]
    found += [("pmid", a or b) for a, b in _PMID.findall(text)]
    found += [("doi", m.rstrip(".,;")) for m in _DOI.findall(text)]
    found += [("url", m.rstrip(".,;")) for m in _URL.findall(text)]
    return tuple(dict.fromkeys(found))


def parse_answer(markdown: str) -> tuple[list[PastedSentence], list[PastedReference]]:
    """Sentences (with the numbers they cite) and references of a Markdown answer."""
    if len(markdown) > MAX_ANSWER_CHARS:
        raise InvalidRequestError(f"The answer is {len(markdown):,} characters long; the "
                                  f"limit is {MAX_ANSWER_CHARS:,}.", "Verify it in parts.")
    lines = markdown.splitlines()
    cut = next((i for i, line in enumerate(lines) if _HEADING.match(line)), None)
    body, tail = (lines, lines) if cut is None else (lines[:cut], lines[cut + 1:])
    references: list[PastedReference] = []
    taken: set[int] = set()
    for i, line in enumerate(tail):
        m = _REF_LINE.match(line)
        if m and (cut is not None or identifiers(m[3])):
            n = int(m[1] or m[2])
            if n not in {r.n for r in references}:
                references.append(PastedReference(n, m[3].strip(), identifiers(m[3])))
            taken.add(i)
    if cut is None:
        body = [line for i, line in enumerate(lines) if i not in taken]
    return _sentences(body), references


def _sentences(lines: list[str]) -> list[PastedSentence]:
    blocks: list[str] = []
    for line in lines:
        if not line.strip() or _SKIP.match(line):
            blocks.append("")
            continue
        text = _LABEL.sub("", line, count=1).replace("**", "").replace("__", "").strip()
        if blocks and blocks[-1] and not re.match(r"^\s*(?:[-*+]|\d{1,3}[.)])\s", line):
            blocks[-1] += " " + text
        else:
            blocks.append(text)
    found: list[PastedSentence] = []
    for block in filter(None, blocks):
        for s, e in sentence_spans(block):
            raw = block[s:e]
            cites = tuple(dict.fromkeys(n for m in _CITE.finditer(raw) for n in _numbers(m[1])))
            text = " ".join(_CITE.sub("", raw).split())
            text = re.sub(r"\s+([.,;:!?])", r"\1", text)
            if re.search(r"[A-Za-z]{2}", text):
                found.append(PastedSentence(len(found), text, cites))
    return found


def resolve(store: SQLiteStore, references: list[PastedReference]) -> dict[int, str | None]:
    """Each reference's document id in the store (None where no identifier resolves)."""
    resolved: dict[int, str | None] = {}
    for ref in references:
        resolved[ref.n] = next((doc for scheme, value in ref.identifiers
                                if (doc := _lookup(store, scheme, value))), None)
    return resolved


def _lookup(store: SQLiteStore, scheme: str, value: str) -> str | None:
    found = store.document_named(scheme, value)
    if found is None and scheme == "id" and value.lower().startswith("pmid:"):
        found = store.document_named("pmid", value.split(":", 1)[1])
    return found


def verify_pasted(store: SQLiteStore, markdown: str, lexicon: Lexicon | None = None
                  ) -> PastedReport:
    """Every sentence of a pasted answer checked against the documents it cites."""
    sentences, references = parse_answer(markdown)
    resolved = resolve(store, references)
    texts: dict[str, list[str]] = {}
    results: list[SentenceResult] = []
    for sentence in sentences:
        if not sentence.citations:
            results.append(SentenceResult(sentence, "no_citation"))
            continue
        missing = [n for n in sentence.citations if resolved.get(n) is None]
        if missing:
            listed = {r.n for r in references}
            why = ", ".join(f"[{n}] " + ("is not in the reference list" if n not in listed
                                         else "names no document in the store")
                            for n in missing)
            results.append(SentenceResult(sentence, "unresolved", [("reference", why)]))
            continue
        docs = [d for n in sentence.citations if (d := resolved[n]) is not None]
        passages: list[tuple[str, str]] = []
        for doc in dict.fromkeys(docs):
            if doc not in texts:
                texts[doc] = [p.text for p in store.passages_of(doc)]
            passages += [(doc, t) for t in texts[doc]]
        check = check_sentence(sentence.text, [t for _, t in passages], lexicon=lexicon)
        at = check.passage_index
        results.append(SentenceResult(sentence, verdict(check), reason_list(check),
                                      check.passage_sentence,
                                      passages[at][0] if at is not None else None))
    return PastedReport(results, references, resolved)
