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


def when_ready(server):
    """In the arbiter, once the app is loaded and before any worker is forked: what text input
    is held to (ledger.fonts.coverage, the cmap of the CJK face: about 0.25 s of CPU and a few
    MiB) read once and shared by the workers, instead of by each worker at its first request
    that carries text — every report's note — which then costs a quarter of a second more."""
    import gc

    from ledger import fonts

    fonts.coverage()
    gc.freeze()  # as wsgi.py: kept out of the collector's passes, the pages stay shared
