"""The follow-up form after a "Nee": one optional question, "Wat zocht u?"."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from kb.feedback.models import MAX_WANTED


class FollowUpForm(FlaskForm):
    wanted = TextAreaField(_l("Wat zocht u?"), validators=[Length(max=MAX_WANTED)])
