"""Map a customer's words to a document: a synonym line for the file search reads.

The file is the one kb.search uses (kb.search.service.synonym_file: KB_SYNONYMS_FILE, default
content/synoniemen.txt), one group per line, terms separated by commas. The line pairs the
searched words with the document's title words, so a search for either finds the other;
search reads the file again when it changes, and its result cache is keyed by its content.
With several hosts, keep the file on shared storage or commit it: each host reads its own.
"""

import fcntl
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
from kb.search.synonyms import Synonyms

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
    try:
        text = synonym_file().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return any(wanted <= set(group) for group in Synonyms.parse(text).groups)


def apply(user, query: str, slug: str) -> Proposal:
    """Append the proposed line to the synonym file (under a lock: two editors at once both
    land) and record it in the audit log.

    Raises what propose() raises, and Invalid when the line is there already or the file
    cannot be written.
    """
    proposal = propose(user, query, slug)
    if proposal.exists:
        raise Invalid({"q": _("Deze regel staat al in het synoniemenbestand.")})
    path = synonym_file()
    try:
        with open(path, "a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            text = handle.read()
            if any(proposal.line == existing.strip() for existing in text.splitlines()):
                return proposal  # another editor added it a moment ago
            prefix = "" if not text or text.endswith("\n") else "\n"
            if HEADER not in text:
                prefix += f"\n{HEADER}\n"
            handle.write(f"{prefix}{proposal.line}\n")
    except OSError as exc:
        raise Invalid(
            {"q": _("Het synoniemenbestand kan niet worden bijgewerkt (%(e)s).", e=exc.strerror)}
        ) from None
    with unit_of_work():
        audit.record(
            user,
            "synonym.add",
            "document",
            proposal.doc.slug,
            line=proposal.line,
            file=path.name,
        )
    return proposal
