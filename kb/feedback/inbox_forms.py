"""Forms of the inbox blueprint: the editor bar's owner and verify-by date, and closing a
comment or suggestion. Shape only: the services check the rest."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import Optional

from kb.feedback.models import MAX_REASON


class EditorialForm(FlaskForm):
    # Choices are the document's possible owners (owners.candidates), set by the view.
    owner = SelectField(_l("Eigenaar"), choices=[], validate_choice=False)
    verify_by = DateField(_l("Controleren vóór"), validators=[Optional()])


class CloseForm(FlaskForm):
    # Required, but an empty reason is the input model's to say (as a message, not a 400).
    reason = TextAreaField(
        _l("Reden (de schrijver leest dit)"),
        render_kw={"maxlength": MAX_REASON, "required": True, "rows": 2},
    )
