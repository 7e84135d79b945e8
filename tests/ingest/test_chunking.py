from medcite.ingest.chunking import chunk_document, segment_text
from medcite.models import Document, Section

ABSTRACT = (
    "BACKGROUND: Leptomeningeal metastases are a severe complication of cancer. "
    "They occur in about 5% of patients.\n"
    "METHODS: We reviewed 120 patients treated between 2000 and 2010.\n"
    "RESULTS: " + "Median survival was 4 months after intrathecal therapy. " * 30 + "\n"
    "CONCLUSIONS: Early treatment may prolong survival."
)


def test_structured_abstract_splits_on_labels_and_keeps_titles() -> None:
    doc = Document(id="pmid:1", kind="research", text=ABSTRACT)
    passages = chunk_document(doc, target=600)
    assert all(ABSTRACT[p.start:p.end] == p.text for p in passages)
    assert passages[0].section.startswith("Background")
    assert any(p.section == "Results" for p in passages)
    assert passages[-1].text.endswith("Early treatment may prolong survival.")
    assert "Conclusions" in passages[-1].section
    assert max(len(p.text) for p in passages) <= 900


def test_headings_start_new_passages_and_nest() -> None:
    text = ("Rationale\n Importance\n\n Screening finds disease early and this matters a lot.\n\n"
            " Detection\n\n The test detects disease in children aged 18 to 30 months.")
    segments = segment_text(text)
    assert [s.title for s in segments] == ["Rationale / Importance", "Detection"]
    passages = chunk_document(Document(id="g:1", kind="guideline", text=text), target=1000)
    assert [p.section for p in passages] == ["Rationale / Importance", "Detection"]


def test_long_sentence_is_cut_at_word_boundaries() -> None:
    text = " ".join(["word"] * 800) + "."
    passages = chunk_document(Document(id="d", kind="research", text=text), target=500)
    assert len(passages) > 1
    assert all(len(p.text) <= 750 for p in passages)
    assert all(not p.text.startswith(" ") and not p.text.endswith(" ") for p in passages)


def test_full_text_body_passages_index_the_joined_body_and_skip_boilerplate() -> None:
    doc = Document(id="pmid:2", kind="research", text="Short abstract here.", body=[
        Section(title="Methods", text="We randomised 40 adults. They took 10 mg daily."),
        Section(title="Competing interests", text="None declared."),
        Section(title="Results", text="Pain fell by 30% in the treated group."),
    ])
    passages = chunk_document(doc, target=1000)
    body = doc.body_text()
    body_passages = [p for p in passages if p.part == "body"]
    assert [p.section for p in body_passages] == ["Methods", "Results"]
    assert all(body[p.start:p.end] == p.text for p in body_passages)
    assert passages[0].part == "text" and passages[0].id == "pmid:2#t0"


def test_title_only_document_is_still_searchable() -> None:
    passages = chunk_document(Document(id="pmid:3", kind="research", title="Aspirin and stroke"))
    assert len(passages) == 1 and passages[0].text == "Aspirin and stroke"
