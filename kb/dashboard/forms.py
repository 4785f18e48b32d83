"""Forms of the search insights: a request from a search, a search mapped to a document."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired, Length

from kb.documents.models import MAX_SLUG
from kb.tickets.models import MAX_REQUEST_TITLE


class RequestFromSearchForm(FlaskForm):
    """A new article request, its title filled in with what was searched."""

    title = StringField(
        _l("Titel van het verzoek"), [InputRequired(), Length(max=MAX_REQUEST_TITLE)]
    )
    q = HiddenField()


class SynonymForm(FlaskForm):
    """Map a search to a published document: propose (GET), then apply (POST)."""

    q = HiddenField(validators=[InputRequired(), Length(max=200)])
    document = StringField(_l("Document (slug)"), [InputRequired(), Length(max=MAX_SLUG)])
