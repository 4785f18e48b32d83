"""Read-and-acknowledge pages (issue 18): the banner's data (template global ``ack_state``),
"Gelezen en begrepen", and for supervisors who has and who has not confirmed a revision."""

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from kb.documents import acknowledge as acks
from kb.documents.ack_changes import Changes, changes
from kb.documents.forms import ActionForm
from kb.documents.models import Document
from kb.documents.policy import Action, allowed, load_for, require
from kb.documents.service import resolved_html

bp = Blueprint("acknowledgements", __name__)


@dataclass
class Banner:
    """What the document page shows about acknowledging ``doc`` to the current user."""

    doc: Document
    pending: bool
    last: int | None = None  # the revision the user last confirmed
    changes: Changes | None = None
    # The changes' blocks with the heading each sits under, wiki links resolved for this user.
    blocks: tuple[tuple[Markup | None, Markup], ...] = ()
    counts: tuple[int, int] | None = None  # (confirmed, everyone asked), for supervisors


@bp.app_template_global()
def ack_state(doc: Document) -> Banner | None:
    """The acknowledgement banner for ``doc`` and the current user; None: show nothing."""
    if not current_user.is_authenticated or acks.required_revision(doc) is None:
        return None
    pending = acks.pending_for(current_user, doc)
    banner = Banner(doc=doc, pending=pending)
    if pending:
        last = acks.last_acknowledged(current_user, doc)
        published = doc.published
        old = doc.revision(last.revision_number) if last else None
        if last is not None and old is not None and published is not None:
            banner.last = last.revision_number
            banner.changes = changes(old, published)
            banner.blocks = tuple(
                (b.where, resolved_html(b.html, current_user)) for b in banner.changes.blocks
            )
    if allowed(current_user, Action.REVIEW):
        overview = acks.who_acknowledged(doc)
        banner.counts = (len(overview.acknowledged), overview.total)
    return banner if banner.pending or banner.counts else None


@bp.route("/artikel/<slug>/bevestigen", methods=["POST"])
@login_required
def confirm(slug: str):
    """ "Gelezen en begrepen": record the published revision for the current user."""
    doc = load_for(current_user, slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    ack = acks.acknowledge(doc, current_user)
    if ack is None:
        message = _("Dit document vraagt geen bevestiging.")
    else:
        message = _("Bevestigd: u hebt revisie %(n)d gelezen.", n=ack.revision_number)
    if request.headers.get("X-KB-Fragment") == "1":  # the console: the answer replaces the banner
        return render_template("acknowledgements/_done.html", slug=doc.slug, message=message)
    flash(message, "info" if ack is None else "success")
    return redirect(url_for("documents.show", slug=slug))


@bp.route("/artikel/<slug>/bevestigingen")
@login_required
def overview(slug: str):
    """Who confirmed the revision the document asks for, and who has not yet (supervisors)."""
    doc = load_for(current_user, slug)
    require(current_user, Action.REVIEW)
    return render_template(
        "acknowledgements/overview.html",
        doc=doc,
        title=doc.title_for(allowed(current_user, Action.READ_DRAFTS)),
        overview=acks.who_acknowledged(doc),
    )
