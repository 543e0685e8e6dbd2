"""gunicorn's settings for Ledger, read from the working directory (run gunicorn from the
checkout, as README's Production shows)."""

import logging


def post_worker_init(worker):
    """Each worker loads the documents' fonts as it starts, before it takes a request: the first
    document after a start then costs about what a later one does (seconds otherwise). Not in
    wsgi.py: the app itself starts without WeasyPrint. A machine without a CJK font still
    starts; its documents are refused (503 document.no_cjk_font, see `ledger doctor`)."""
    from ledger.documents import pdf
    from ledger.domain.errors import Unavailable

    try:
        pdf.warm()
    except Unavailable as err:
        logging.getLogger("ledger.documents").warning("documents unavailable: %s", err)
