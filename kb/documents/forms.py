"""Forms for documents, votes and comments. Shape only: the service checks the rest."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from kb.auth.models import ROLES
from kb.documents.models import AUDIENCES, CHANNELS, KINDS
from kb.documents.service import MAX_BODY, MAX_MESSAGE, MAX_TITLE

KIND_LABELS = {"article": _l("Artikel"), "script": _l("Script")}
AUDIENCE_LABELS = {"public": _l("Openbaar (klanten)"), "internal": _l("Intern (medewerkers)")}
CHANNEL_LABELS = {
    "phone": _l("Telefoon"),
    "chat": _l("Chat"),
    "email": _l("E-mail"),
    "social": _l("Social media"),
    "escalation": _l("Escalatie"),
    "voicemail": _l("Voicemail"),
    "letter": _l("Brief"),
    "in-person": _l("Persoonlijk"),
}
STATUS_LABELS = {
    "draft": _l("Concept"),
    "published": _l("Gepubliceerd"),
    "archived": _l("Gearchiveerd"),
}
ROLE_LABELS = {
    "agent": _l("Medewerker"),
    "editor": _l("Redacteur"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Beheerder"),
}


class DocumentForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    slug = StringField(_l("Slug (adres)"), validators=[Optional(), Length(max=120)])
    kind = SelectField(_l("Soort"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in KINDS])
    audience = SelectField(
        _l("Zichtbaar voor"), choices=[SelectChoice(a, AUDIENCE_LABELS[a]) for a in AUDIENCES]
    )
    channel = SelectField(
        _l("Kanaal (alleen scripts)"),
        choices=[SelectChoice("", "—")] + [SelectChoice(c, CHANNEL_LABELS[c]) for c in CHANNELS],
        validators=[Optional()],
    )
    category = StringField(_l("Categorie"), validators=[Optional(), Length(max=60)])
    tags = StringField(_l("Tags (komma's ertussen)"), validators=[Optional(), Length(max=900)])
    min_edit_role = SelectField(
        _l("Bewerken vanaf rol"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES[1:]]
    )
    body = TextAreaField(_l("Tekst (Markdown)"), validators=[Length(max=MAX_BODY)])
    message = StringField(
        _l("Wat is er veranderd?"), validators=[Optional(), Length(max=MAX_MESSAGE)]
    )
    base_revision = HiddenField()


class RevisionForm(FlaskForm):
    """A button that acts on one revision (publish, restore)."""

    revision = IntegerField(validators=[Optional()])


class ActionForm(FlaskForm):
    """An empty form: a CSRF-protected button (unpublish, archive, log out)."""


class VoteForm(FlaskForm):
    helpful = SelectField(
        choices=[SelectChoice("ja"), SelectChoice("nee")], validators=[InputRequired()]
    )


class CommentForm(FlaskForm):
    kind = SelectField(
        _l("Soort"),
        choices=[
            SelectChoice("comment", _l("Opmerking")),
            SelectChoice("suggestion", _l("Voorstel tot wijziging")),
        ],
    )
    body = TextAreaField(_l("Reactie"), validators=[DataRequired(), Length(max=5000)])
