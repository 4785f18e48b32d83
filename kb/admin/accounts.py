"""One account for an admin: (de)activate, lift a lock, one-time password, invitation, tokens."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kb.admin.forms import OneTimePasswordForm
from kb.admin.views import bp, invitation_page
from kb.auth import passwords
from kb.auth import service as accounts
from kb.db import utcnow
from kb.errors import Forbidden, Invalid


def _back(user_id: int):
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/gebruikers/<int:user_id>")
def user(user_id: int, form: OneTimePasswordForm | None = None, status: int = 200):
    account = accounts.get_by_id(user_id)
    return render_template(
        "admin/user.html",
        user=account,
        tokens=accounts.tokens_of(account),
        form=form or OneTimePasswordForm(formdata=None),
        rules=passwords.rule_text(),
        now=utcnow(),
        is_self=account.id == current_user.id,
    ), status


@bp.route("/gebruikers/<int:user_id>/uitschakelen", methods=["POST"])
def deactivate(user_id: int):
    account = accounts.get_by_id(user_id)
    try:
        accounts.set_active(current_user, account, False)
    except Forbidden as exc:
        flash(exc.detail, "error")
    else:
        flash(_("%(email)s is uitgeschakeld.", email=account.email), "success")
    return _back(user_id)


@bp.route("/gebruikers/<int:user_id>/inschakelen", methods=["POST"])
def reactivate(user_id: int):
    account = accounts.set_active(current_user, accounts.get_by_id(user_id), True)
    flash(_("%(email)s is weer actief.", email=account.email), "success")
    return _back(user_id)


@bp.route("/gebruikers/<int:user_id>/ontgrendelen", methods=["POST"])
def unlock(user_id: int):
    account = accounts.unlock(current_user, accounts.get_by_id(user_id))
    flash(_("%(email)s kan weer inloggen.", email=account.email), "success")
    return _back(user_id)


@bp.route("/gebruikers/<int:user_id>/eenmalig-wachtwoord", methods=["POST"])
def one_time_password(user_id: int):
    account = accounts.get_by_id(user_id)
    form = OneTimePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password(current_user, account, form.password.data or "", one_time=True)
        except Invalid as exc:
            form.password.errors = [*form.password.errors, *exc.errors.values()]
        else:
            flash(
                _(
                    "Eenmalig wachtwoord ingesteld voor %(email)s: na het inloggen kiest "
                    "de gebruiker een eigen wachtwoord.",
                    email=account.email,
                ),
                "success",
            )
            return _back(user_id)
    return user(user_id, form=form, status=422)


@bp.route("/gebruikers/<int:user_id>/uitnodiging", methods=["POST"])
def invite(user_id: int):
    account = accounts.get_by_id(user_id)
    return invitation_page(account, accounts.invite(current_user, account))


@bp.route("/gebruikers/<int:user_id>/tokens/<int:token_id>/intrekken", methods=["POST"])
def revoke_token(user_id: int, token_id: int):
    row = accounts.revoke_token(current_user, token_id, owner=accounts.get_by_id(user_id))
    flash(_("Token '%(name)s' is ingetrokken.", name=row.name or row.id), "success")
    return _back(user_id)
