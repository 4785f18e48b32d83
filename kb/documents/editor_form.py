"""What the editor form needs beyond its fields: the category choices (with "Nieuwe
categorie…"), why a document is not the editor's to edit, and the suggestion an edit takes
over (``?voorstel=<comment id>``)."""

from flask import flash, session
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # 3.3; stubs: 3.2

from kb.auth.models import Role
from kb.documents import listing
from kb.documents.forms import NEW_CATEGORY, ROLE_LABELS, DocumentForm
from kb.documents.models import MAX_CATEGORY, POLICY_CATEGORY, Channel, Document
from kb.documents.policy import default_min_edit_role
from kb.errors import Invalid
from kb.extensions import db
from kb.feedback import service as feedback
from kb.feedback.models import Comment, SuggestionStatus


def set_category_choices(form: DocumentForm, user) -> None:
    """The categories in use, the form's own value (also a new one being typed back), and
    "Nieuwe categorie…"."""
    names = listing.category_names(user)
    value = form.category.data or ""
    if value and value != NEW_CATEGORY and value not in names:
        names = sorted([*names, value])
    form.category.choices = [
        SelectChoice("", _("— geen categorie —")),
        *(SelectChoice(n, f"{n.replace('-', ' ').capitalize()} ({n})") for n in names),
        SelectChoice(NEW_CATEGORY, _("Nieuwe categorie…")),
    ]


def category_value(form: DocumentForm) -> str:
    """The category the form asks for. The text field counts only when the select says
    NEW_CATEGORY; raises Invalid (on new_category) when that choice and the field disagree."""
    chosen = form.category.data or ""
    typed = (form.new_category.data or "").strip() if "new_category" in form else ""
    if chosen == NEW_CATEGORY:
        if not typed:
            raise Invalid({"new_category": _("Vul de naam van de nieuwe categorie in.")})
        if len(typed) > MAX_CATEGORY:  # said first: the pattern would blame the letters
            raise Invalid({"new_category": _("Hoogstens %(n)d tekens.", n=MAX_CATEGORY)})
        return typed
    if typed:
        raise Invalid(
            {
                "new_category": _(
                    "Kies 'Nieuwe categorie…' in de lijst om deze categorie te gebruiken, "
                    "of maak dit veld leeg."
                )
            }
        )
    return chosen


def why_not_editable(doc: Document) -> str:
    """The reason an editor may read but not edit ``doc``, in words."""
    role = Role(doc.min_edit_role)
    default = default_min_edit_role(doc.category, doc.channel)
    if role == default and doc.category == POLICY_CATEGORY:
        return _("Alleen supervisors bewerken beleid.")
    if role == default and doc.channel == Channel.ESCALATION:
        return _("Alleen supervisors bewerken escalatiescripts.")
    return _("Alleen een %(role)s mag dit document bewerken.", role=str(ROLE_LABELS[role]).lower())


def _pending_key(doc: Document) -> str:
    return f"kb:voorstel:{doc.id}"


def open_suggestion(doc: Document, raw: str | None) -> tuple[Comment | None, str]:
    """The open comment or suggestion ``raw`` (an id) on ``doc``, or None with a note saying
    why it is left out (another document's, handled already, or no such comment)."""
    raw = (raw or "").strip()
    if not raw:
        return None, ""
    # Nine digits at most: a larger number is no id (and too large for an integer column).
    comment = db.session.get(Comment, int(raw)) if raw.isdigit() and len(raw) <= 9 else None
    if comment is None or comment.document_id != doc.id or comment.status != SuggestionStatus.OPEN:
        # One note for every case, so an id on a document this editor cannot read tells nothing.
        return None, _(
            "Voorstel %(id)s staat niet open bij dit document; u bewerkt het zonder voorstel.",
            id=raw[:20],
        )
    return comment, ""


def keep_pending(doc: Document, comment_id: str | None) -> None:
    """Remember, across the merge page, which suggestion this edit takes over."""
    if comment_id:
        session[_pending_key(doc)] = comment_id


def pending(doc: Document) -> str | None:
    value = session.get(_pending_key(doc))
    return value if isinstance(value, str) else None


def forget_pending(doc: Document) -> None:
    session.pop(_pending_key(doc), None)


def settle_taken(doc: Document, actor, taken: str | None, revision) -> None:
    """After a save: the suggestion the edit took over is accepted into the new revision (it
    stays open when nothing changed, and is left alone when someone handled it meanwhile)."""
    suggestion, _note = open_suggestion(doc, taken)
    if suggestion is None:
        return
    if revision is None:
        flash(_("Het voorstel blijft open."), "info")
        return
    feedback.settle(suggestion, actor, SuggestionStatus.ACCEPTED, revision=revision.number)
    who = suggestion.author.display_name if suggestion.author else _("onbekend")
    flash(
        _("Het voorstel van %(who)s is overgenomen in revisie %(n)d.", who=who, n=revision.number),
        "success",
    )
