"""Forms of review before publish: submit, approve, return, the category settings. Shape only:
kb.documents.review checks lengths and rights, so the API gets the same rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # 3.3; stubs: 3.2
from wtforms.validators import Optional

from kb.documents.models import MAX_CATEGORY_DESCRIPTION, MAX_REVIEW_COMMENT

ACK_LABEL = _l("Agents moeten dit bevestigen")


class SubmitForm(FlaskForm):
    revision = IntegerField(validators=[Optional()])
    note = TextAreaField(
        _l("Toelichting voor de supervisor"), render_kw={"maxlength": MAX_REVIEW_COMMENT}
    )
    acknowledge = BooleanField(ACK_LABEL, default=False)


# Approve and return share a page: their fields get ids of their own.
class ApproveForm(FlaskForm):
    comment = TextAreaField(
        _l("Opmerking (niet verplicht)"),
        id="approve-comment",
        render_kw={"maxlength": MAX_REVIEW_COMMENT},
    )
    acknowledge = BooleanField(ACK_LABEL, id="approve-acknowledge", default=False)


class ReturnForm(FlaskForm):
    comment = TextAreaField(
        _l("Wat moet er anders? (verplicht)"),
        id="return-comment",
        render_kw={"maxlength": MAX_REVIEW_COMMENT},
    )


REVIEW_CHOICES = {"default": None, "on": True, "off": False}


class CategoryForm(FlaskForm):
    category = HiddenField()
    review = SelectField(
        _l("Beoordeling voor publiceren"),
        choices=[
            SelectChoice("default", _l("Standaard")),
            SelectChoice("on", _l("Aan: een supervisor keurt goed")),
            SelectChoice("off", _l("Uit: redacteuren publiceren zelf")),
        ],
    )
    description = TextAreaField(
        _l("Omschrijving"), render_kw={"maxlength": MAX_CATEGORY_DESCRIPTION, "rows": 2}
    )
