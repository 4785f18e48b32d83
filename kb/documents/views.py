"""Reading pages: home, search, categories, a document, votes and comments."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func

from kb.documents.forms import CommentForm, VoteForm
from kb.documents.models import Document
from kb.documents.policy import can_comment, get_visible_or_404, sees_drafts, visible_documents
from kb.documents.service import resolved_html
from kb.errors import Invalid
from kb.extensions import db
from kb.feedback import service as feedback
from kb.feedback.models import Vote
from kb.search import searching as search

bp = Blueprint("documents", __name__)


def categories(user) -> list[tuple[str, str, int]]:
    query = (
        visible_documents(user)
        .where(Document.kind == "article", Document.status == "published", Document.category != "")
        .with_only_columns(Document.category, func.count())
        .group_by(Document.category)
        .order_by(Document.category)
    )
    return [(c, c.replace("-", " ").capitalize(), n) for c, n in db.session.execute(query)]


@bp.route("/")
def home():
    helpful = (
        db.select(Vote.document_id, func.count().label("n"))
        .where(Vote.is_helpful.is_(True))
        .group_by(Vote.document_id)
        .subquery()
    )
    popular = db.session.scalars(
        visible_documents(current_user)
        .where(Document.kind == "article", Document.status == "published")
        .outerjoin(helpful, helpful.c.document_id == Document.id)
        .order_by(func.coalesce(helpful.c.n, 0).desc(), Document.published_at.desc())
        .limit(8)
    ).all()
    return render_template(
        "documents/home.html", categories=categories(current_user), popular=popular
    )


@bp.route("/zoeken")
def search_page():
    q = request.args.get("q", "").strip()[:200]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    filters = {
        name: value
        for name in search.FILTERS
        if (value := request.args.get(name, "").strip()) and len(value) <= 60
    }
    drafts = sees_drafts(current_user) and request.args.get("concepten") == "1"
    results = None
    if q or filters:
        results = search.search(
            current_user, q, filters=filters, page=min(page, 500), include_drafts=drafts
        )
    return render_template(
        "documents/search.html", q=q, results=results, filters=filters, drafts=drafts
    )


@bp.route("/zoeken/suggesties")
def suggest():
    """Search-as-you-type for the pages, as the logged-in user (the API takes tokens only)."""
    q = request.args.get("q", "")[:100]
    hits = search.suggest(current_user, q) if q.strip() else []
    return {
        "query": q,
        "suggestions": [
            {"slug": h.slug, "kind": h.kind, "title": h.title, "url": h.url} for h in hits
        ],
    }


@bp.route("/categorie/<category>")
def category(category: str):
    docs = db.session.scalars(
        visible_documents(current_user)
        .where(Document.category == category, Document.status == "published")
        .order_by(Document.kind, Document.published_title)
    ).all()
    if not docs:
        abort(404)
    return render_template(
        "documents/category.html", category=category.replace("-", " ").capitalize(), docs=docs
    )


@bp.route("/artikel/<slug>")
def show(slug: str):
    doc = get_visible_or_404(slug, current_user)
    drafts = sees_drafts(current_user)
    revision = doc.current if drafts else doc.published
    comments = feedback.comments_for(doc) if can_comment(current_user) else []
    return render_template(
        "documents/show.html",
        doc=doc,
        revision=revision,
        title=doc.title_for(drafts),
        html=resolved_html(revision.html, current_user),
        voted=doc.id in session.get("voted", []),
        vote_form=VoteForm(),
        comment_form=CommentForm(),
        comments=comments,
        votes=feedback.vote_counts(doc) if drafts else None,
    )


@bp.route("/artikel/<slug>/stem", methods=["POST"])
def vote(slug: str):
    doc = get_visible_or_404(slug, current_user)
    form = VoteForm()
    if not form.validate_on_submit():
        abort(400)
    voted = session.get("voted", [])
    if doc.id not in voted and doc.status == "published":
        feedback.vote(doc, form.helpful.data == "ja")
        session["voted"] = [*voted, doc.id][-200:]
    flash(_("Bedankt voor uw reactie!"), "success")
    return redirect(url_for("documents.show", slug=slug, _anchor="nuttig"))


@bp.route("/artikel/<slug>/reactie", methods=["POST"])
@login_required
def comment(slug: str):
    doc = get_visible_or_404(slug, current_user)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            feedback.add_comment(doc, current_user, form.body.data, form.kind.data)
        except Invalid as exc:
            flash(" ".join(exc.errors.values()), "error")
        else:
            flash(_("Uw reactie is geplaatst."), "success")
    else:
        flash(_("Schrijf een reactie van hoogstens 5000 tekens."), "error")
    return redirect(url_for("documents.show", slug=slug, _anchor="reacties"))


from kb.documents import editing  # noqa: E402,F401  (registers the editing routes on bp)
