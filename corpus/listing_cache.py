"""The listing cache: index files and submissions JSON as EDGAR last served them, with their Last-Modified.

A re-run asks with If-Modified-Since and gets a cheap 304; `edgar-corpus status` reads the same files to
say which listed filings were never fetched, and the build reads them to resolve the filing a letter
reviewed. Keyed by URL path, not host: a mirror and EDGAR serve the same file at the same path.

    listing-cache/<sha256 of the path, 32 hex>        the body as served (form.gz stays gzipped)
    listing-cache/<sha256 of the path, 32 hex>.json   {"url": ..., "last_modified": ...}

Only a listing that was read successfully is kept, so a body that failed to parse is never reused on a 304.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from corpus.archive import write_atomic


class ListingCache:
    def __init__(self, data_dir: Path | str) -> None:
        self.root = Path(data_dir) / "listing-cache"

    def _body_path(self, url: str) -> Path:
        return self.root / hashlib.sha256(urlsplit(url).path.encode()).hexdigest()[:32]

    def last_modified(self, url: str) -> str | None:
        """The Last-Modified of the copy kept, when there is a copy to fall back on after a 304."""
        meta = self._body_path(url).with_suffix(".json")
        if not meta.exists() or not self._body_path(url).exists():
            return None
        try:
            return json.loads(meta.read_text()).get("last_modified")
        except (OSError, ValueError):
            return None

    def get(self, url: str) -> bytes | None:
        path = self._body_path(url)
        return path.read_bytes() if path.exists() else None

    def put(self, url: str, body: bytes, last_modified: str) -> None:
        path = self._body_path(url)
        write_atomic(path, body)
        write_atomic(path.with_suffix(".json"), json.dumps({"url": url, "last_modified": last_modified}).encode())

    def drop(self, url: str) -> None:
        """Forget a copy (it failed to parse): the next crawl asks for the file unconditionally."""
        path = self._body_path(url)
        path.with_suffix(".json").unlink(missing_ok=True)
        path.unlink(missing_ok=True)

    def entries(self) -> Iterator[tuple[str, bytes]]:
        """(URL path, body) of every listing kept, in a stable order."""
        if not self.root.is_dir():
            return
        for meta in sorted(self.root.glob("*.json")):
            body = meta.with_suffix("")
            try:
                url = json.loads(meta.read_text()).get("url", "")
                data = body.read_bytes()
            except (OSError, ValueError):
                continue
            yield urlsplit(url).path, data
