"""The merge page: an edit made on an older revision, merged with the newest one, shown with
both people's changes marked and a choice for each block and field that overlaps."""

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from kb.documents import diff as diffs
from kb.documents import presence, service
from kb.documents.forms import AUDIENCE_LABELS, CHANNEL_LABELS, DocumentForm
from kb.documents.merge import DocumentMerge
from kb.documents.models import Document

FIELD_LABELS = {
    "title": _l("Titel"),
    "audience": _l("Zichtbaar voor"),
    "channel": _l("Kanaal"),
    "category": _l("Categorie"),
    "tags": _l("Tags"),
    "language": _l("Taal"),
}


def render(
    doc: Document,
    form: DocumentForm,
    merge: DocumentMerge | None,
    errors: dict[str, str] | None = None,
    status: int = 409,
):
    """The edit merged with the newest revision: ready to save, or with choices to make.

    The edit as submitted travels along in hidden fields, so nothing is lost on any path.
    """
    if merge is None:  # the service always merges; a Conflict from elsewhere has none
        abort(409)
    theirs = service.get_revision(doc, merge.theirs)
    base = doc.revision(merge.base) if merge.base else None
    mine_body = "\n".join(line for seg in merge.body.segments for line in seg.mine)
    # Choices made on this same merge come back checked. Made on a merge with an older
    # revision (someone saved again meanwhile), "blok-0" may name another block now: asked anew.
    same_merge = request.form.get("theirs_revision") == str(merge.theirs)
    choices = {
        k: v for k, v in request.form.items() if same_merge and k.startswith(("blok-", "veld-"))
    }
    return (
        render_template(
            "editing/conflict.html",
            doc=doc,
            form=form,
            merge=merge,
            base=base,
            current=theirs,
            who=theirs.author.display_name if theirs.author else _("de import"),
            mine_body=mine_body,
            theirs_diff=diffs.source_diff(base, theirs) if base else [],
            marks=diffs.word_marks,
            changed_fields=[f for f in merge.fields.values() if f.origin != "unchanged"],
            field_labels=FIELD_LABELS,
            show=_show_value,
            choices=choices,
            # Saving a merge met yet another save: what was merged so far is "your text" now.
            again=bool(request.form.get("theirs_revision")) and not same_merge,
            errors=errors or {},
            present=presence.describe(presence.others(doc, current_user)),
            heartbeat=presence.HEARTBEAT,
        ),
        status,
    )


def _show_value(name: str, value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(value)
    if name == "audience" and value in AUDIENCE_LABELS:
        return str(AUDIENCE_LABELS[value])
    if name == "channel" and value in CHANNEL_LABELS:
        return str(CHANNEL_LABELS[value])
    return str(value)
