"""English interface: the catalogue covers every Dutch msgid in the sources, and a reader gets
English by the account's setting, the footer switch (kb_lang cookie) or Accept-Language, with
dates in their language; document content stays in its own language."""

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kb.auth.models import User
from kb.extensions import _offered, db
from tests.helpers import login

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "kb" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}  # as `make translations`
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|(?<!\{)\{\w+\}(?!\})")  # %(n)d, {n}; not {{field}}
UPDATE = "run `make translations`, then translate the new entries in " + str(PO.relative_to(ROOT))


def _catalogue():
    with PO.open("rb") as f:
        return read_po(f, locale="en")


def _key(message) -> str | tuple[str, ...]:
    return tuple(message) if isinstance(message, (list, tuple)) else message


def _source_messages() -> dict:
    """msgid (a tuple for plurals) -> where it is used, from babel.cfg's sources."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    wanted = (str(ROOT / "kb"), str(ROOT / "templates"))
    found: dict = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=lambda path: path.startswith(wanted),
    ):
        key = _key(message)
        if isinstance(key, tuple):
            key = tuple(part for part in key if part is not None)
        if key and all(key):
            found.setdefault(key, f"{filename}:{lineno}")
    return found


# ---- the catalogue -------------------------------------------------------------------------


def test_catalogue_has_every_msgid_of_the_sources():
    in_catalogue = {_key(m.id) for m in _catalogue() if m.id}
    missing = {k: where for k, where in _source_messages().items() if k not in in_catalogue}
    assert missing == {}, f"msgids missing from the English catalogue: {UPDATE}"


def test_catalogue_every_msgid_translated_not_fuzzy():
    untranslated, fuzzy, placeholders = [], [], []
    for m in _catalogue():
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, (list, tuple)) else (m.string,)
        if not all(s and s.strip() for s in strings):
            untranslated.append(m.id)
        if m.fuzzy:
            fuzzy.append(m.id)
        ids = m.id if isinstance(m.id, (list, tuple)) else (m.id,)
        want = set(PLACEHOLDER.findall(" ".join(ids)))
        if any(s and set(PLACEHOLDER.findall(s)) != want for s in strings):
            placeholders.append(m.id)
    assert untranslated == [], f"msgids without English text: {UPDATE}"
    assert fuzzy == [], "fuzzy entries: check the English text and remove the fuzzy flag"
    assert placeholders == [], "the English text must use the msgid's placeholders"


# ---- pages in English ----------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="module")
def _compiled_catalogue():
    """The compiled catalogue `make install` builds; built here too when missing or older than
    the .po (a direct pytest run after editing it), so these tests read the current text."""
    mo = PO.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < PO.stat().st_mtime:
        partial = mo.with_suffix(f".mo.{os.getpid()}")
        with partial.open("wb") as f:
            write_mo(f, _catalogue())
        os.replace(partial, mo)  # whole or not at all: another process may read it
    _offered.cache_clear()
    yield


def _text(response) -> str:
    return response.get_data(as_text=True)


def _lang(response) -> str:
    """The page's language (<html lang="en-GB"> is English)."""
    return re.search(r'<html lang="([^"]+)"', _text(response)).group(1).split("-")[0]


def _footer_switch(client, language: str, page: str = "/"):
    """The footer's button, pressed on `page` (the browser names it in the Referer)."""
    referrer = page if "://" in page else f"http://localhost{page}"
    return client.post_form("/taal", {"language": language}, headers={"Referer": referrer})


def _language_of(app, user) -> str | None:
    with app.app_context():
        return db.session.get(User, user.id).language


def test_english_is_offered():
    assert "en" in _offered(), "no compiled English catalogue: run `make install`"


def test_accept_language_english_for_anonymous(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8,nl;q=0.5"})
    assert '<html lang="en-GB">' in _text(page)
    assert "How can we help?" in _text(page)
    assert "Skip to content" in _text(page)
    assert {"Accept-Language", "Cookie"} <= set(page.vary)

    login_page = client.get("/inloggen", headers={"Accept-Language": "en"})
    assert "Staff sign-in" in _text(login_page)
    assert "Inloggen" not in _text(login_page)


def test_dutch_without_a_wish_and_for_other_languages(client):
    for headers in ({}, {"Accept-Language": "fr-FR,de;q=0.8"}, {"Accept-Language": "nl"}):
        page = client.get("/", headers=headers)
        assert _lang(page) == "nl"
        assert "Hoe kunnen we u helpen?" in _text(page) or "Hoe kunnen we helpen?" in _text(page)


def test_english_login_page_has_no_dutch_left(client):
    """Pages without documents on them: any Dutch word left is a string outside _()."""
    dutch = re.compile(r"\b(de|het|een|niet|voor|uw|wachtwoord|inloggen|zoeken)\b", re.I)
    for url in ("/inloggen",):
        page = client.get(url, headers={"Accept-Language": "en"})
        visible = re.sub(r"<[^>]+>", " ", _text(page))
        visible = visible.replace("Nederlands", "")  # the switch names each language in itself
        assert dutch.findall(visible) == [], url


def test_footer_switch_for_anonymous_sets_a_cookie(client):
    assert _lang(client.get("/inloggen")) == "nl"
    switched = _footer_switch(client, "en", "/inloggen?next=/console")
    assert switched.headers["Location"].endswith("/inloggen?next=/console")
    cookie = client.get_cookie("kb_lang")
    assert cookie is not None and cookie.value == "en" and cookie.http_only
    page = client.get("/inloggen")
    assert _lang(page) == "en" and "Staff sign-in" in _text(page)
    # the cookie outranks the browser's wish: it is the visitor's own choice
    assert _lang(client.get("/", headers={"Accept-Language": "nl"})) == "en"

    _footer_switch(client, "nl")
    assert _lang(client.get("/", headers={"Accept-Language": "en"})) == "nl"


def test_footer_switch_names_each_language_in_itself(client):
    page = _text(client.get("/", headers={"Accept-Language": "en"}))
    footer = page[page.index("<footer") :]
    assert 'lang="nl"' in footer and "Nederlands" in footer
    assert 'aria-current="true">English' in footer


def test_footer_switch_refuses_other_hosts_and_languages(client):
    away = _footer_switch(client, "en", "https://evil.example/phish")
    assert "evil.example" not in away.headers["Location"]
    odd = _footer_switch(client, "fr", "/inloggen")
    assert odd.headers["Location"].endswith("/inloggen")
    assert client.get_cookie("kb_lang").value == "en"  # the first switch, not 'fr'


def test_user_with_english_sees_english_pages(app, client, make_user):
    agent = make_user("agent")
    assert login(client, agent).status_code in (302, 303)
    saved = client.post_form("/account/taal", {"language": "en"})
    assert saved.headers["Location"].endswith("/account")
    assert _language_of(app, agent) == "en"

    account = client.get("/account", headers={"Accept-Language": "nl"})
    assert "Your language choice has been saved." in _text(account)
    chosen = re.search(r'<input[^>]*value="en"[^>]*>', _text(account)).group(0)
    assert "checked" in chosen
    home = client.get("/", headers={"Accept-Language": "nl"})
    assert _lang(home) == "en" and "How can we help?" in _text(home)
    console = _text(client.get("/console", headers={"Accept-Language": "nl"}))
    assert "Search for a script or article" in console and "Sign out" in console


def test_account_setting_persists_and_outranks_the_browser(app, client, make_user):
    editor = make_user("editor")
    login(client, editor)
    client.post_form("/account/taal", {"language": "en"})

    elsewhere = app.test_client()  # another device: no cookie, a Dutch browser
    login(elsewhere, editor)
    assert _lang(elsewhere.get("/", headers={"Accept-Language": "nl"})) == "en"

    client.post_form("/account/taal", {"language": "nl"})
    assert _lang(elsewhere.get("/", headers={"Accept-Language": "en"})) == "nl"

    client.post_form("/account/taal", {"language": ""})  # like my browser
    assert _language_of(app, editor) is None
    assert _lang(elsewhere.get("/", headers={"Accept-Language": "en"})) == "en"
    assert _lang(elsewhere.get("/", headers={"Accept-Language": "nl"})) == "nl"


def test_account_setting_refuses_an_unknown_language(app, client, make_user):
    agent = make_user("agent")
    login(client, agent)
    refused = client.post_form("/account/taal", {"language": "fr"})
    assert refused.status_code == 422
    assert 'class="error"' in _text(refused)
    assert _language_of(app, agent) is None


def test_footer_switch_signed_in_is_stored_on_the_account(app, client, make_user):
    agent = make_user("agent")
    login(client, agent)
    _footer_switch(client, "en", "/console")
    assert _language_of(app, agent) == "en"
    assert "Sign out" in _text(client.get("/console"))


def test_document_content_stays_in_its_own_language(client, make_document):
    slug = make_document(title="Factuur betalen", body="Betaal uw factuur op tijd.")
    page = _text(client.get(f"/artikel/{slug}", headers={"Accept-Language": "en"}))
    assert "Factuur betalen" in page and "Betaal uw factuur op tijd." in page
    assert "Was this helpful?" in page


def test_dates_and_times_in_the_readers_language_without_seconds(app):
    """English pages write dates the British way: 11/1/26 would be 11 January to the team."""
    from kb.i18n import ago, date_label, datetime_label, day_month

    moment = datetime(2026, 3, 5, 13, 7, 42, tzinfo=UTC)  # 14:07:42 in Amsterdam
    seen = {}
    for language in ("nl", "en"):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            seen[language] = (
                [datetime_label(moment, width) for width in ("short", "medium", "long")],
                date_label(moment.date(), "long"),
                day_month(moment.date()),
                ago(moment - timedelta(minutes=3), now=moment),
            )
    labels, long_date, short_day, relative = seen["nl"]
    assert labels == ["05-03-2026, 14:07", "5 mrt 2026, 14:07", "5 maart 2026, 14:07"]
    assert (long_date, short_day, relative) == ("5 maart 2026", "5 mrt", "3 minuten geleden")
    labels, long_date, short_day, relative = seen["en"]
    assert labels == ["05/03/2026, 14:07", "5 Mar 2026, 14:07", "5 March 2026, 14:07"]
    assert (long_date, short_day, relative) == ("5 March 2026", "5 Mar", "3 minutes ago")


def test_dutch_only_without_a_compiled_catalogue(client, make_user, monkeypatch):
    """Before `make install` compiled it (or where it is missing) kb is simply Dutch."""
    import kb.extensions

    monkeypatch.setattr(kb.extensions, "_offered", lambda: ("nl",))
    page = client.get("/", headers={"Accept-Language": "en"})
    assert _lang(page) == "nl"
    assert "/taal" not in _text(page)  # no switch to a language that is not there
    user = make_user("agent")
    login(client, user)
    account = client.get("/account")
    assert account.status_code == 200 and 'name="language"' not in _text(account)
