"""Sign in and out, invitations, and the session's user loader (with its generation check)."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from kb.auth import passwords, service, signin
from kb.auth.forms import LoginForm, NewPasswordForm
from kb.auth.models import Anonymous, User
from kb.documents.policy import Action, allowed
from kb.errors import Invalid
from kb.extensions import limiter, login_manager

bp = Blueprint("auth", __name__)

login_manager.anonymous_user = Anonymous
# Per address, across workers when KB_REDIS_URL is set; the per-account lock is in signin.
LOGIN_LIMIT = "10 per minute; 50 per hour"
# Pages a user with a one-time password may still open before choosing his own.
OPEN_WITH_ONE_TIME_PASSWORD = (
    "auth.account",
    "auth.change_password",
    "auth.logout",
    "auth.set_language",
    "auth.switch_language",
    "static",
)


@login_manager.user_loader
def load_user(alt_id: str) -> User | None:
    return signin.load_session_user(alt_id)


def _address() -> str:
    return request.remote_addr or ""


def _safe_next(target: str | None, user: User) -> str:
    """Where to go after logging in: the page asked for, else the agent's console."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    if allowed(user, Action.USE_CONSOLE):
        return url_for("console.index")
    return url_for("documents.home")


def start_session(user: User) -> None:
    """A fresh session for this user: nothing from before (CSRF token included) carries over."""
    session.clear()
    login_user(user)


def _on_throttle(_limit) -> None:
    signin.throttled(request.form.get("email", ""), _address())


@bp.before_app_request
def one_time_password_gate():
    """A user signed in with an admin's one-time password chooses his own first."""
    if (
        request.endpoint not in OPEN_WITH_ONE_TIME_PASSWORD
        and not request.path.startswith("/api/")
        and getattr(current_user, "must_change_password", False)
    ):
        flash(_("Kies eerst een eigen wachtwoord."), "info")
        return redirect(url_for("auth.account"))
    return None


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"], on_breach=_on_throttle)
def login():
    form = LoginForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            user = service.authenticate(form.email.data or "", form.password.data or "", _address())
            if user is not None:
                start_session(user)
                if user.must_change_password:
                    return redirect(url_for("auth.account"))
                return redirect(_safe_next(request.args.get("next"), user))
            # One answer for an unknown e-mail, a wrong password and a locked account.
            refused = _(
                "Onbekend e-mailadres of onjuist wachtwoord. "
                "Na herhaalde fouten moet u enkele minuten wachten."
            )
            form.password.errors = [*form.password.errors, refused]
    return render_template("auth/login.html", form=form), status


@bp.route("/uitloggen", methods=["POST"])
@login_required
def logout():
    service.sign_out(current_user)
    logout_user()
    session.clear()
    flash(_("U bent uitgelogd."), "info")
    return redirect(url_for("documents.home"))


@bp.route("/uitnodiging/<secret>", methods=["GET", "POST"])
def accept_invite(secret: str):
    """Choose a password from an admin's invitation link; signs in on success."""
    g.no_store = True
    user = service.user_for_invite(secret)  # NotFound: a Dutch 404 page
    form = NewPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = service.accept_invite(secret, form.password.data or "")
        except Invalid as exc:
            form.password.errors = [*form.password.errors, *exc.errors.values()]
        else:
            start_session(user)
            flash(_("Welkom! Uw wachtwoord is ingesteld."), "success")
            return redirect(_safe_next(None, user))
    if request.method == "POST":
        status = 422
    return render_template(
        "auth/invite.html", form=form, user=user, rules=passwords.rule_text()
    ), status


from kb.auth import account  # noqa: E402,F401  (the own account page's routes on this blueprint)
