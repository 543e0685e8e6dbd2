"""WSGI entry point: `gunicorn --preload wsgi:app` (production settings: LEDGER_SECRET_KEY required)."""

import gc
import os

from ledger import create_app
from ledger.config import ProductionConfig

app = create_app(ProductionConfig())

# gunicorn --preload makes the app once and forks the workers, which then share its memory.
# Nothing connects at start (the database pool and the Redis client are filled at first use);
# were a connection pooled before a fork all the same, the worker leaves it to the parent and
# opens its own.
os.register_at_fork(
    after_in_child=lambda: app.extensions["ledger.engine"].dispose(close=False))
# The start's objects live as long as the process: out of the collector's sight, so that its
# passes do not write to (and so copy) the pages the workers share.
gc.freeze()
