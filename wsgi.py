"""WSGI entry point: `gunicorn wsgi:app`."""

from ledger import create_app

app = create_app()
