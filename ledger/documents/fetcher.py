"""The only way a document render reaches outside its HTML: a WeasyPrint URL fetcher that
serves the app's own assets and nothing else.

Assets have `ledger:` URLs, listed one by one when the renderer is made (the templates'
stylesheet, the generated fonts) or made in memory for one render (the QR code image). Every
other URL — `file:`, `http:`, `https:`, `data:`, `ftp:`, a `ledger:` URL nobody listed, a
relative path — is refused, and the refusal stops the render (a document with a silently missing
part is worse than no document). After Indico's receipts module (IndicoURLFetcher), without its
allowance for the site's own http URLs: nothing here needs the network."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

SCHEME = "ledger"


class FetchRefused(ValueError):
    """A URL outside the app's own assets."""

    def __init__(self, url: str):
        shown = url if len(url) <= 200 else url[:200] + "…"
        super().__init__(f"documents fetch only the app's own assets; refused {shown}")
        self.url = url


class AssetFetcher(URLFetcher):
    """Serves `files` (URL → path on disk, read once) and `memory` (URL → (bytes, MIME type));
    refuses everything else. `fail_on_errors` makes a refusal stop the render."""

    def __init__(self, files: Mapping[str, tuple[Path, str]] | None = None,
                 memory: Mapping[str, tuple[bytes, str]] | None = None,
                 cache: dict[str, bytes] | None = None):
        super().__init__(allowed_protocols={SCHEME}, allow_redirects=False, fail_on_errors=True,
                         timeout=1)
        for url in list(files or ()) + list(memory or ()):
            if not url.startswith(f"{SCHEME}:"):
                raise ValueError(f"an asset URL must start with {SCHEME}:, got {url}")
        self.files = dict(files or {})
        self.memory = dict(memory or {})
        self._cache = {} if cache is None else cache

    def with_memory(self, memory: Mapping[str, tuple[bytes, str]]) -> "AssetFetcher":
        """The same assets plus `memory` (one render's images); the file cache is shared."""
        return AssetFetcher(self.files, {**self.memory, **memory}, self._cache)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url in self.memory:
            body, mime = self.memory[url]
            return URLFetcherResponse(url, body, {"Content-Type": mime})
        if url in self.files:
            path, mime = self.files[url]
            if url not in self._cache:
                self._cache[url] = Path(path).read_bytes()
            return URLFetcherResponse(url, self._cache[url], {"Content-Type": mime})
        raise FetchRefused(url)

    def open(self, url, data=None, timeout=None):  # urllib's entry point: the same rules
        return self.fetch(url if isinstance(url, str) else url.full_url)
