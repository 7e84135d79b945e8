"""Every input format medcite reads, in the order they are tried on a file's head."""

from __future__ import annotations

from medcite.ingest import drug_label, guideline, jsonl, pmc_jats, pubmed_xml
from medcite.ingest.source import Format

FORMATS: list[Format] = [
    Format("corpus-jsonl", "medcite corpus JSON Lines (id, kind, title, text, ...)",
           jsonl.keys_sniffer(jsonl.CORPUS_KEYS), jsonl.read_corpus),
    Format("pmc-fulltext-jsonl", "PMC full texts {pmcid, pmid, body_sections}",
           jsonl.keys_sniffer(jsonl.FULLTEXT_KEYS), jsonl.read_fulltext),
    Format("uspstf-jsonl", "USPSTF recommendations with grades",
           jsonl.keys_sniffer(jsonl.USPSTF_KEYS), jsonl.read_uspstf),
    Format("mesh-jsonl", "MeSH descriptors (vocabulary)",
           jsonl.keys_sniffer(jsonl.MESH_KEYS), jsonl.read_mesh),
    Format("drug-jsonl", "drug names and brands (vocabulary)",
           jsonl.keys_sniffer(jsonl.DRUG_KEYS), jsonl.read_drugs),
    # XML and whole-document JSON: each sniffer checks the document element or top-level keys.
    Format("pubmed-xml", "PubMed/MEDLINE XML (efetch, baseline/update files, DeleteCitation)",
           pubmed_xml.sniff, pubmed_xml.read),
    Format("pmc-jats-xml", "PMC full-text JATS XML (.nxml, efetch pmc-articleset, OAI-PMH)",
           pmc_jats.sniff, pmc_jats.read),
    Format("fda-spl-xml", "FDA drug label, HL7 v3 Structured Product Labeling XML",
           drug_label.sniff_spl, drug_label.read_spl),
    Format("openfda-label-json", "openFDA drug label response {meta, results: [...]}",
           drug_label.sniff_openfda, drug_label.read_openfda),
    # HTML before Markdown: front matter followed by HTML is an HTML guideline.
    Format("guideline-html", "guideline web page (HTML, optional front matter)",
           guideline.sniff_html, guideline.read_html),
    Format("guideline-markdown", "guideline in Markdown with a front-matter block",
           guideline.sniff_markdown, guideline.read_markdown),
]
