"""The ways a customer reaches Polderlink ("Neem contact op"), for the article, search, home
and error pages. Set by configuration; the defaults are Polderlink's channels as the public
article `contact-en-openingstijden` describes them.

Keys (app config; an empty string hides that channel):
KB_CONTACT_PHONE, KB_CONTACT_PHONE_HOURS, KB_CONTACT_OUTAGE_PHONE, KB_CONTACT_OUTAGE_HOURS,
KB_CONTACT_CHAT_URL, KB_CONTACT_CHAT_HOURS, KB_CONTACT_EMAIL, KB_CONTACT_FORM_URL,
KB_CONTACT_FORM_HOURS, KB_CONTACT_PAGE_URL.
A URL left unset points to the public article about that channel (content/ ships them).
Nothing here reads the database, so error pages can show the channels too.
"""

import re
from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import gettext as _

PHONE = "0800-1234567"
OUTAGE_PHONE = "0800-1234568"
# Public articles that explain a channel, linked when the URL is not configured.
ARTICLES = {
    "chat": "chatten-met-klantenservice",
    "form": "contactformulier-en-social-media",
    "page": "contact-en-openingstijden",
}


@dataclass(frozen=True)
class Channel:
    key: str  # phone, outage, chat, email, form: the CSS class and the test hook
    label: str  # what to do: "Bel ons"
    value: str  # what to show: the number, address or link text
    href: str
    note: str = ""  # when, how fast, what it costs


@dataclass(frozen=True)
class Contact:
    channels: list[Channel]
    page_url: str  # all channels and opening hours; "" when there is no such page


def _setting(key: str, default: str | None) -> str | None:
    value = current_app.config.get(key)
    return default if value is None else str(value).strip()


def _articles() -> dict[str, str]:
    """Channel key -> URL of the public article about it."""
    return {key: url_for("documents.show", slug=slug) for key, slug in ARTICLES.items()}


def _tel(number: str) -> str:
    digits = re.sub(r"[^\d+]", "", number)
    return f"tel:{digits}"


def contact() -> Contact:
    """The channels to show, in the order a customer would try them."""
    articles = _articles()
    channels: list[Channel] = []
    phone = _setting("KB_CONTACT_PHONE", PHONE)
    if phone:
        hours = _setting("KB_CONTACT_PHONE_HOURS", None)
        note = _("gratis, ma–vr 8.00–21.00, za 9.00–17.00") if hours is None else hours
        channels.append(Channel("phone", _("Bel de klantenservice"), phone, _tel(phone), note))
    chat = _setting("KB_CONTACT_CHAT_URL", articles.get("chat", ""))
    if chat:
        hours = _setting("KB_CONTACT_CHAT_HOURS", None)
        note = _("ma–vr 8.00–21.00, za 9.00–17.00") if hours is None else hours
        channels.append(Channel("chat", _("Chat"), _("Chat met een medewerker"), chat, note))
    email = _setting("KB_CONTACT_EMAIL", "")
    if email:
        channels.append(
            Channel("email", _("E-mail"), email, f"mailto:{email}", _("antwoord binnen 1 werkdag"))
        )
    form = _setting("KB_CONTACT_FORM_URL", articles.get("form", ""))
    if form:
        hours = _setting("KB_CONTACT_FORM_HOURS", None)
        note = _("antwoord binnen 24 uur (1 werkdag)") if hours is None else hours
        channels.append(
            Channel(
                "form",
                _("Bericht"),
                _("Stuur ons een bericht via het contactformulier"),
                form,
                note,
            )
        )
    outage = _setting("KB_CONTACT_OUTAGE_PHONE", OUTAGE_PHONE)
    if outage:
        hours = _setting("KB_CONTACT_OUTAGE_HOURS", None)
        note = _("storingen, dag en nacht") if hours is None else hours
        channels.append(Channel("outage", _("Storingslijn"), outage, _tel(outage), note))
    page = _setting("KB_CONTACT_PAGE_URL", articles.get("page", "")) or ""
    return Contact(channels, page)
