"""SQLite schema and statements, as named constants.

``changes`` is the store's log: every document upsert or delete appends a row in the
same transaction, and each derived index (BM25, vectors) records the last sequence
number it has applied in ``meta``. An index that crashed behind the database catches
up by replaying the log, so the database is the single source of truth.

The tables are created, and older stores upgraded, by the migrations in
:mod:`medcite.store.migrations`: ``CORE_SCHEMA`` is migration 1, ``PHRASES_SCHEMA``
migration 2 and ``VOCAB_TERMS_SCHEMA`` migration 4.
"""

CORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT,
    text TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '[]',
    collection TEXT,
    journal TEXT,
    organization TEXT,
    year INTEGER,
    pmid TEXT,
    pmcid TEXT,
    doi TEXT,
    url TEXT,
    publication_types TEXT NOT NULL DEFAULT '[]',
    mesh TEXT NOT NULL DEFAULT '[]',
    keywords TEXT NOT NULL DEFAULT '[]',
    license TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    revised TEXT,
    evidence_level TEXT,
    content_hash TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_pmid ON documents(pmid);
CREATE INDEX IF NOT EXISTS documents_pmcid ON documents(pmcid);
CREATE INDEX IF NOT EXISTS documents_kind ON documents(kind);

CREATE TABLE IF NOT EXISTS passages (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    part TEXT NOT NULL,
    n INTEGER NOT NULL,
    section TEXT NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);

CREATE TABLE IF NOT EXISTS fulltexts (
    key TEXT PRIMARY KEY,
    pmid TEXT,
    pmcid TEXT,
    title TEXT,
    sections TEXT NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fulltexts_pmid ON fulltexts(pmid);
CREATE INDEX IF NOT EXISTS fulltexts_pmcid ON fulltexts(pmcid);

CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('upsert', 'delete'))
);

CREATE TABLE IF NOT EXISTS ingest_files (
    fingerprint TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    format TEXT NOT NULL,
    records_done INTEGER NOT NULL DEFAULT 0,
    complete INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS vocab (
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    synonyms TEXT NOT NULL,
    extra TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (source, key)
);
"""

PHRASES_SCHEMA = """
CREATE TABLE IF NOT EXISTS vocab_phrases (
    phrase TEXT NOT NULL,
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (phrase, source, key)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS abbreviations (
    short TEXT NOT NULL,
    long TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (short, long)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS abbreviations_long ON abbreviations(long);
"""

VOCAB_TERMS_SCHEMA = """
CREATE TABLE IF NOT EXISTS vocab_terms (
    stem TEXT PRIMARY KEY,
    medical INTEGER NOT NULL DEFAULT 0,
    other INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
"""

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA cache_size=-65536",
    "PRAGMA temp_store=MEMORY",
)

DOCUMENT_COLUMNS = (
    "id", "kind", "title", "text", "body", "collection", "journal", "organization", "year",
    "pmid", "pmcid", "doi", "url", "publication_types", "mesh", "keywords", "license",
    "version", "revised", "evidence_level", "content_hash", "ingested_at",
)

UPSERT_DOCUMENT = (
    f"INSERT OR REPLACE INTO documents ({', '.join(DOCUMENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in DOCUMENT_COLUMNS)})"
)
SELECT_DOCUMENT_STATE = "SELECT version, revised, content_hash FROM documents WHERE id = ?"
SELECT_DOCUMENT = f"SELECT {', '.join(DOCUMENT_COLUMNS)} FROM documents WHERE id = ?"
DELETE_DOCUMENT = "DELETE FROM documents WHERE id = ?"
DELETE_PASSAGES = "DELETE FROM passages WHERE doc_id = ?"
INSERT_PASSAGE = (
    'INSERT INTO passages (id, doc_id, part, n, section, text, start, "end") '
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
SELECT_PASSAGES_OF = (
    'SELECT id, doc_id, part, n, section, text, start, "end" FROM passages '
    "WHERE doc_id = ? ORDER BY part DESC, n"
)
INSERT_CHANGE = "INSERT INTO changes (doc_id, op) VALUES (?, ?)"
SELECT_CHANGES_AFTER = "SELECT seq, doc_id, op FROM changes WHERE seq > ? ORDER BY seq LIMIT ?"
MAX_CHANGE = "SELECT COALESCE(MAX(seq), 0) FROM changes"

UPSERT_FULLTEXT = (
    "INSERT OR REPLACE INTO fulltexts (key, pmid, pmcid, title, sections, content_hash) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
SELECT_FULLTEXT_HASH = "SELECT content_hash FROM fulltexts WHERE key = ?"
SELECT_FULLTEXT_BY_PMID = "SELECT sections FROM fulltexts WHERE pmid = ? LIMIT 1"
SELECT_FULLTEXT_BY_PMCID = "SELECT sections FROM fulltexts WHERE pmcid = ? LIMIT 1"
SELECT_RESEARCH_BY_PMID = "SELECT id FROM documents WHERE pmid = ? AND +kind = 'research'"
SELECT_RESEARCH_BY_PMCID = "SELECT id FROM documents WHERE pmcid = ? AND +kind = 'research'"

SELECT_FILE = "SELECT records_done, complete, path FROM ingest_files WHERE fingerprint = ?"
UPSERT_FILE = (
    "INSERT INTO ingest_files (fingerprint, path, format, records_done, complete, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET path = excluded.path, "
    "records_done = excluded.records_done, complete = excluded.complete, "
    "updated_at = excluded.updated_at"
)

UPSERT_VOCAB = (
    "INSERT OR REPLACE INTO vocab (source, key, name, synonyms, extra) VALUES (?, ?, ?, ?, ?)"
)

INSERT_PHRASE = "INSERT OR IGNORE INTO vocab_phrases (phrase, source, key) VALUES (?, ?, ?)"
ADD_ABBREVIATION = (
    "INSERT INTO abbreviations (short, long, count) VALUES (?, ?, ?) "
    "ON CONFLICT (short, long) DO UPDATE SET count = count + excluded.count"
)
