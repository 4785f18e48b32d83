"""Review before publish: "Te beoordelen", approve, return (issue 18)."""

from flask import Blueprint

bp = Blueprint("review", __name__)
