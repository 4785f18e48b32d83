"""Editing pages: create, edit (with conflict page), publish, history, diff, restore, preview."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kb.documents import diff as diffs
from kb.documents import markdown, service
from kb.documents.forms import ActionForm, DocumentForm, RevisionForm
from kb.documents.models import STATUSES, Document
from kb.documents.policy import can_edit, can_set_min_edit_role, get_visible_or_404, sees_drafts
from kb.documents.views import bp, resolved_html
from kb.errors import Conflict, Forbidden, Invalid, NotFound
from kb.extensions import db

META = ("kind", "audience", "channel", "category", "tags", "min_edit_role")


def _editor_doc(slug: str, *, edit: bool = False) -> Document:
    """Drafts and history are for editors: everyone else gets a 404, as if nothing is there."""
    if not sees_drafts(current_user):
        abort(404)
    doc = get_visible_or_404(slug, current_user)
    if edit and not can_edit(current_user, doc):
        abort(403)
    g.no_store = True
    return doc


def _document_form() -> DocumentForm:
    """Only supervisors see (and may send) who is allowed to edit."""
    form = DocumentForm()
    if not can_set_min_edit_role(current_user):
        del form.min_edit_role
    return form


def _form_data(form: DocumentForm, *, creating: bool) -> dict:
    data = {
        "title": form.title.data,
        "body": form.body.data or "",
        "category": form.category.data or "",
        "tags": form.tags.data or "",
        "message": form.message.data or "",
        "audience": form.audience.data,
        "channel": form.channel.data or None,
    }
    if creating:
        data["kind"] = form.kind.data
        data["slug"] = form.slug.data or None
    if "min_edit_role" in form:
        data["min_edit_role"] = form.min_edit_role.data
    return data


def _apply_errors(form: DocumentForm, exc: Invalid) -> None:
    for name, message in exc.errors.items():
        field = getattr(form, name, None)
        (field.errors if field is not None else form.form_errors).append(message)


@bp.route("/documenten")
@login_required
def index():
    if not sees_drafts(current_user):
        abort(404)
    status = request.args.get("status", "")
    query = db.select(Document).order_by(Document.updated_at.desc())
    if status in STATUSES:
        query = query.where(Document.status == status)
    docs = db.session.scalars(query).all()
    return render_template("documents/index.html", docs=docs, status=status)


@bp.route("/documenten/nieuw", methods=["GET", "POST"])
@login_required
def new():
    if not can_edit(current_user):
        abort(404)
    g.no_store = True
    form = _document_form()
    if request.method == "GET":
        form.slug.data = request.args.get("slug", "")
        form.kind.data = "article"
    status = 200
    if form.validate_on_submit():
        try:
            doc = service.create_document(current_user, _form_data(form, creating=True))
        except Invalid as exc:
            _apply_errors(form, exc)
        except Forbidden as exc:
            form.form_errors.append(exc.detail)
        else:
            flash(_("Concept opgeslagen als revisie 1."), "success")
            return redirect(url_for("documents.show", slug=doc.slug))
    if request.method == "POST":
        status = 422
    return render_template("documents/edit.html", form=form, doc=None), status


@bp.route("/artikel/<slug>/bewerken", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    doc = _editor_doc(slug, edit=True)
    form = _document_form()
    if request.method == "GET":
        current = doc.current  # the newest revision, with its own metadata
        form.title.data, form.body.data = current.title, current.body
        form.audience.data, form.channel.data = current.audience, current.channel or ""
        form.category.data, form.tags.data = current.category, ", ".join(current.tags or [])
        if "min_edit_role" in form:
            form.min_edit_role.data = doc.min_edit_role
        form.kind.data = doc.kind
        form.base_revision.data = str(doc.current_number)
        return render_template("documents/edit.html", form=form, doc=doc)
    form.kind.data = doc.kind
    if form.validate_on_submit():
        try:
            base = int(form.base_revision.data)
        except (TypeError, ValueError):
            base = None
        try:
            revision = service.save_revision(
                doc, current_user, base, _form_data(form, creating=False)
            )
        except Conflict as exc:
            return _conflict(doc, form, exc)
        except Invalid as exc:
            _apply_errors(form, exc)
        except Forbidden as exc:
            form.form_errors.append(exc.detail)
        else:
            if revision is None:
                flash(_("Er was niets veranderd; er is geen nieuwe revisie gemaakt."), "info")
            else:
                flash(_("Opgeslagen als revisie %(n)d.", n=revision.number), "success")
            return redirect(url_for("documents.show", slug=doc.slug))
    return render_template("documents/edit.html", form=form, doc=doc), 422


def _conflict(doc: Document, form: DocumentForm, exc: Conflict):
    """Show what the other person changed next to the user's own text, kept for merging."""
    db.session.refresh(doc)
    base = doc.revision(exc.base) if exc.base else None
    current = doc.current
    theirs = diffs.source_diff(base, current) if base else []
    form.base_revision.data = str(current.number)
    return (
        render_template(
            "documents/conflict.html", doc=doc, form=form, base=base, current=current, theirs=theirs
        ),
        409,
    )


@bp.route("/artikel/<slug>/publiceren", methods=["POST"])
@login_required
def publish(slug: str):
    doc = _editor_doc(slug, edit=True)
    form = RevisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.publish(doc, current_user, form.revision.data)
    except NotFound:
        abort(404)
    flash(_("Revisie %(n)d is gepubliceerd.", n=doc.published_number), "success")
    return redirect(url_for("documents.show", slug=slug))


@bp.route("/artikel/<slug>/depubliceren", methods=["POST"])
@login_required
def unpublish(slug: str):
    doc = _editor_doc(slug, edit=True)
    if not ActionForm().validate_on_submit():
        abort(400)
    service.unpublish(doc, current_user)
    flash(_("Het document is weer een concept."), "info")
    return redirect(url_for("documents.show", slug=slug))


@bp.route("/artikel/<slug>/archiveren", methods=["POST"])
@login_required
def archive(slug: str):
    doc = _editor_doc(slug, edit=True)
    if not ActionForm().validate_on_submit():
        abort(400)
    service.archive(doc, current_user)
    flash(_("Het document is gearchiveerd."), "info")
    return redirect(url_for("documents.show", slug=slug))


@bp.route("/artikel/<slug>/geschiedenis")
@login_required
def history(slug: str):
    doc = _editor_doc(slug)
    return render_template(
        "documents/history.html",
        doc=doc,
        revisions=list(reversed(doc.revisions)),
        form=RevisionForm(),
    )


@bp.route("/artikel/<slug>/revisie/<int:number>")
@login_required
def revision(slug: str, number: int):
    doc = _editor_doc(slug)
    rev = doc.revision(number) or abort(404)
    return render_template(
        "documents/revision.html",
        doc=doc,
        revision=rev,
        html=resolved_html(rev.html, current_user),
        form=RevisionForm(),
    )


@bp.route("/artikel/<slug>/vergelijk")
@login_required
def compare(slug: str):
    doc = _editor_doc(slug)
    a = request.args.get("van", type=int) or max(doc.current_number - 1, 1)
    b = request.args.get("naar", type=int) or doc.current_number
    old, new = doc.revision(a), doc.revision(b)
    if old is None or new is None:
        abort(404)
    return render_template(
        "documents/diff.html",
        doc=doc,
        old=old,
        new=new,
        lines=diffs.source_diff(old, new),
        rendered=diffs.rendered_diff(old, new),
        numbers=range(1, doc.current_number + 1),
    )


@bp.route("/artikel/<slug>/herstel", methods=["POST"])
@login_required
def restore(slug: str):
    doc = _editor_doc(slug, edit=True)
    form = RevisionForm()
    if not form.validate_on_submit() or not form.revision.data:
        abort(400)
    try:
        rev = service.restore(doc, current_user, form.revision.data)
    except NotFound:
        abort(404)
    except Invalid as exc:
        flash(" ".join(exc.errors.values()), "error")
        return redirect(url_for("documents.history", slug=slug))
    flash(
        _("Revisie %(k)d is teruggezet als revisie %(n)d.", k=form.revision.data, n=rev.number),
        "success",
    )
    return redirect(url_for("documents.show", slug=slug))


@bp.route("/voorbeeld", methods=["POST"])
@login_required
def preview():
    """Live preview for the editor; protected by the CSRF header the page's script sends."""
    if not can_edit(current_user):
        abort(404)
    body = request.form.get("body", "")
    if len(body) > service.MAX_BODY:
        return {"error": _("De tekst is te lang.")}, 422
    try:
        html = markdown.render_preview(body)
    except Invalid as exc:
        return {"error": " ".join(exc.errors.values())}, 422
    return {"html": str(resolved_html(html, current_user))}
