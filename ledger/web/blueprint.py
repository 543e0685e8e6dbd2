"""The web pages' blueprint, shared by the page modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__, static_folder="static", static_url_path="/static/web")
