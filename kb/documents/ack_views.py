"""Read-and-acknowledge: agents confirm a changed script or policy (issue 18)."""

from flask import Blueprint

bp = Blueprint("acknowledgements", __name__)
