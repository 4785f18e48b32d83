"""Map a customer's words to a document: a line in the synonym list every host searches with.

The list is shared through the database (kb.search.synonyms): one group per line, terms
separated by commas. The line pairs the searched words with the document's title words, so a
search for either finds the other; every host uses it within a second, this one at once. The
file content/synoniemen.txt is what editors version: `kb content export` writes the list to
it, `kb content import` merges its changes back in.
"""

from dataclasses import dataclass

from flask_babel import gettext as _

from kb.audit import service as audit
from kb.dashboard.searches import normalise
from kb.dashboard.service import require_dashboard
from kb.db import unit_of_work
from kb.documents.models import Document, Status
from kb.documents.policy import load_for
from kb.errors import Invalid
from kb.search.analysis import words
from kb.search.query import MAX_WORDS
from kb.search.service import synonym_file
from kb.search.synonyms import Synonyms, add_line, forget_here, shared_text

HEADER = "# Uit de zoekinzichten: zoekwoorden van klanten, gekoppeld aan een document."


@dataclass
class Proposal:
    """The line that would make ``query`` find ``doc``."""

    query: str  # normalised, as the insights show it
    doc: Document
    line: str
    exists: bool  # the file already says this


def _term(text: str) -> str:
    return " ".join(words(text))


def propose(user, query: str, slug: str) -> Proposal:
    """The synonym line for searches of ``query`` to find the published document ``slug``.

    Raises NotFound (not an editor; a document the editor may not read), Invalid (no words,
    masked personal data, too many words, not published, the same words as the title).
    """
    require_dashboard(user)
    doc = load_for(user, slug)
    if doc.status != Status.PUBLISHED:
        raise Invalid({"document": _("Koppel alleen aan een gepubliceerd document.")})
    normal = normalise(query)
    left = _term(normal)
    right = _term(doc.published_title or doc.title)
    if not left:
        raise Invalid({"q": _("Deze zoekopdracht heeft geen woorden om te koppelen.")})
    if "[" in normal:  # kb.search.privacy replaced something: never a synonym
        raise Invalid({"q": _("Deze zoekopdracht bevat afgeschermde gegevens.")})
    if len(left.split()) > MAX_WORDS:
        raise Invalid({"q": _("Te lang voor een synoniem: kies een kortere zoekopdracht.")})
    if left == right:
        raise Invalid({"q": _("Dit zijn al precies de woorden van de titel.")})
    line = f"{left}, {right}"
    return Proposal(normal, doc, line, _already(line))


def _already(line: str) -> bool:
    wanted = set(Synonyms.parse(line).groups[0])
    text = shared_text(synonym_file())
    return any(wanted <= set(group) for group in Synonyms.parse(text).groups)


def apply(user, query: str, slug: str) -> Proposal:
    """Add the proposed line to the shared synonym list and record it in the audit log, in
    one transaction (two editors at once both land: the row is locked).

    Raises what propose() raises, and Invalid when the line is there already.
    """
    proposal = propose(user, query, slug)
    if proposal.exists:
        raise Invalid({"q": _("Deze regel staat al in het synoniemenbestand.")})
    with unit_of_work():
        if not add_line(proposal.line, synonym_file(), header=HEADER):
            return proposal  # another editor added it a moment ago
        audit.record(
            user,
            "synonym.add",
            "document",
            proposal.doc.slug,
            line=proposal.line,
        )
    forget_here()
    return proposal
