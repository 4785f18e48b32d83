"""Accounts and the audit log; admins only, everyone else gets a 404."""

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kb.admin.forms import RoleForm, UserForm
from kb.audit import sentences as audit_sentences
from kb.audit import service as audit
from kb.auth import service as accounts
from kb.auth.models import Role
from kb.db import utcnow
from kb.documents.forms import ROLE_LABELS
from kb.documents.policy import Action, allowed
from kb.errors import Forbidden, Invalid

bp = Blueprint("admin", __name__, url_prefix="/beheer")


@bp.before_request
@login_required
def require_admin():
    if not allowed(current_user, Action.MANAGE_USERS):
        abort(404)


@bp.route("/gebruikers")
def users():
    return render_template(
        "admin/users.html", users=accounts.all_users(), form=RoleForm(), now=utcnow()
    )


@bp.route("/gebruikers/nieuw", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                current_user,
                form.email.data or "",
                form.role.data,
                form.password.data or None,
                form.name.data or "",
            )
        except Invalid as exc:
            for name, message in exc.errors.items():
                getattr(form, name).errors.append(message)
        else:
            flash(_("Account %(email)s aangemaakt.", email=user.email), "success")
            if not form.password.data:
                return invitation_page(user, accounts.invite(current_user, user))
            return redirect(url_for("admin.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_new.html", form=form), status


def invitation_page(user, secret: str):
    """Show an invitation link once (it is stored hashed), never cached."""
    g.no_store = True
    link = url_for("auth.accept_invite", secret=secret, _external=True)
    return render_template("admin/invitation.html", user=user, link=link), 201


@bp.route("/gebruikers/<int:user_id>/rol", methods=["POST"])
def set_role(user_id: int):
    user = accounts.get_by_id(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        accounts.set_role(current_user, user, form.role.data)
    except (Forbidden, Invalid) as exc:
        flash(exc.detail, "error")
        return redirect(url_for("admin.users"))
    role = str(ROLE_LABELS[Role(user.role)]).lower()  # "redacteur", as the audit log says it
    flash(_("%(email)s is nu %(role)s.", email=user.email, role=role), "success")
    return redirect(url_for("admin.users"))


AUDIT_PAGE_SIZE = 50
AUDIT_MAX_PAGE = 1_000_000  # beyond it the offset would not fit a database integer
AUDIT_TARGET_TYPES = ("document", "review", "comment", "user", "login", "ticket", "request")


@bp.route("/audit")
def audit_log():
    """The audit log as Dutch sentences, newest first, filtered by actor, action, target and
    period, 50 per page; the filters stay in the page links."""
    args = _audit_args()
    filters = audit.Filters(
        actor_id=int(args["actor"]) if args["actor"] else None,
        action=args["action"],
        target_type=args["target_type"],
        target_id=audit.target_key(args["target_type"], args["target"]),
        date_from=_audit_date(args["from"]),
        date_to=_audit_date(args["to"]),
    )
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    if page > AUDIT_MAX_PAGE:
        abort(400)
    found = audit.search(filters, limit=AUDIT_PAGE_SIZE + 1, offset=(page - 1) * AUDIT_PAGE_SIZE)
    events = found[:AUDIT_PAGE_SIZE]
    kept = {k: v for k, v in args.items() if v}
    return render_template(
        "admin/audit.html",
        rows=list(zip(events, audit_sentences.sentences(events), strict=True)),
        users=accounts.all_users(),
        groups=audit_sentences.grouped_actions(),
        action_label=audit_sentences.action_label,
        target_types=AUDIT_TARGET_TYPES,
        args=args,
        kept=kept,
        page=page,
        has_more=len(found) > AUDIT_PAGE_SIZE,
    )


def _audit_args() -> dict[str, str]:
    """The audit page's filters from the query string; values it cannot use are dropped."""
    get = request.args.get
    actor = (get("actor") or "").strip()
    action = (get("action") or "").strip()
    target_type = (get("target_type") or "").strip()
    return {
        "actor": actor if actor.isdigit() and len(actor) < 10 else "",
        "action": action if action in audit_sentences.ACTIONS else "",
        "target_type": target_type if target_type in AUDIT_TARGET_TYPES else "",
        "target": (get("target") or "").strip()[:160],
        "from": (get("from") or "").strip() if _audit_date(get("from")) else "",
        "to": (get("to") or "").strip() if _audit_date(get("to")) else "",
    }


def _audit_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


from kb.admin import accounts as _account_pages  # noqa: E402,F401  (routes on this blueprint)
