"""An admin filters the audit log by actor and period and reads what happened as a sentence."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from kb.audit.models import AuditEvent
from kb.auth.models import User
from kb.documents import service as documents
from kb.documents.models import Document
from kb.extensions import db

pytestmark = pytest.mark.browser


def test_admin_filters_audit_log_by_actor_and_period(app, page, make_person, make_document, log_in):
    admin = make_person("admin", "Ada Beheer")
    editor = make_person("editor", "Demo editor")
    other = make_person("editor", "Eva Ander")
    slug = make_document(title="Wachtwoord vergeten", publish=False)
    other_slug = make_document(title="Factuur betalen", publish=False)
    with app.app_context():
        documents.publish(
            db.session.scalar(db.select(Document).filter_by(slug=slug)),
            db.session.get_one(User, editor.id),
        )
        documents.publish(
            db.session.scalar(db.select(Document).filter_by(slug=other_slug)),
            db.session.get_one(User, other.id),
        )
        db.session.add(  # long ago: outside the period the admin asks for
            AuditEvent(
                actor_id=editor.id,
                action="document.archive",
                target_type="document",
                target_id=slug,
                detail={},
                created_at=datetime(2021, 6, 1, 10, tzinfo=UTC),
            )
        )
        db.session.commit()

    log_in(page, admin)
    page.goto("/beheer/audit")
    rows = page.locator("table.audit tbody tr")
    expect(
        rows.filter(has_text="Eva Ander publiceerde revisie 1 van “Factuur betalen”")
    ).to_have_count(1)
    expect(rows.filter(has_text="Demo editor archiveerde “Wachtwoord vergeten”")).to_have_count(1)

    page.get_by_label("Wie", exact=True).select_option(label=f"Demo editor ({editor.email})")
    page.get_by_label("Van", exact=True).fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_label("Tot en met", exact=True).fill((date.today() + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Filteren").click()

    expect(page).to_have_url(re.compile(rf"actor={editor.id}.*from=\d{{4}}-\d\d-\d\d"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(
        "Demo editor publiceerde revisie 1 van “Wachtwoord vergeten”"
    )
    expect(rows.first.locator("time")).to_contain_text(str(date.today().year))
    # The filters stay filled in for the next question.
    expect(page.get_by_label("Wie", exact=True)).to_have_value(str(editor.id))

    # A period before anything happened: nothing to read.
    page.get_by_label("Van", exact=True).fill("2020-01-01")
    page.get_by_label("Tot en met", exact=True).fill("2020-12-31")
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_text("Geen gebeurtenissen.")).to_be_visible()
