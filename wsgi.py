"""WSGI entry point: `gunicorn wsgi:app` (production settings: LEDGER_SECRET_KEY required)."""

from ledger import create_app
from ledger.config import ProductionConfig

app = create_app(ProductionConfig())
