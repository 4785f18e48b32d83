"""'Mijn account': change the own password, list, create and revoke the own API tokens, choose
the interface language; and the footer's language switch, for everyone.

The switch stores a signed-in user's choice on the account and, for everyone, in the
``kb_lang`` cookie (``kb.extensions.LANGUAGE_COOKIE``): a preference, not tracking. It holds
only a language code, is never sent to anyone else and keeps the choice after signing out.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kb.auth import passwords, preferences, service
from kb.auth.forms import LanguageForm, PasswordChangeForm, TokenForm
from kb.auth.views import LOGIN_LIMIT, bp, start_session
from kb.errors import Invalid
from kb.extensions import LANGUAGE_COOKIE, chosen_language, limiter, offered_locales
from kb.i18n import LANGUAGE_NAMES

LANGUAGE_COOKIE_AGE = timedelta(days=365)


def _page(
    status: int = 200, password_form=None, token_form=None, new_token: str = "", language_form=None
):
    g.no_store = True  # the page may show a new token once; no cache may keep it
    return render_template(
        "account/index.html",
        password_form=password_form or PasswordChangeForm(formdata=None),
        token_form=token_form or TokenForm(formdata=None),
        language_form=language_form
        or LanguageForm(formdata=None, data={"language": current_user.language or ""}),
        tokens=service.tokens_of(current_user),
        new_token=new_token,
        rules=passwords.rule_text(),
    ), status


@bp.app_context_processor
def language_switch_context() -> dict:
    """For the footer's switch (templates/_language_switch.html) and <html lang> on every page."""
    return {
        "offered_locales": offered_locales(),
        "language_names": LANGUAGE_NAMES,
        "current_language": chosen_language,
        "get_locale": _html_lang,  # base.html: <html lang="{{ get_locale() }}">
    }


def _html_lang() -> str:
    """The page's locale as a BCP 47 tag (en-GB, nl), as the lang attribute wants it."""
    return str(get_locale() or "nl").replace("_", "-")


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


@bp.route("/account/taal", methods=["POST"])
@login_required
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        return _page(422, language_form=form)
    choice = form.language.data or None
    preferences.set_language(current_user, choice)
    refresh()  # the confirmation below is already in the new language
    flash(_("Uw taalkeuze is opgeslagen."), "success")
    return _remember_language(redirect(url_for("auth.account")), choice)


@bp.route("/taal", methods=["POST"])
def switch_language():
    """The footer's switch: the chosen language from now on, back on the page it was on (the
    Referer: the form carries no address, so it is the same on every page, error pages too)."""
    form = LanguageForm()
    back = redirect(_same_site_page(request.referrer))
    if not form.validate_on_submit() or not form.language.data:
        return back
    choice = form.language.data
    if current_user.is_authenticated:
        preferences.set_language(current_user, choice)
    return _remember_language(back, choice)


def _remember_language(response, choice: str | None):
    """The choice in the kb_lang cookie, so it outlives the session; None removes it."""
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    if choice is None:
        response.delete_cookie(LANGUAGE_COOKIE, httponly=True, secure=secure, samesite="Lax")
    else:
        response.set_cookie(
            LANGUAGE_COOKIE,
            choice,
            max_age=LANGUAGE_COOKIE_AGE,
            httponly=True,
            secure=secure,
            samesite="Lax",
        )
    return response


def _same_site_page(referrer: str | None) -> str:
    """The path and query of a page on this site to return to (never another host), else the
    home page."""
    parts = urlsplit(referrer or "")
    if parts.netloc == request.host and parts.scheme in ("http", "https") and parts.path:
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return url_for("documents.home")
