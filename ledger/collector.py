"""The cyclic garbage collector around work that makes many short-lived objects at once (a
document's render, an import's rows)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def young_garbage_only() -> Iterator[None]:
    """No cyclic garbage collection during the work (it allocates enough to set off dozens of
    collections, and now and then a full one that walks the whole app), then one collection
    of the objects made since: the same garbage is freed, the long-lived objects are not
    walked again and again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect(0)
