"""PostgreSQL full-text backend (KB_SEARCH_BACKEND=postgres), for teams on several hosts.

Every host searches the same tables, so there is no per-host index to keep in step.
Terms arrive analysed by kb.search.analysis (the same stems, compounds and folding as
Whoosh) and are indexed with the kb_dutch configuration (unaccent + PostgreSQL's Dutch
Snowball stemmer, see the migration), weighted title A, tags B, body C, compound parts and
learned customer phrases D.
Queries go through the same configuration, so documents and queries always agree; the
second stemming pass may join a few more word forms than Whoosh does. Titles for
search-as-you-type use 'simple': prefixes of surface words must not be stemmed. Typos use
pg_trgm over search_words, a per-level vocabulary.

Modules: backend (the SearchBackend), reads (one statement per search: hits, total and
facets together), writes (entries and word counts), vocabulary (batched look-ups of words
and stems), sql (constants). A search costs a fixed handful of statements; the
vocabularies and corrections searches ask are kept per process until the tables change
(the generation: the state row every change moves on, on whichever host).
"""

from kb.search.postgres.backend import REBUILD_BATCH, PostgresBackend
from kb.search.postgres.sql import CONFIG, LOCK_KEY, STATE, WEIGHTS
from kb.search.postgres.vocabulary import PostgresVocabulary

__all__ = [
    "CONFIG",
    "LOCK_KEY",
    "REBUILD_BATCH",
    "STATE",
    "WEIGHTS",
    "PostgresBackend",
    "PostgresVocabulary",
]
