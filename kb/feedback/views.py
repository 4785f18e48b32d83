"""The suggestion inbox, "Mijn documenten" and "Mijn voorstellen" (issue 18)."""

from flask import Blueprint

bp = Blueprint("inbox", __name__)
