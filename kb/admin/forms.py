"""Forms for account management."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # 3.3; stubs: 3.2
from wtforms.validators import DataRequired, Length, Optional

from kb.auth.models import MAX_PASSWORD, ROLES
from kb.documents.forms import ROLE_LABELS


class UserForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Naam"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Rol"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])
    password = PasswordField(
        _l("Wachtwoord (minstens 10 tekens; leeg laten voor een uitnodigingslink)"),
        validators=[Optional(), Length(max=MAX_PASSWORD)],
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Rol"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])


class OneTimePasswordForm(FlaskForm):
    password = PasswordField(
        _l("Eenmalig wachtwoord"), validators=[DataRequired(), Length(max=MAX_PASSWORD)]
    )
