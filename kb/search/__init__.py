"""Search: Dutch analysis, query planning, snippets and the index kept in step with the
database, over a backend behind one protocol (backend.py): Whoosh (whoosh/, the embedded
default) or PostgreSQL full-text (the postgres/ package), chosen by KB_SEARCH_BACKEND.
"""
