"""A user's own preferences: the interface language (users.language)."""

from flask_babel import gettext as _

from kb.auth.models import User
from kb.db import unit_of_work
from kb.errors import Invalid
from kb.extensions import LOCALES


def set_language(user: User, language: str | None) -> User:
    """Store the interface language the user chose; None (or '') follows the browser.

    Not audited: a display preference changes no one's access or data.
    Raises Invalid for a language kb has no interface in.
    """
    language = language or None
    if language is not None and language not in LOCALES:
        raise Invalid({"language": _("Kies een van: %(options)s.", options=", ".join(LOCALES))})
    with unit_of_work():
        user.language = language
    return user
