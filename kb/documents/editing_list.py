"""The editors' document list page (/documenten), a view of the ``editing`` blueprint."""

from datetime import date

from flask import render_template, request
from flask_login import current_user

from kb.documents import listing
from kb.i18n import date_label

PER_PAGE = 25


def index():
    """Every document an editor reads: search, filters, sorting and pages, kept in the links."""
    filters = listing.Filters.from_args(request.args)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)
    found = listing.list_for_editors(current_user, filters, page=page, per_page=PER_PAGE)
    return render_template(
        "editing/index.html",
        listing=found,
        docs=found.items,
        filters=filters,
        categories=listing.category_names(current_user),
        owners=listing.owners(current_user),
        sorts=listing.SORTS,
        mine=listing.MINE,
        today=date.today(),
        short_date=lambda d: date_label(d),
    )
