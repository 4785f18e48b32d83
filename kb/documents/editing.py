"""Editing pages for editors: list, create, edit (with the merge page on a conflict), publish,
history, diff, restore, preview, presence. Everyone else gets a 404."""

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kb.documents import diff as diffs
from kb.documents import (
    editing_list,
    editor_form,
    merge_page,
    presence,
    preview,
    service,
)
from kb.documents.forms import NEW_CATEGORY, ActionForm, DocumentForm, MergeForm, RevisionForm
from kb.documents.merge import CHOICES, Choice, DocumentMerge, Undecided
from kb.documents.models import Document
from kb.documents.policy import Action, allowed, load_for
from kb.documents.schemas import DocumentCreate, DocumentUpdate, parse
from kb.documents.service import resolved_html
from kb.errors import Conflict, Forbidden, Invalid

bp = Blueprint("editing", __name__)


@bp.before_request
@login_required
def editors_only():
    """Drafts and history are for editors: everyone else gets a 404, as if nothing is there.

    Editor pages hold unpublished text: browsers and proxies must not keep them.
    """
    g.no_store = True
    if not allowed(current_user, Action.READ_DRAFTS):
        abort(404)


def _document_form(cls: type[DocumentForm] = DocumentForm) -> DocumentForm:
    """Only supervisors see (and may send) who is allowed to edit."""
    form = cls()
    if not allowed(current_user, Action.SET_MIN_EDIT_ROLE):
        del form.min_edit_role
    return form


def _form_data(form: DocumentForm, doc: Document | None) -> dict:
    """The input model's data from the form. Raises Invalid for a category choice that
    disagrees with the "Nieuwe categorie" field."""
    data = {
        "title": form.title.data or "",
        "body": form.body.data or "",
        "category": editor_form.category_value(form),
        "tags": (form.tags.data or "").split(","),
        "message": form.message.data or "",
        "channel": form.channel.data or None,
    }
    if form.audience.data:  # not sent for scripts, which are always internal
        data["audience"] = form.audience.data
    if doc is None:
        data["kind"] = form.kind.data
        data["slug"] = form.slug.data or None
    # The select shows the current value; only a changed one is a request to change it,
    # so a supervisor who moves a document into `beleid` still gets its floor.
    if "min_edit_role" in form and (doc is None or form.min_edit_role.data != doc.min_edit_role):
        data["min_edit_role"] = form.min_edit_role.data
    return data


def _apply_errors(form: DocumentForm, exc: Invalid) -> None:
    for name, message in exc.errors.items():
        if name == "category" and form.category.data == NEW_CATEGORY:
            name = "new_category"  # the typed name is wrong, not the choice to type one
        field = getattr(form, name, None)
        (field.errors if field is not None else form.form_errors).append(message)


bp.add_url_rule("/documenten", "index", editing_list.index)
bp.add_url_rule("/voorbeeld", "preview", preview.preview, methods=["POST"])


@bp.route("/documenten/nieuw", methods=["GET", "POST"])
def new():
    if not allowed(current_user, Action.CREATE):
        abort(404)
    form = _document_form()
    if request.method == "GET":
        form.slug.data = request.args.get("slug", "")
        form.kind.data = "article"
    if form.validate_on_submit():
        try:
            data = parse(DocumentCreate, _form_data(form, None))
            doc = service.create_document(current_user, data)
        except Invalid as exc:
            _apply_errors(form, exc)
        except Forbidden as exc:
            form.form_errors.append(exc.detail)
        else:
            flash(_("Concept opgeslagen als revisie 1."), "success")
            return redirect(url_for("documents.show", slug=doc.slug))
    status = 422 if request.method == "POST" else 200
    editor_form.set_category_choices(form, current_user)
    return render_template(
        "editing/edit.html", form=form, doc=None, unsaved=request.method == "POST"
    ), status


def _editable(slug: str) -> Document:
    """The document if this editor may edit it; otherwise Forbidden saying why."""
    doc = load_for(current_user, slug, Action.READ_DRAFTS)
    if not allowed(current_user, Action.EDIT, doc):
        raise Forbidden(editor_form.why_not_editable(doc))
    return doc


@bp.route("/artikel/<slug>/bewerken", methods=["GET", "POST"])
def edit(slug: str):
    try:
        doc = _editable(slug)
    except Forbidden as exc:
        doc = load_for(current_user, slug, Action.READ_DRAFTS)
        page = render_template("editing/not_allowed.html", doc=doc, reason=exc.detail)
        return page, 403
    form = _document_form()
    if request.method == "GET":
        current = doc.current  # the newest revision, with its own metadata
        _fill(form, doc, current.title, current.body, current.meta)
        form.base_revision.data = str(doc.current_number)
        editor_form.forget_pending(doc)  # a fresh edit takes over nothing until asked
        form.voorstel.data = request.args.get("voorstel", "")
        return _editor(doc, form)
    form.kind.data = doc.kind
    if form.validate_on_submit():
        try:
            changes = parse(DocumentUpdate, _form_data(form, doc))
            revision = service.save_revision(
                doc, current_user, _number(form.base_revision), changes
            )
        except Conflict as exc:
            # The conflict page does not carry the suggestion: the session does, until saved.
            editor_form.keep_pending(doc, form.voorstel.data)
            return merge_page.render(doc, form, exc.merge)
        except Invalid as exc:
            _apply_errors(form, exc)
        except Forbidden as exc:
            form.form_errors.append(exc.detail)
        else:
            return _saved(doc, revision)
    return _editor(doc, form, 422)


def _fill(form: DocumentForm, doc: Document, title: str, body: str, meta: dict) -> None:
    form.title.data, form.body.data = title, body
    form.audience.data, form.channel.data = meta["audience"], meta["channel"] or ""
    form.category.data, form.tags.data = meta["category"] or "", ", ".join(meta["tags"] or [])
    if "min_edit_role" in form and request.method == "GET":
        form.min_edit_role.data = doc.min_edit_role
    form.kind.data = doc.kind


def _editor(doc: Document, form: DocumentForm, status: int = 200, note: str = ""):
    """The editor. After a POST it shows text that is not saved yet; beside it, the open
    suggestion this edit takes over, if any."""
    if not form.voorstel.data:  # back from the merge page ("bewerken")
        form.voorstel.data = editor_form.pending(doc) or ""
    suggestion, suggestion_note = editor_form.open_suggestion(doc, form.voorstel.data)
    form.voorstel.data = str(suggestion.id) if suggestion else ""
    editor_form.set_category_choices(form, current_user)
    return (
        render_template(
            "editing/edit.html",
            form=form,
            doc=doc,
            note=note,
            suggestion=suggestion,
            suggestion_note=suggestion_note,
            unsaved=request.method == "POST",
            present=presence.describe(presence.others(doc, current_user)),
            heartbeat=presence.HEARTBEAT,
        ),
        status,
    )


def _saved(doc: Document, revision):
    presence.leave(doc, current_user)
    if revision is None:
        flash(_("Er was niets veranderd; er is geen nieuwe revisie gemaakt."), "info")
    else:
        flash(_("Opgeslagen als revisie %(n)d.", n=revision.number), "success")
    taken = request.form.get("voorstel") or editor_form.pending(doc)
    editor_form.forget_pending(doc)
    editor_form.settle_taken(doc, current_user, taken, revision)
    return redirect(url_for("documents.show", slug=doc.slug))


def _number(field) -> int | None:
    try:
        return int(field.data or "")
    except (TypeError, ValueError):
        return None


@bp.route("/artikel/<slug>/samenvoegen", methods=["POST"])
def merge(slug: str):
    """The conflict page's form: save the merge (every overlap decided), open it in the
    editor, or, chosen explicitly, save the edit over the other person's change."""
    doc = load_for(current_user, slug, Action.EDIT)
    form = _document_form(MergeForm)
    form.kind.data = doc.kind
    # CSRF is checked before any view (CSRFProtect; tokens last as long as the session), so
    # what fails here is a form no page of ours sends.
    base, theirs = _number(form.base_revision), _number(form.theirs_revision)
    if not form.validate_on_submit() or theirs is None:
        abort(400)
    try:
        changes = parse(DocumentUpdate, _form_data(form, doc))
    except Invalid as exc:
        _apply_errors(form, exc)
        return _editor(doc, form, 422)
    blocks: dict[int, Choice] = {}
    fields: dict[str, Choice] = {}
    for key, value in request.form.items():
        if value not in CHOICES:
            continue
        if key.startswith("blok-") and key[5:].isdigit():
            blocks[int(key[5:])] = value
        elif key.startswith("veld-"):
            fields[key[5:]] = value
    action = request.form.get("action", "opslaan")
    merged = service.merge_edit(doc, base, service.get_revision(doc, theirs), changes)
    if action == "bewerken":
        try:
            body, values = merged.resolve(blocks, fields)
        except Undecided as exc:
            return _undecided(doc, form, merged, exc.missing)
        _fill(form, doc, values["title"], body, values)
        form.base_revision.data = str(theirs)
        note = _("De samengevoegde tekst, nog niet opgeslagen. Pas hem aan waar nodig en sla op.")
        return _editor(doc, form, note=note)
    try:
        revision = service.save_merge(
            doc, current_user, base, theirs, changes, blocks, fields, action == "overschrijven"
        )
    except Conflict as exc:  # someone saved again meanwhile: merge with that too
        return merge_page.render(doc, form, exc.merge)
    except Invalid as exc:
        undecided = [k for k in exc.errors if k.startswith(("blok-", "veld-"))]
        if undecided:
            return _undecided(doc, form, merged, undecided)
        form.form_errors.extend(exc.errors.values())
        return merge_page.render(doc, form, merged, status=422)
    except Forbidden as exc:
        form.form_errors.append(exc.detail)
        return merge_page.render(doc, form, merged, status=403)
    return _saved(doc, revision)


def _undecided(doc: Document, form: DocumentForm, merged: DocumentMerge, missing: list[str]):
    errors = {name: _("Kies welke versie blijft.") for name in missing}
    return merge_page.render(doc, form, merged, errors, 422)


@bp.route("/artikel/<slug>/aanwezig", methods=["POST"])
def here(slug: str):
    """The editor's heartbeat (CSRF header, like the preview): who else is editing."""
    doc = load_for(current_user, slug, Action.EDIT)
    presence.report(doc, current_user)
    return {"text": presence.describe(presence.others(doc, current_user))}


@bp.route("/artikel/<slug>/publiceren", methods=["POST"])
def publish(slug: str):
    doc = load_for(current_user, slug, Action.EDIT)
    form = RevisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.publish(
            doc, current_user, form.revision.data, acknowledge=bool(form.acknowledge.data)
        )
    except Forbidden as exc:
        flash(exc.detail, "error")
        return redirect(url_for("documents.show", slug=slug))
    flash(_("Revisie %(n)d is gepubliceerd.", n=doc.published_number), "success")
    return redirect(url_for("documents.show", slug=slug))


def _refused(exc: Forbidden, slug: str):
    flash(exc.detail, "error")
    return redirect(url_for("documents.show", slug=slug))


@bp.route("/artikel/<slug>/depubliceren", methods=["POST"])
def unpublish(slug: str):
    try:
        doc = _editable(slug)
    except Forbidden as exc:
        return _refused(exc, slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    service.unpublish(doc, current_user)
    flash(_("Het document is weer een concept."), "info")
    return redirect(url_for("documents.show", slug=slug))


@bp.route("/artikel/<slug>/archiveren", methods=["POST"])
def archive(slug: str):
    try:
        doc = _editable(slug)
    except Forbidden as exc:
        return _refused(exc, slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    service.archive(doc, current_user)
    flash(_("Het document is gearchiveerd."), "info")
    return redirect(url_for("documents.show", slug=slug))


@bp.route("/artikel/<slug>/geschiedenis")
def history(slug: str):
    doc = load_for(current_user, slug, Action.READ_DRAFTS)
    return render_template(
        "editing/history.html",
        doc=doc,
        revisions=list(reversed(doc.revisions)),
        form=RevisionForm(),
    )


@bp.route("/artikel/<slug>/revisie/<int:number>")
def revision(slug: str, number: int):
    doc = load_for(current_user, slug, Action.READ_DRAFTS)
    rev = doc.revision(number) or abort(404)
    return render_template(
        "editing/revision.html",
        doc=doc,
        revision=rev,
        html=resolved_html(rev.html, current_user),
        form=RevisionForm(),
    )


@bp.route("/artikel/<slug>/vergelijk")
def compare(slug: str):
    doc = load_for(current_user, slug, Action.READ_DRAFTS)
    a = request.args.get("van", type=int) or max(doc.current_number - 1, 1)
    b = request.args.get("naar", type=int) or doc.current_number
    old, new = doc.revision(a), doc.revision(b)
    if old is None or new is None:
        abort(404)
    return render_template(
        "editing/diff.html",
        doc=doc,
        old=old,
        new=new,
        lines=diffs.page_lines(old, new),
        rendered=diffs.rendered_diff(old, new, lambda html: resolved_html(html, current_user)),
        numbers=range(1, doc.current_number + 1),
    )


@bp.route("/artikel/<slug>/herstel", methods=["POST"])
def restore(slug: str):
    try:
        doc = _editable(slug)
    except Forbidden as exc:
        flash(exc.detail, "error")
        return redirect(url_for("editing.history", slug=slug))
    form = RevisionForm()
    if not form.validate_on_submit() or not form.revision.data:
        abort(400)
    try:
        rev = service.restore(doc, current_user, form.revision.data)
    except Conflict as exc:
        # Someone saved while this restore ran: nothing was restored and nothing is lost.
        flash(
            _(
                "Revisie %(k)d is niet teruggezet: intussen is het document opgeslagen als "
                "revisie %(n)d. Bekijk die hieronder en zet revisie %(k)d zo nodig opnieuw terug.",
                k=form.revision.data,
                n=exc.current,
            ),
            "error",
        )
        return redirect(url_for("editing.history", slug=slug))
    except Forbidden as exc:
        flash(exc.detail, "error")
        return redirect(url_for("editing.history", slug=slug))
    except Invalid as exc:
        flash(" ".join(exc.errors.values()), "error")
        return redirect(url_for("editing.history", slug=slug))
    flash(
        _("Revisie %(k)d is teruggezet als revisie %(n)d.", k=form.revision.data, n=rev.number),
        "success",
    )
    return redirect(url_for("documents.show", slug=slug))
