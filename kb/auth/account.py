"""'Mijn account': change the own password, list, create and revoke the own API tokens."""

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kb.auth import passwords, service
from kb.auth.forms import PasswordChangeForm, TokenForm
from kb.auth.views import LOGIN_LIMIT, bp, start_session
from kb.errors import Invalid
from kb.extensions import limiter


def _page(status: int = 200, password_form=None, token_form=None, new_token: str = ""):
    g.no_store = True  # the page may show a new token once; no cache may keep it
    return render_template(
        "account/index.html",
        password_form=password_form or PasswordChangeForm(formdata=None),
        token_form=token_form or TokenForm(formdata=None),
        tokens=service.tokens_of(current_user),
        new_token=new_token,
        rules=passwords.rule_text(),
    ), status


@bp.route("/account")
@login_required
def account():
    return _page()


@bp.route("/account/wachtwoord", methods=["POST"])
@login_required
@limiter.limit(LOGIN_LIMIT)  # the current password must not be guessable here either
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            user = service.change_own_password(
                current_user._get_current_object(),  # the User, not the proxy: signed in anew
                form.current.data or "",
                form.password.data or "",
            )
        except Invalid as exc:
            for name, message in exc.errors.items():
                getattr(form, name).errors.append(message)
        else:
            start_session(user)  # the other sessions ended with the change; this one goes on
            flash(
                _("Uw wachtwoord is gewijzigd. Uw andere sessies en API-tokens zijn beëindigd."),
                "success",
            )
            return redirect(url_for("auth.account"))
    return _page(422, password_form=form)


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(422, token_form=form)
    token = service.issue_token(current_user, current_user, form.name.data or "")
    return _page(201, new_token=token)


@bp.route("/account/tokens/<int:token_id>/intrekken", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    me = current_user._get_current_object()
    row = service.revoke_token(me, token_id, owner=me)  # NotFound for another's token
    flash(_("Token '%(name)s' is ingetrokken.", name=row.name or row.id), "success")
    return redirect(url_for("auth.account"))
