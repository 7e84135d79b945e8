"""Renderers: Markdown (the reference page's anatomy), terminal and JSON — all read only
the :class:`Answer` object."""

from __future__ import annotations

import json

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.text import Text

from medcite.answer.model import Answer, Reference, Sentence

STATUS_NOTES = {
    "insufficient_evidence": "Insufficient evidence",
    "out_of_scope": "Out of scope",
    "emergency": "Emergency: seek care now",
}
REVIEW_STEPS = ("Submitted", "Under Review", "Approved")
FOLLOW_UP = "Have a follow-up question?"


INLINE = "; "


def cite(sentence: Sentence, item_prefix: str = INLINE) -> str:
    """The sentence with its ``[n]`` marks; a list's items joined by ``item_prefix`` (run
    into one line, a lead ending in ":" is followed by its items, not by "; ")."""
    marks = "".join(f"[{n}]" for n in sentence.citations)
    items = sentence.items
    if item_prefix == INLINE and len(items) > 1 and items[0].endswith(":"):
        text = f"{items[0]} {INLINE.join(items[1:])}"
    else:
        text = item_prefix.join(items)
    return f"{text} {marks}".strip()


def reference_line(ref: Reference) -> str:
    kind = "Guideline" if ref.kind == "guideline" else ref.kind.replace("-", " ").title()
    source = ref.organization or ref.journal or ""
    parts = [f"{kind} · {ref.evidence_label}", ref.title or ref.doc_id]
    if source:
        parts.append(source)
    if ref.year:
        parts.append(str(ref.year) + (" (may be outdated)" if ref.outdated else ""))
    return ". ".join(p.rstrip(".") for p in parts) + "."


def to_markdown(answer: Answer, review_status: str = "not reviewed",
                last_updated: str | None = None) -> str:
    """The answer page in Markdown, in the reference page's order."""
    lines = [f"# {answer.question}", ""]
    if answer.status != "answered":
        note = f" {answer.notice}" if answer.notice else ""
        lines += [f"> **{STATUS_NOTES[answer.status]}.**{note}", ""]
    elif answer.notice:
        lines += [f"> {answer.notice}", ""]
    if answer.status == "out_of_scope":  # explained once above; nothing to review or disclaim
        return "\n".join(lines)
    lines += [
        "> Educational purpose only · content is pending human review by the Medical Advisory "
        "Board.",
        "",
        f"**Article review status:** {' → '.join(REVIEW_STEPS)} (current: {review_status})  ",
        f"**Last updated:** {last_updated or answer.generated_at[:10]}  ",
        f"**Written for:** {answer.audience}",
        "",
    ]
    if answer.summary:
        lines += ["**Bottom line.** " + " ".join(cite(s) for s in answer.summary), ""]
    if answer.verdict:
        lines += [f"**Verdict:** {answer.verdict.replace('_', ' ')}", ""]
    research_started = False
    for section in answer.sections:
        if section.kind == "research" and not research_started:
            lines += ["## From the Research", ""]
            research_started = True
        level = "###" if section.kind == "research" else "##"
        lines += [f"{level} {section.title}", ""]
        bullet = section.kind in ("guidelines", "safety", "found")
        for s in section.sentences:
            lines.append(f"- {cite(s, chr(10) + '  - ')}" if bullet else cite(s))
        lines.append("")
    if answer.missing:
        lines += ["## What the evidence does not cover", ""]
        lines += [f"- {m}" for m in answer.missing] + [""]
    if answer.references:
        lines += ["## References", ""]
        for ref in answer.references:
            link = f" <{ref.url}>" if ref.url else ""
            lines.append(f"{ref.n}. {reference_line(ref)}{link}")
            for p in ref.passages:
                excerpt = " ".join(p.text.split())
                lines.append(f"   > {excerpt}")
        lines.append("")
    if answer.disclaimer:
        lines += ["---", "", f"**Disclaimer.** {answer.disclaimer}", ""]
    lines += [f"**{FOLLOW_UP}** {follow_up_hint(answer, '`')}", ""]
    return "\n".join(lines)


def follow_up_hint(answer: Answer, quote: str = "") -> str:
    """How to ask a follow-up: with the answer's thread id when it was recorded."""
    if answer.thread_id:
        return (f"Ask it in thread {answer.thread_id}: {quote}medcite ask --thread "
                f"{answer.thread_id} 'QUESTION'{quote}; the thread keeps its context.")
    return f"Ask it with {quote}medcite ask{quote} or in the web app; the thread keeps its context."


def print_terminal(answer: Answer, console: Console) -> None:
    """A compact, coloured rendering for the terminal: the question, then the status and
    medcite's notice (an emergency's instruction first of all), then the evidence. Data
    goes in :class:`Text`, so ids and titles are never read as markup or emoji codes."""
    parts: list = [Text(answer.question, style="bold")]
    if answer.status != "answered":
        parts.append(Text(STATUS_NOTES[answer.status], style="bold red"))
    if answer.notice:
        parts.append(Text(answer.notice, style="bold red" if answer.status == "emergency"
                          else "bold"))
    if answer.status == "out_of_scope":  # explained once; nothing to review or disclaim
        console.print(Panel(Group(*parts), title="medcite", border_style="blue"))
        return
    parts.append(Text("Pending human review · educational purpose only", style="yellow"))
    if answer.summary:
        parts.append(Text(" ".join(cite(s) for s in answer.summary)))
    if answer.verdict:
        parts.append(Text(f"Verdict: {answer.verdict.replace('_', ' ')}", style="bold"))
    console.print(Panel(Group(*parts), title="medcite", border_style="blue"))
    research_started = False
    for section in answer.sections:
        if section.kind == "research" and not research_started:
            console.print(Text("From the Research", style="bold underline"))
            research_started = True
        console.print(Text(section.title, style="bold cyan"))
        for s in section.sentences:
            console.print(Padding(Text(f"• {cite(s, chr(10) + '  – ')}"), (0, 0, 0, 2)))
    for item in answer.missing:
        console.print(Text(f"! {item}", style="yellow"))
    if answer.references:
        console.print(Text("References", style="bold underline"))
        for ref in answer.references:
            console.print(Text(f"{ref.n}. {reference_line(ref)}"), Text(ref.url or "", "dim"))
    if answer.disclaimer:
        console.print(Text(answer.disclaimer, style="italic"))
    if answer.thread_id:
        console.print(Text(f"{FOLLOW_UP} {follow_up_hint(answer)}", style="dim"))


def dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)
