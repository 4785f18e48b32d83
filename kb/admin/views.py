"""Accounts and the audit log; admins only, everyone else gets a 404."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kb.admin.forms import RoleForm, UserForm
from kb.audit import service as audit
from kb.auth import service as accounts
from kb.db import utcnow
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
    flash(_("%(email)s is nu %(role)s.", email=user.email, role=user.role), "success")
    return redirect(url_for("admin.users"))


@bp.route("/audit")
def audit_log():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    events = audit.recent(limit=100, offset=(page - 1) * 100)
    actors = {u.id: u.email for u in accounts.all_users()}
    return render_template("admin/audit.html", events=events, actors=actors, page=page)


from kb.admin import accounts as _account_pages  # noqa: E402,F401  (routes on this blueprint)
