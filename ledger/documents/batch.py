"""`ledger print --year Y -o DIR`: every filing form and receipt of the agreement versions the
year's assessment rests on (filed versions whose coverage includes Y), and the annual statement.

The data is read here, in one process (the queries are quick); the rendering — nearly all of
the time — runs in worker processes, one per core by default, each with its own Renderer
(fontconfig and the parsed stylesheet load once per worker). Workers come from a fork server
(`forkserver`: a fresh process that has imported WeasyPrint and this package once, so a worker
starts in milliseconds and has no copy of the parent's database connections) and are replaced
by a fresh pool after every `workers × tasks_per_child` documents (MAX_TASKS_PER_CHILD by
default), so a long run's memory stays flat.

Not ProcessPoolExecutor's own `max_tasks_per_child`: on Python 3.11 it loses the workers it
should replace (gh-115634) and the run hangs for good after workers × tasks_per_child documents
(200, with two cores). A pool per chunk also keeps what the executor gives over
multiprocessing.Pool: a worker that dies breaks the run (BrokenProcessPool) instead of leaving
its document waiting forever."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path

from ledger import documents
from ledger.context import Context
from ledger.documents.document import Document
from ledger.queries.documents import filed_versions

MAX_TASKS_PER_CHILD = 100
# Starting the fork server and a worker costs about as much as ten renders: by default a
# smaller batch renders in this process.
POOL_MIN_DOCUMENTS = 16


@dataclass(frozen=True)
class Printed:
    document: Document
    path: Path
    size: int


def year_documents(ctx: Context, year: int, as_of: datetime | None = None) -> list[Document]:
    """Filing form and receipt of every version filed for `year`, then the statement."""
    out: list[Document] = []
    for agreement_id, version in filed_versions(ctx, year):
        out.append(documents.filing(ctx, agreement_id, version))
        out.append(documents.receipt(ctx, agreement_id, version))
    out.append(documents.statement(ctx, year, as_of))
    return out


def _render_to(document: Document, path: str) -> int:
    """In a worker: render and write atomically (a half-written PDF never has the final name)."""
    pdf = documents.render(document)
    partial = Path(f"{path}.partial")
    partial.write_bytes(pdf)
    partial.replace(path)
    return len(pdf)


def print_documents(ctx: Context, docs: list[Document], directory: Path,
                    workers: int | None = None,
                    progress: Callable[[Printed], object] = lambda printed: None,
                    tasks_per_child: int = MAX_TASKS_PER_CHILD) -> list[Printed]:
    """Render `docs` into `directory` (each under its own file name, carrying the signed
    checkpoint of its as-of time, recorded in the register as it finishes) with `workers` processes
    (default: one per core, or this process alone for fewer than POOL_MIN_DOCUMENTS), each
    pool of workers replaced after `workers × tasks_per_child` documents; `progress` is called
    once per finished document, in the order they finish."""
    if tasks_per_child < 1:
        raise ValueError("tasks_per_child must be at least 1")
    directory.mkdir(parents=True, exist_ok=True)
    docs = documents.checkpointed_all(ctx, docs)  # each prints the checkpoint of its as-of time
    if workers is None:
        workers = (os.cpu_count() or 1) if len(docs) >= POOL_MIN_DOCUMENTS else 1
    workers = max(1, min(workers, len(docs)))
    jobs = [(doc, directory / doc.filename) for doc in docs]
    done: list[Printed] = []

    def finished(doc: Document, path: Path, size: int) -> None:
        documents.issued(ctx, doc, size)
        printed = Printed(doc, path, size)
        done.append(printed)
        progress(printed)

    if workers == 1:
        for doc, path in jobs:
            finished(doc, path, _render_to(doc, str(path)))
        return done
    context = get_context("forkserver")
    context.set_forkserver_preload([__name__, "ledger.documents.pdf"])
    chunk = workers * tasks_per_child
    for start in range(0, len(jobs), chunk):
        part = jobs[start:start + chunk]
        pool = ProcessPoolExecutor(max_workers=min(workers, len(part)), mp_context=context)
        try:
            pending = {pool.submit(_render_to, doc, str(path)): (doc, path) for doc, path in part}
            while pending:
                ready, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in ready:
                    finished(*pending.pop(future), future.result())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # a failure stops the rest
    return done
