"""The editor's live preview (POST /voorbeeld), a view of the ``editing`` blueprint."""

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user

from kb.documents import markdown, render_slots
from kb.documents.models import MAX_BODY
from kb.documents.policy import Action, require
from kb.documents.service import resolved_html
from kb.errors import Invalid


def preview():
    """Live preview for the editor; protected by the CSRF header the page's script sends."""
    require(current_user, Action.CREATE)
    body = request.form.get("body", "")
    if len(body) > MAX_BODY:
        return {"error": _("De tekst is te lang.")}, 422
    slots = int(current_app.config.get("KB_PREVIEW_SLOTS", 1))
    try:
        with render_slots.preview_slot(current_app.config["KB_DATA_DIR"], current_user.id, slots):
            html = markdown.render(body)
    except render_slots.Busy as exc:
        return {"error": exc.detail, "retry": True}, 429, {"Retry-After": "1"}
    except Invalid as exc:
        return {"error": " ".join(exc.errors.values())}, 422
    return {"html": str(resolved_html(html, current_user))}
