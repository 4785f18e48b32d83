"""Blueprint registration (an explicit list), template helpers and security headers."""

from flask import Flask, g
from flask_login import current_user

BLUEPRINTS = (
    "kb.auth.views:bp",
    "kb.documents.views:bp",
    "kb.documents.editing:bp",
    "kb.console.views:bp",
    "kb.tickets.views:bp",
    "kb.dashboard.views:bp",
    "kb.admin.views:bp",
    "kb.documents.review_views:bp",
    "kb.documents.ack_views:bp",
    "kb.feedback.views:bp",
    "kb.api:bp",
    "kb.api.openapi:bp",
)

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


def register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for spec in BLUEPRINTS:
        module, name = spec.split(":")
        app.register_blueprint(getattr(import_module(module), name))


def register_filters(app: Flask) -> None:
    from flask_babel import format_datetime

    from kb.documents import forms
    from kb.documents.policy import Action, allowed

    labels = {
        "kind": forms.KIND_LABELS,
        "audience": forms.AUDIENCE_LABELS,
        "channel": forms.CHANNEL_LABELS,
        "role": forms.ROLE_LABELS,
        "status": forms.STATUS_LABELS,
    }

    @app.context_processor
    def inject_permissions():
        return {
            "labels": labels,
            "can_edit": lambda doc=None: allowed(
                current_user, Action.EDIT if doc is not None else Action.CREATE, doc
            ),
            "sees_drafts": allowed(current_user, Action.READ_DRAFTS),
            "is_admin": allowed(current_user, Action.MANAGE_USERS),
            "is_agent": allowed(current_user, Action.COMMENT),
            "uses_console": allowed(current_user, Action.USE_CONSOLE),
        }

    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if g.get("no_store"):
            response.headers["Cache-Control"] = "no-store"
        return response
