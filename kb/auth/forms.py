"""Forms for signing in, the own account page and accepting an invitation."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from kb.auth.models import MAX_PASSWORD, MAX_TOKEN_NAME


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(), Length(max=200)])


class NewPasswordForm(FlaskForm):
    """A new password, typed twice (invitation)."""

    password = PasswordField(
        _l("Nieuw wachtwoord"), validators=[DataRequired(), Length(max=MAX_PASSWORD)]
    )
    confirm = PasswordField(
        _l("Herhaal het nieuwe wachtwoord"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("De twee wachtwoorden zijn niet gelijk.")),
        ],
    )


class PasswordChangeForm(NewPasswordForm):
    current = PasswordField(
        _l("Huidig wachtwoord"), validators=[DataRequired(), Length(max=MAX_PASSWORD)]
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("Naam van het token"),
        validators=[Optional(), Length(max=MAX_TOKEN_NAME)],
        description=_l("Waarvoor gebruikt u het, bijvoorbeeld 'helpdesk-koppeling'?"),
    )


class LanguageForm(FlaskForm):
    """The account's interface language: one of the offered locales, or '' for the browser's."""

    language = RadioField(_l("Taal van de schermen"), choices=[], validate_choice=True)

    def __init__(self, *args, **kwargs) -> None:
        from kb.extensions import offered_locales
        from kb.i18n import LANGUAGE_NAMES

        super().__init__(*args, **kwargs)
        self.language.choices = [("", _l("Zoals mijn browser is ingesteld"))] + [
            (code, LANGUAGE_NAMES[code]) for code in offered_locales()
        ]
