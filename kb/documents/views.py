"""Reading pages: home, search, categories, a document, votes and comments; editors remove
a document's learned customer phrases here too."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kb import page_cache
from kb.documents import reading, related, toc, views_count
from kb.documents.contact import contact
from kb.documents.forms import CommentForm, VoteForm
from kb.documents.models import Status
from kb.documents.policy import Action, allowed, load_for, sees_drafts
from kb.documents.schemas import parse
from kb.documents.service import resolved_html
from kb.errors import Invalid
from kb.feedback import service as feedback
from kb.feedback import vote_limit
from kb.feedback.forms import FollowUpForm
from kb.feedback.schemas import CommentCreate, VoteFollowUp
from kb.search import learned
from kb.search import searching as search

bp = Blueprint("documents", __name__)


@bp.app_context_processor
def help_centre():
    """``help_contact()`` for every page (error pages too): the customer contact channels."""
    return {"help_contact": contact}


@bp.route("/")
def home():
    return render_template(
        "documents/home.html",
        categories=reading.categories(current_user),
        popular=reading.popular(current_user),
        contact=contact(),
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
        if q:
            page_cache.hit_logs_search(q, results.total)
    slugs = [r.slug for r in results.results] if results else []
    empty = results is not None and results.total == 0
    return render_template(
        "documents/search.html",
        q=q,
        results=results,
        filters=filters,
        drafts=drafts,
        audience=reading.audiences(current_user, slugs),
        # Where to go next when nothing was found: topics and what others read.
        categories=reading.categories(current_user) if empty else [],
        popular=reading.popular(current_user, 5) if empty else [],
        contact=contact() if results is None or empty else None,
    )


@bp.route("/zoeken/suggesties")
def suggest():
    """Search-as-you-type for the pages, as the logged-in user (the API takes tokens only)."""
    q = request.args.get("q", "")[:100]
    hits = search.suggest(current_user, q) if q.strip() else []
    audience = reading.audiences(current_user, [h.slug for h in hits])
    return {
        "query": q,
        "suggestions": [
            {
                "slug": h.slug,
                "kind": h.kind,
                "channel": h.channel,
                "audience": audience.get(h.slug, "public"),
                "title": h.title,
                "url": h.url,
            }
            for h in hits
        ],
    }


@bp.route("/categorie/<category>")
def category(category: str):
    page = max(request.args.get("pagina", 1, type=int) or 1, 1)
    listed = reading.in_category(current_user, category, min(page, 10_000))
    if not listed.total:
        abort(404)
    return render_template(
        "documents/category.html",
        category=reading.label(category),
        slug=category,
        description=reading.description_of([category]).get(category, ""),
        docs=listed.items,
        listed=listed,
    )


@bp.route("/artikel/<slug>")
def show(slug: str):
    doc = load_for(current_user, slug)
    drafts = sees_drafts(current_user)
    revision = doc.current if drafts else doc.published
    assert revision is not None  # readers without drafts only load published documents
    comments = feedback.comments_for(doc) if allowed(current_user, Action.COMMENT) else []
    html = resolved_html(revision.html, current_user)
    page = render_template(
        "documents/show.html",
        doc=doc,
        revision=revision,
        title=doc.title_for(drafts),
        html=html,
        contents=toc.table_of_contents(html) if doc.kind == "article" else [],
        related=related.related(current_user, doc) if doc.kind == "article" else [],
        contact=contact(),
        voted=doc.id in session.get("voted", []),
        vote_form=VoteForm(),
        comment_form=CommentForm(),
        comments=comments,
        votes=feedback.vote_counts(doc) if drafts else None,
        learned_terms=learned.shown(doc) if learned.may_manage(current_user) else [],
    )
    # Counted once the page is rendered: a failed count is logged and the page still served.
    if views_count.counts(request):
        views_count.record(doc)
    if doc.status == Status.PUBLISHED:
        page_cache.hit_counts_read(doc.id)
    return page


@bp.route("/artikel/<slug>/klantwoorden/<int:term_id>/verwijderen", methods=["POST"])
@login_required
def remove_learned(slug: str, term_id: int):
    """An editor stops the document being found by one learned customer phrase."""
    doc = load_for(current_user, slug)
    if not learned.may_manage(current_user):
        abort(404)  # agents never learn that these phrases exist
    term = learned.remove(doc, current_user, term_id)
    flash(_("'%(phrase)s' vindt dit document niet meer.", phrase=term.phrase), "success")
    return redirect(url_for("documents.show", slug=slug))


@bp.route("/artikel/<slug>/stem", methods=["POST"])
def vote(slug: str):
    """A "Ja" or "Nee": once per document per browser session, and per reader per day
    (kb.feedback.vote_limit). After a "Nee" the section asks
    "Wat zocht u?"; that answer is posted here too (``wanted``, no ``helpful``) and stored with
    the vote, which the session remembers by id in ``asked`` (0 once answered)."""
    doc = load_for(current_user, slug)
    back = redirect(url_for("documents.show", slug=slug, _anchor="nuttig"))
    asked = {k: v for k, v in session.get("asked", {}).items() if isinstance(v, int)}
    if "helpful" not in request.form:
        follow = FollowUpForm()
        vote_id = asked.get(str(doc.id))
        if not follow.validate_on_submit() or not vote_id:
            abort(400)
        try:
            answer = parse(VoteFollowUp, {"wanted": follow.wanted.data or ""})
        except Invalid as exc:
            flash(" ".join(exc.errors.values()), "error")
            return back
        feedback.follow_up(doc, vote_id, answer)
        session["asked"] = {**asked, str(doc.id): 0}
        flash(_("Dank u wel. Hiermee maken we de kennisbank beter."), "success")
        return back
    form = VoteForm()
    if not form.validate_on_submit():
        abort(400)
    voted = session.get("voted", [])
    if doc.id not in voted:
        refused = vote_limit.take(doc.slug, current_user, browser=True)
        if refused is not None:
            flash(
                _("U heeft vandaag al gestemd op dit artikel.")
                if refused.per_document
                else _("Er is vanaf uw verbinding te vaak gestemd. Probeer het later opnieuw."),
                "error",
            )
            session["voted"] = [*voted, doc.id][-200:]  # no buttons that cannot count
            return back
        cast = feedback.vote(doc, form.helpful.data == "ja")
        session["voted"] = [*voted, doc.id][-200:]
        if not cast.is_helpful:
            asked[str(doc.id)] = cast.id
            session["asked"] = dict(list(asked.items())[-20:])
    flash(_("Bedankt voor uw reactie!"), "success")
    return back


@bp.route("/artikel/<slug>/reactie", methods=["POST"])
@login_required
def comment(slug: str):
    doc = load_for(current_user, slug, Action.COMMENT)
    form = CommentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        data = parse(CommentCreate, {"body": form.body.data, "kind": form.kind.data})
        feedback.add_comment(doc, current_user, data)
    except Invalid as exc:
        flash(" ".join(exc.errors.values()), "error")
    else:
        flash(_("Uw reactie is geplaatst."), "success")
    return redirect(url_for("documents.show", slug=slug, _anchor="reacties"))
