"""The suggestion inbox, "Mijn documenten" and "Mijn voorstellen" (issue 18); the editor bar's
owner, verify-by date and "Gecontroleerd" post here too.

The inbox and "Mijn documenten" are for editors and up: anyone else gets a 404, as for the
editing pages. "Mijn voorstellen" is for everyone who may comment.
"""

from datetime import date
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kb.auth.models import User
from kb.documents import owners
from kb.documents.forms import ActionForm
from kb.documents.models import Document
from kb.documents.policy import Action, allowed, load_for, sees_drafts
from kb.documents.schemas import parse
from kb.errors import Invalid
from kb.extensions import db
from kb.feedback import inbox as queries
from kb.feedback import service
from kb.feedback.inbox_forms import CloseForm, EditorialForm
from kb.feedback.schemas import CloseInput
from kb.i18n import date_label

bp = Blueprint("inbox", __name__)


def _handlers_only() -> None:
    g.no_store = True  # comments on drafts, names of owners
    if not allowed(current_user, Action.HANDLE_SUGGESTIONS):
        abort(404)


def _back(default: str) -> str:
    """The page a form came from (``next``), when it is one of ours; else ``default``."""
    target = request.form.get("next") or request.args.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


# ---- template helpers ---------------------------------------------------------------------


@bp.app_template_filter("day")
def day_label(value: date | None) -> str:
    return date_label(value, "long")


def _owner_choices(doc: Document) -> list[tuple[str, str]]:
    people = owners.candidates(doc)
    choices = [(str(u.id), u.display_name) for u in people]
    if doc.owner is not None and all(u.id != doc.owner_id for u in people):
        choices.insert(
            0, (str(doc.owner.id), _("%(name)s (mag niet bewerken)", name=doc.owner.display_name))
        )
    if doc.owner is None:
        choices.insert(0, ("", _("— niemand —")))
    return choices


def _editorial(doc: Document) -> SimpleNamespace:
    """What the editor bar shows about ownership; the form only for those who may edit."""
    form = None
    if allowed(current_user, Action.EDIT, doc):
        form = EditorialForm(formdata=None, owner=str(doc.owner_id or ""), verify_by=doc.verify_by)
        form.owner.choices = _owner_choices(doc)
    return SimpleNamespace(
        owner=doc.owner,
        verify_by=doc.verify_by,
        overdue=owners.is_overdue(doc),
        verified_at=doc.verified_at,
        form=form,
        today=owners.today(),
    )


@bp.app_context_processor
def inbox_helpers() -> dict[str, Any]:
    handles = allowed(current_user, Action.HANDLE_SUGGESTIONS)
    return {
        "handles_suggestions": handles,
        "inbox_open_count": lambda: queries.open_count(current_user) if handles else 0,
        "editorial": _editorial,
    }


# ---- the editor bar: owner, verify-by date, "Gecontroleerd" -------------------------------


@bp.route("/artikel/<slug>/redactie", methods=["POST"])
@login_required
def editorial(slug: str):
    _handlers_only()
    doc = load_for(current_user, slug, Action.EDIT)
    back = redirect(_back(url_for("documents.show", slug=slug)))
    if request.form.get("take_on") == "1":
        return _take_on(doc, back)
    form = EditorialForm()
    form.owner.choices = _owner_choices(doc)
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return back
    owner = None
    if form.owner.data and form.owner.data != str(doc.owner_id or ""):
        owner = db.session.get(User, int(form.owner.data)) if form.owner.data.isdigit() else None
        if owner is None:
            abort(400)
    try:
        owners.update(doc, current_user, owner=owner, verify_by=form.verify_by.data)
    except Invalid as exc:
        flash(" ".join(exc.errors.values()), "error")
    else:
        flash(_("Eigenaar en controledatum opgeslagen."), "success")
    return back


def _take_on(doc: Document, back):
    """ "Eigenaar worden" on "Mijn documenten": a document without an owner becomes yours."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if doc.owner_id is not None and doc.owner_id != current_user.id:
        flash(_("Dit document heeft al een eigenaar."), "error")
        return back
    try:
        owners.set_owner(doc, current_user, current_user)
    except Invalid as exc:
        flash(" ".join(exc.errors.values()), "error")
    else:
        flash(_("U bent nu eigenaar van %(title)s.", title=doc.title), "success")
    return back


@bp.route("/artikel/<slug>/gecontroleerd", methods=["POST"])
@login_required
def verified(slug: str):
    _handlers_only()
    doc = load_for(current_user, slug, Action.EDIT)
    if not ActionForm().validate_on_submit():
        abort(400)
    owners.mark_verified(doc, current_user)
    flash(
        _("Gecontroleerd. Volgende controle vóór %(day)s.", day=day_label(doc.verify_by)),
        "success",
    )
    return redirect(_back(url_for("documents.show", slug=slug)))


# ---- the inbox ------------------------------------------------------------------------------


@bp.route("/inbox")
@login_required
def index():
    _handlers_only()
    handled = request.args.get("status") == "afgehandeld"
    mine = request.args.get("mijn") == "1"
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    listing = queries.inbox(current_user, handled=handled, mine=mine, page=min(page, 10_000))
    return render_template("inbox/index.html", listing=listing, handled=handled, mine=mine)


@bp.route("/inbox/<int:comment_id>/sluiten", methods=["POST"])
@login_required
def close(comment_id: int):
    _handlers_only()
    comment = service.comment_for(current_user, comment_id, Action.EDIT)
    form = CloseForm()
    back = _back(url_for("inbox.index"))
    if not form.validate_on_submit():
        abort(400)
    try:
        service.close(comment, current_user, parse(CloseInput, {"reason": form.reason.data or ""}))
    except Invalid:
        flash(_("Geef een reden op: de schrijver leest waarom het gesloten is."), "error")
    else:
        flash(_("Gesloten. De schrijver ziet uw reden bij het document."), "success")
    return redirect(back)


@bp.route("/inbox/<int:comment_id>/heropenen", methods=["POST"])
@login_required
def reopen(comment_id: int):
    _handlers_only()
    comment = service.comment_for(current_user, comment_id, Action.EDIT)
    if not ActionForm().validate_on_submit():
        abort(400)
    service.reopen(comment, current_user)
    flash(_("Heropend: het staat weer in de inbox."), "success")
    return redirect(_back(url_for("inbox.index")))


# ---- "Mijn documenten", "Mijn voorstellen" --------------------------------------------------


@bp.route("/mijn-documenten")
@login_required
def my_documents():
    _handlers_only()
    return render_template(
        "inbox/my_documents.html",
        mine=owners.my_documents(current_user),
        days=owners.NOT_HELPFUL_DAYS,
    )


@bp.route("/mijn-voorstellen")
@login_required
def my_suggestions():
    if not allowed(current_user, Action.COMMENT):
        abort(404)
    g.no_store = True
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    return render_template(
        "inbox/my_suggestions.html",
        mine=queries.my_comments(current_user, page=min(page, 10_000)),
        counts=queries.counts_by_status(current_user),
        drafts=sees_drafts(current_user),
    )
