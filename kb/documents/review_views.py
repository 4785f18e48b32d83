"""Review before publish: "Te beoordelen", a review with its diff, approve, return, withdraw,
submit from a document page, and the supervisors' category settings (issue 18)."""

from collections import defaultdict
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kb.documents import diff as diffs
from kb.documents import review, review_settings
from kb.documents.forms import ActionForm
from kb.documents.models import Document, Review, ReviewStatus, Revision
from kb.documents.policy import Action, allowed, load_for
from kb.documents.review_forms import (
    REVIEW_CHOICES,
    ApproveForm,
    CategoryForm,
    ReturnForm,
    SubmitForm,
)
from kb.documents.service import resolved_html
from kb.errors import Forbidden, Invalid

bp = Blueprint("review", __name__)


@bp.before_request
@login_required
def editors_only():
    """Review is for editors and up; for everyone else these pages do not exist."""
    g.no_store = True  # unpublished text
    if not allowed(current_user, Action.SUBMIT_REVIEW):
        abort(404)


@bp.app_context_processor
def review_context() -> dict[str, Any]:
    """Helpers for the nav, the document page's editor bar, history and revision pages."""
    return {
        "review_nav": _nav,
        "review_state": lambda doc: review.state(doc, current_user),
        "review_may_publish": lambda doc, rev: review.may_publish(current_user, doc, rev),
        "review_needed": review.needs_review,
        "review_ack_default": review.acknowledge_default,
        "review_why_not": review.why_not_editable,
        "reviews_by_revision": _by_revision,
        "may_submit_review": allowed(current_user, Action.SUBMIT_REVIEW),
    }


def _nav() -> dict | None:
    if not allowed(current_user, Action.SUBMIT_REVIEW):
        return None
    reviewer = allowed(current_user, Action.REVIEW)
    return {
        "label": _("Te beoordelen") if reviewer else _("Beoordelingen"),
        "count": review.count_waiting(current_user),
        "title": _("Wacht op uw beoordeling")
        if reviewer
        else _("Door een supervisor teruggestuurd"),
    }


def _by_revision(doc: Document) -> dict[int, list[Review]]:
    grouped: dict[int, list[Review]] = defaultdict(list)
    for item in review.for_document(doc):
        grouped[item.revision_number].append(item)
    return grouped


@bp.route("/beoordelen")
def index():
    reviewer = allowed(current_user, Action.REVIEW)
    return render_template(
        "review/index.html",
        reviewer=reviewer,
        pending=review.pending(current_user),
        returned=review.pending(current_user, ReviewStatus.RETURNED),
        manages_categories=allowed(current_user, Action.MANAGE_CATEGORIES),
    )


def _empty() -> Revision:
    """Nothing published yet: compare with an empty revision (never saved)."""
    return Revision(
        number=0,
        title="",
        body="",
        html="",
        audience="",
        channel=None,
        category="",
        tags=[],
        language="",
    )


@bp.route("/beoordelen/<int:review_id>")
def show(review_id: int):
    item = review.get_for(current_user, review_id)
    return _page(item)


def _page(item: Review, approve_form=None, return_form=None, status: int = 200):
    doc = item.document
    submitted = doc.revision(item.revision_number)
    if submitted is None:
        abort(404)
    published = doc.published
    old = published if published is not None else _empty()
    if approve_form is None:
        # The editor's wish, and on for scripts and policy whatever it was.
        ack = item.acknowledge or review.acknowledge_default(doc, submitted)
        approve_form = ApproveForm(formdata=None, acknowledge=ack)
    return (
        render_template(
            "review/show.html",
            item=item,
            doc=doc,
            submitted=submitted,
            published=published,
            lines=diffs.source_diff(old, submitted),
            rendered=diffs.rendered_diff(
                old, submitted, lambda html: resolved_html(html, current_user)
            ),
            approve_form=approve_form,
            return_form=return_form or ReturnForm(),
            withdraw_form=ActionForm(),
            reviewer=allowed(current_user, Action.REVIEW),
        ),
        status,
    )


@bp.route("/beoordelen/<int:review_id>/goedkeuren", methods=["POST"])
def approve(review_id: int):
    item = review.get_for(current_user, review_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        review.approve(
            item, current_user, form.comment.data or "", acknowledge=bool(form.acknowledge.data)
        )
    except Invalid as exc:
        form.comment.errors = list(exc.errors.values())
        return _page(item, approve_form=form, status=422)
    except Forbidden as exc:
        flash(exc.detail, "error")
        return redirect(url_for("review.show", review_id=review_id))
    flash(
        _("Goedgekeurd: revisie %(n)d is gepubliceerd.", n=item.revision_number),
        "success",
    )
    return redirect(url_for("documents.show", slug=item.document.slug))


@bp.route("/beoordelen/<int:review_id>/terugsturen", methods=["POST"])
def send_back(review_id: int):
    item = review.get_for(current_user, review_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        review.return_(item, current_user, form.comment.data or "")
    except Invalid as exc:
        form.comment.errors = list(exc.errors.values())
        return _page(item, return_form=form, status=422)
    except Forbidden as exc:
        flash(exc.detail, "error")
        return redirect(url_for("review.show", review_id=review_id))
    flash(_("Teruggestuurd naar %(who)s.", who=_who(item)), "info")
    return redirect(url_for("review.index"))


def _who(item: Review) -> str:
    return item.submitted_by.display_name if item.submitted_by else _("de redacteur")


@bp.route("/beoordelen/<int:review_id>/intrekken", methods=["POST"])
def withdraw(review_id: int):
    item = review.get_for(current_user, review_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        review.withdraw(item, current_user)
    except (Invalid, Forbidden) as exc:
        flash(_message(exc), "error")
        return redirect(url_for("review.show", review_id=review_id))
    flash(_("Uw inzending is ingetrokken."), "info")
    return redirect(url_for("documents.show", slug=item.document.slug))


def _message(exc: Invalid | Forbidden) -> str:
    return " ".join(exc.errors.values()) if isinstance(exc, Invalid) else exc.detail


@bp.route("/artikel/<slug>/indienen", methods=["POST"])
def submit(slug: str):
    doc = load_for(current_user, slug, Action.EDIT)
    form = SubmitForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        item = review.submit(
            doc,
            current_user,
            form.revision.data,
            note=form.note.data or "",
            acknowledge=bool(form.acknowledge.data),
        )
    except (Invalid, Forbidden) as exc:
        flash(_message(exc), "error")
        return redirect(url_for("documents.show", slug=slug))
    flash(
        _(
            "Revisie %(n)d is ingediend ter beoordeling. Een supervisor keurt hem goed of "
            "stuurt hem terug.",
            n=item.revision_number,
        ),
        "success",
    )
    return redirect(url_for("documents.show", slug=slug))


@bp.route("/beoordelen/categorieen", methods=["GET", "POST"])
def categories():
    if not allowed(current_user, Action.MANAGE_CATEGORIES):
        abort(404)
    failed: tuple[str, CategoryForm] | None = None
    if request.method == "POST":
        form = CategoryForm()
        if not form.validate_on_submit():
            abort(400)
        category = form.category.data or ""
        try:
            review_settings.set_review(
                category,
                current_user,
                REVIEW_CHOICES[form.review.data],
                form.description.data or "",
            )
        except Invalid as exc:
            form.description.errors = list(exc.errors.values())
            failed = (category, form)
        else:
            flash(_("Instellingen van '%(c)s' opgeslagen.", c=category), "success")
            return redirect(url_for("review.categories") + f"#categorie-{category}")
    rows = []
    for row in review_settings.categories(current_user):
        if failed is not None and failed[0] == row.category:
            form = failed[1]
        else:
            choice = {None: "default", True: "on", False: "off"}[row.setting]
            form = CategoryForm(
                formdata=None, category=row.category, review=choice, description=row.description
            )
        rows.append((row, form))
    return render_template("review/categories.html", rows=rows), 422 if failed else 200
