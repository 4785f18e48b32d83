"""The Whoosh search backend: every line of kb that knows Whoosh lives in this package.

See README.md here for why Whoosh is the embedded default and which of its private
structures we rely on.
"""

from kb.search.whoosh.backend import WhooshBackend

__all__ = ["WhooshBackend"]
