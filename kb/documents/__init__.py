"""Documents (articles and scripts) with immutable, numbered revisions."""
