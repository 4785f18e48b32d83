"""Log in and out; the user loader for sessions."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from kb.auth import service
from kb.auth.forms import LoginForm
from kb.auth.models import Anonymous, User
from kb.documents.policy import Action, allowed
from kb.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__)

login_manager.anonymous_user = Anonymous


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.is_active else None


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


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login():
    form = LoginForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            user = service.authenticate(form.email.data or "", form.password.data or "")
            if user is not None:
                login_user(user)
                return redirect(_safe_next(request.args.get("next"), user))
            form.password.errors = [
                *form.password.errors,
                _("Onbekend e-mailadres of onjuist wachtwoord."),
            ]
    return render_template("auth/login.html", form=form), status


@bp.route("/uitloggen", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("U bent uitgelogd."), "info")
    return redirect(url_for("documents.home"))
