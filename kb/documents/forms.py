"""Forms for documents, votes and comments. Shape only: the service checks the rest."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # 3.3; stubs: 3.2
from wtforms.validators import InputRequired, Optional

from kb.auth.models import ROLES, Role
from kb.documents.models import (
    AUDIENCES,
    CHANNELS,
    KINDS,
    MAX_BODY,
    MAX_CATEGORY,
    MAX_MESSAGE,
    MAX_SLUG,
    MAX_TITLE,
    Audience,
    Channel,
    Kind,
    Status,
)
from kb.feedback.models import MAX_COMMENT, CommentKind

NEW_CATEGORY = "nieuw"  # the category select's "Nieuwe categorie…"

KIND_LABELS = {Kind.ARTICLE: _l("Artikel"), Kind.SCRIPT: _l("Script")}
AUDIENCE_LABELS = {
    Audience.PUBLIC: _l("Openbaar (klanten)"),
    Audience.INTERNAL: _l("Intern (medewerkers)"),
}
CHANNEL_LABELS = {
    Channel.PHONE: _l("Telefoon"),
    Channel.CHAT: _l("Chat"),
    Channel.EMAIL: _l("E-mail"),
    Channel.SOCIAL: _l("Social media"),
    Channel.ESCALATION: _l("Escalatie"),
    Channel.VOICEMAIL: _l("Voicemail"),
    Channel.LETTER: _l("Brief"),
    Channel.IN_PERSON: _l("Persoonlijk"),
}
STATUS_LABELS = {
    Status.DRAFT: _l("Concept"),
    Status.PUBLISHED: _l("Gepubliceerd"),
    Status.ARCHIVED: _l("Gearchiveerd"),
}
ROLE_LABELS = {
    Role.AGENT: _l("Medewerker"),
    Role.EDITOR: _l("Redacteur"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.ADMIN: _l("Beheerder"),
}
COMMENT_KIND_LABELS = {
    CommentKind.COMMENT: _l("Opmerking"),
    CommentKind.SUGGESTION: _l("Voorstel tot wijziging"),
}


class DocumentForm(FlaskForm):
    # Lengths and patterns are the input model's (kb/documents/schemas.py); maxlength only
    # helps the browser.
    title = StringField(_l("Titel"), render_kw={"maxlength": MAX_TITLE})
    slug = StringField(_l("Slug (adres)"), render_kw={"maxlength": MAX_SLUG})
    kind = SelectField(_l("Soort"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in KINDS])
    # Not sent for scripts (always internal): the page hides it, the service decides.
    audience = SelectField(
        _l("Zichtbaar voor"),
        choices=[SelectChoice(a, AUDIENCE_LABELS[a]) for a in AUDIENCES],
        validators=[Optional()],
    )
    channel = SelectField(
        _l("Kanaal (alleen scripts)"),
        choices=[SelectChoice("", "—")] + [SelectChoice(c, CHANNEL_LABELS[c]) for c in CHANNELS],
        validators=[Optional()],
    )
    # The existing categories plus NEW_CATEGORY ("Nieuwe categorie…"), set per request by the
    # view; any value passes here (a merge sends the value it resolved), the input model checks
    # it. new_category counts only when the select says NEW_CATEGORY.
    category = SelectField(_l("Categorie"), validate_choice=False)
    new_category = StringField(
        _l("Nieuwe categorie"),
        render_kw={"maxlength": MAX_CATEGORY},
    )
    tags = StringField(_l("Tags (komma's ertussen)"))
    min_edit_role = SelectField(
        _l("Bewerken vanaf rol"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES[1:]]
    )
    body = TextAreaField(_l("Tekst (Markdown)"), render_kw={"maxlength": MAX_BODY})
    message = StringField(_l("Wat is er veranderd?"), render_kw={"maxlength": MAX_MESSAGE})
    base_revision = HiddenField()
    # The suggestion (comment id) this edit takes over; settled once the edit is saved.
    voorstel = HiddenField()


class MergeForm(DocumentForm):
    """The conflict page: the edit as submitted (hidden), made on base_revision, merged with
    theirs_revision. The choices per block and field are radio buttons read by the view."""

    theirs_revision = HiddenField()


class RevisionForm(FlaskForm):
    """A button that acts on one revision (publish, restore)."""

    revision = IntegerField(validators=[Optional()])
    # "Agents moeten dit bevestigen", on publishing a script or policy.
    acknowledge = BooleanField(default=False)


class ActionForm(FlaskForm):
    """An empty form: a CSRF-protected button (unpublish, archive, log out)."""


class VoteForm(FlaskForm):
    helpful = SelectField(
        choices=[SelectChoice("ja"), SelectChoice("nee")], validators=[InputRequired()]
    )


class CommentForm(FlaskForm):
    kind = SelectField(
        _l("Soort"), choices=[SelectChoice(k, label) for k, label in COMMENT_KIND_LABELS.items()]
    )
    # Empty or too long is the input model's to say (as a message, not a 400).
    body = TextAreaField(_l("Reactie"), render_kw={"maxlength": MAX_COMMENT})
