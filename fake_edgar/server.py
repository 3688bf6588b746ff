"""A fake EDGAR: a real HTTP server over a folder laid out like EDGAR's URL space (tests/data/edgar is one).

One loopback port answers both www.sec.gov paths (`/Archives/...`) and data.sec.gov paths
(`/submissions/...`), with EDGAR's behaviour as described in docs/reference/edgar-interface.md §11.1:

* complete submissions, their legacy flat path, and single documents cut out of them
  (binaries decoded, text documents served as their whole `<DOCUMENT>` block);
* gzip when asked, `Last-Modified` (the release date for a `.txt`), 304 on `If-Modified-Since`;
* a missing `/Archives` path is 403 with S3 `AccessDenied` XML, a missing `/submissions` file
  is 404 `NoSuchKey` XML (weekend, holiday and future daily indexes are simply missing files);
* fair access: an undeclared User-Agent gets the 403 "Undeclared Automated Tool" page; more
  than `rate_limit` requests in any `window` seconds (all paths together) starts a block of
  `block_seconds`, re-armed by every request during it, answered with the "Request Rate
  Threshold Exceeded" page as 403 (or 429);
* fault injection, reproducible from a seed, and a JSON-lines request log.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import posixpath
import re
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipelines.sgml import parse_document, uudecode

PAGES = Path(__file__).parent / "pages"
FAULT_KINDS = ("500", "503", "reset", "slow", "truncate")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_DEFAULT_AGENTS = re.compile(
    r"^(python-requests|python-urllib|python-httpx|aiohttp|scrapy|curl|wget|go-http-client|java|okhttp|"
    r"mozilla|libwww-perl|axios|node-fetch)\b",
    re.IGNORECASE,
)
_TXT_PATH = re.compile(r"^/Archives/edgar/data/(\d+)/(\d{18})/(\d{10}-\d{2}-\d{6})\.txt$")
_LEGACY_TXT = re.compile(r"^/Archives/edgar/data/(\d+)/(\d{10}-\d{2}-\d{6})\.txt$")
_DOC_PATH = re.compile(r"^/Archives/edgar/data/(\d+)/(\d{18})/([^/]+)$")
_RELEASE_STAMP = re.compile(rb"<SEC-DOCUMENT>[^\n]*?:\s*(\d{8})")


def is_declared_user_agent(user_agent: str | None) -> bool:
    """The SEC's rule as the fake applies it: a non-default agent that names a contact e-mail."""
    if not user_agent or not user_agent.strip():
        return False
    return not _DEFAULT_AGENTS.match(user_agent.strip()) and _EMAIL.search(user_agent) is not None


@dataclass(frozen=True)
class Canned:
    """A fixed answer for a path: how a hostile or broken server behaves (a redirect, an HTML error page, a
    corrupt body). `headers` may hold a `Location`; the body is sent as it is."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class FakeEdgarConfig:
    root: Path
    rate_limit: int = 10  # requests allowed in any window
    window: float = 1.0
    block_seconds: float = 600.0
    throttle_status: int = 403  # or 429
    check_user_agent: bool = True
    fault_rate: float = 0.0  # share of requests that get a random fault
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    fault_scope: str = "/Archives/edgar/data/"  # random faults only hit paths under this prefix
    fault_paths: dict[str, str] = field(default_factory=dict)  # path suffix -> fault kind, every time
    fault_every: int = 0  # every n-th request under fault_scope gets `fault_every_kind` (a hostile network)
    canned: dict[str, Canned] = field(default_factory=dict)  # path suffix -> a fixed answer, every time
    fault_every_kind: str = "reset"
    throttle_at: tuple[int, ...] = ()  # request numbers (1-based) that start a block, to force one
    seed: int = 0
    slow_seconds: float = 5.0
    log_path: Path | None = None


class FakeEdgar:
    """The server and its shared state (rate window, block, request counters, log)."""

    def __init__(self, config: FakeEdgarConfig, port: int = 0) -> None:
        self.config = config
        self.root = Path(config.root).resolve()
        self._lock = threading.Lock()
        self._recent: deque[float] = deque()
        self._blocked_until = 0.0
        self._count = 0
        self._scoped = 0  # requests under fault_scope, for fault_every
        self._path_attempts: dict[str, int] = {}
        self._log = open(config.log_path, "a", buffering=1) if config.log_path else None  # noqa: SIM115
        handler = type("Handler", (_Handler,), {"edgar": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)  # loopback only, never 0.0.0.0
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeEdgar:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="fake-edgar", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._log:
            self._log.close()

    def __enter__(self) -> FakeEdgar:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- policy ---------------------------------------------------------------------------------

    def admit(self, path: str) -> tuple[int, bool, str | None]:
        """Count one arrival. Returns (request number, throttled?, fault kind or None)."""
        now = time.monotonic()
        with self._lock:
            self._count += 1
            number = self._count
            self._recent.append(now)
            while self._recent and self._recent[0] <= now - self.config.window:
                self._recent.popleft()
            throttled = False
            if now < self._blocked_until or number in self.config.throttle_at:
                throttled = True  # every request during a block re-arms it
            elif len(self._recent) > self.config.rate_limit:
                throttled = True
            if throttled:
                self._blocked_until = now + self.config.block_seconds
            attempt = self._path_attempts.get(path, 0)
            self._path_attempts[path] = attempt + 1
            scoped = 0
            if path.startswith(self.config.fault_scope):
                self._scoped += 1
                scoped = self._scoped
        return number, throttled, self._fault_for(path, attempt, scoped)

    def _fault_for(self, path: str, attempt: int, scoped: int = 0) -> str | None:
        for suffix, kind in self.config.fault_paths.items():
            if path.endswith(suffix):
                return kind
        if self.config.fault_every and scoped and scoped % self.config.fault_every == 0:
            return self.config.fault_every_kind
        if self.config.fault_rate <= 0 or not path.startswith(self.config.fault_scope):
            return None
        # A hash of (seed, path, attempt) rather than a shared RNG: the same faults whatever the
        # order in which threads handle requests, so a failing run can be replayed exactly.
        digest = hashlib.sha256(f"{self.config.seed}:{path}:{attempt}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        if draw >= self.config.fault_rate:
            return None
        return self.config.fault_kinds[digest[8] % len(self.config.fault_kinds)]

    def log(self, record: dict[str, object]) -> None:
        if self._log:
            self._log.write(json.dumps(record) + "\n")

    # -- content --------------------------------------------------------------------------------

    def resolve(self, url_path: str) -> Path | None:
        """A file under the root for this URL path, or None (never a path outside the root)."""
        clean = posixpath.normpath(url_path)
        if ".." in clean.split("/"):
            return None
        path = (self.root / clean.lstrip("/")).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path


@lru_cache(maxsize=256)
def _read(path: Path) -> bytes:
    return path.read_bytes()


@lru_cache(maxsize=256)
def _gzip(path: Path) -> bytes:
    return gzip.compress(_read(path), mtime=0)


def release_time(txt: bytes) -> datetime | None:
    """When EDGAR made a complete submission public: the `<SEC-DOCUMENT>` stamp (time fixed at 10:00 GMT)."""
    match = _RELEASE_STAMP.search(txt[:4096])
    if not match:
        return None
    return datetime.strptime(match.group(1).decode(), "%Y%m%d").replace(hour=10, tzinfo=UTC)


def cut_document(txt: bytes, filename: str) -> tuple[bytes, str] | None:
    """One document of a complete submission as EDGAR serves it alone, with its content type."""
    for block in re.finditer(rb"<DOCUMENT>\n(.*?)</DOCUMENT>\n?", txt, re.DOTALL):
        document = parse_document(block.group(1))
        if document.filename != filename:
            continue
        if document.is_uuencoded:
            kind = "application/pdf" if filename.lower().endswith(".pdf") else "application/octet-stream"
            if filename.lower().endswith((".jpg", ".jpeg")):
                kind = "image/jpeg"
            elif filename.lower().endswith(".gif"):
                kind = "image/gif"
            return uudecode(document.body), kind
        kind = "text/html" if filename.lower().endswith((".htm", ".html")) else "text/plain"
        return block.group(0) if block.group(0).endswith(b"\n") else block.group(0) + b"\n", kind
    return None


class _Handler(BaseHTTPRequestHandler):
    edgar: FakeEdgar
    protocol_version = "HTTP/1.1"  # keep-alive, as EDGAR
    wbufsize = -1  # buffered: the answer leaves when do_GET returns, after its log record is written
    server_version = "AkamaiNetStorage"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:  # the JSON log replaces stderr lines
        pass

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        path = self.path.split("?", 1)[0]
        started = time.time()
        number, throttled, fault = self.edgar.admit(path)
        user_agent = self.headers.get("User-Agent")
        record: dict[str, object] = {"n": number, "t": started, "path": path, "ua": user_agent, "fault": None,
                                     "throttled": False}
        try:
            if self.edgar.config.check_user_agent and not is_declared_user_agent(user_agent):
                status = self._send_page("undeclared_tool.html", 403)
            elif throttled:
                record["throttled"] = True
                status = self._send_page("rate_threshold.html", self.edgar.config.throttle_status)
            elif canned := next((c for suffix, c in self.edgar.config.canned.items() if path.endswith(suffix)),
                                None):
                record["fault"] = "canned"
                status = self._send_canned(canned, head)
            elif fault:
                record["fault"] = fault
                status = self._send_fault(fault, path)
                if status == 0:
                    status = self._serve(path, head)
            else:
                status = self._serve(path, head)
        except (BrokenPipeError, ConnectionResetError):
            status = -1
        record["status"] = status
        record["ms"] = round((time.time() - started) * 1000, 1)
        self.edgar.log(record)

    # -- answers --------------------------------------------------------------------------------

    def _serve(self, path: str, head: bool) -> int:
        if path.startswith("/submissions/"):
            file = self.edgar.resolve(path)
            if file is None:
                return self._send_xml("no_such_key.xml", 404, key=path.lstrip("/"))
            return self._send_file(file, "application/json", head)
        if not path.startswith("/Archives/"):
            return self._send_xml("access_denied.xml", 403)
        if match := _LEGACY_TXT.match(path):
            cik, accession = match.groups()
            path = f"/Archives/edgar/data/{cik}/{accession.replace('-', '')}/{accession}.txt"
        file = self.edgar.resolve(path)
        if file is not None:
            kind = "text/plain"
            if file.suffix == ".json":
                kind = "application/json"
            elif file.suffix == ".gz":
                kind = "binary/octet-stream"
            modified = None
            if _TXT_PATH.match(path):
                modified = release_time(_read(file))
            return self._send_file(file, kind, head, modified)
        if match := _DOC_PATH.match(path):
            cik, acc18, filename = match.groups()
            txt = self._find_txt(cik, acc18)
            if txt is not None and (document := cut_document(_read(txt), filename)):
                body, kind = document
                return self._send_bytes(body, kind, head, release_time(_read(txt)))
        return self._send_xml("access_denied.xml", 403)

    def _find_txt(self, cik: str, acc18: str) -> Path | None:
        accession = f"{acc18[:10]}-{acc18[10:12]}-{acc18[12:]}"
        return self.edgar.resolve(f"/Archives/edgar/data/{cik}/{acc18}/{accession}.txt")

    def _send_file(self, file: Path, kind: str, head: bool, modified: datetime | None = None) -> int:
        if modified is None:
            modified = datetime.fromtimestamp(int(file.stat().st_mtime), UTC)
        compressible = file.suffix != ".gz"
        return self._send_bytes(_read(file), kind, head, modified, file if compressible else None)

    def _send_bytes(
        self, body: bytes, kind: str, head: bool, modified: datetime | None, cache_key: Path | None = None
    ) -> int:
        etag = hashlib.md5(body, usedforsecurity=False).hexdigest()
        since = self.headers.get("If-Modified-Since")
        if modified is not None and since:
            try:
                if modified <= parsedate_to_datetime(since):
                    self.send_response(304)
                    self.send_header("Last-Modified", format_datetime(modified, usegmt=True))
                    self.send_header("ETag", f'"{etag}"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return 304
            except (TypeError, ValueError):
                pass
        gzip_ok = "gzip" in (self.headers.get("Accept-Encoding") or "") and kind != "binary/octet-stream"
        if gzip_ok:
            body = _gzip(cache_key) if cache_key is not None else gzip.compress(body, mtime=0)
            etag += "-gzip"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("ETag", f'"{etag}"')
        if modified is not None:
            self.send_header("Last-Modified", format_datetime(modified, usegmt=True))
        if gzip_ok:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        if not head:
            self.wfile.write(body)
        return 200

    def _send_canned(self, canned: Canned, head: bool) -> int:
        self.send_response(canned.status)
        for name, value in canned.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(canned.body)))
        self.end_headers()
        if not head:
            self.wfile.write(canned.body)
        return canned.status

    def _send_page(self, name: str, status: int) -> int:
        reference = hashlib.sha1(f"{time.time()}".encode(), usedforsecurity=False).hexdigest()[:24]
        body = (PAGES / name).read_text().replace("{reference}", f"0.{reference}").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=0, no-cache, no-store")
        self.end_headers()
        self.wfile.write(body)
        return status

    def _send_xml(self, name: str, status: int, key: str = "") -> int:
        request_id = hashlib.sha1(f"{time.time()}{key}".encode(), usedforsecurity=False).hexdigest()[:16].upper()
        body = (
            (PAGES / name).read_text()
            .replace("{key}", key).replace("{request_id}", request_id).replace("{host_id}", request_id * 4)
            .encode()
        )
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Server", "Apache")
        self.end_headers()
        self.wfile.write(body)
        return status

    def _send_fault(self, fault: str, path: str) -> int:
        """Misbehave as asked. Returns 0 when the normal answer should follow (slow)."""
        if fault in ("500", "503"):
            body = b"<html><head><title>SEC.gov | File Unavailable</title></head><body>Unavailable</body></html>"
            self.send_response(int(fault))
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return int(fault)
        if fault == "slow":
            time.sleep(self.edgar.config.slow_seconds)
            return 0
        if fault == "reset":  # RST instead of an answer
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return -1
        file = self.edgar.resolve(path)
        full = _read(file) if file else b"x" * 4096
        if fault == "truncate":  # promise the whole body, send half, hang up
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(full)))
            self.end_headers()
            self.wfile.write(full[: len(full) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return -2
        if fault == "corrupt":  # a well-formed HTTP answer whose body is not a whole submission
            body = full[: len(full) // 3]
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return 200
        raise ValueError(f"unknown fault kind {fault!r}")


def read_log(path: Path) -> list[dict[str, object]]:
    """The request log as a list of records (tests count requests and rates from it)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def max_requests_in_window(times: list[float], window: float = 1.0) -> int:
    """Largest number of arrival times inside any half-open window of `window` seconds."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="fake-edgar", description="Serve a mirror tree like EDGAR, on loopback.")
    parser.add_argument("--root", type=Path, required=True,
                        help="a folder laid out like EDGAR's URL space: Archives/edgar/data/<cik>/<acc18>/<acc>.txt, "
                             "Archives/edgar/full-index/YYYY/QTRn/form.idx, Archives/edgar/daily-index/..., and "
                             "submissions/CIK##########.json (the bundled sample, tests/data/edgar, is one)")
    parser.add_argument("--port", type=int, default=8765, help="loopback port to listen on (default 8765)")
    parser.add_argument("--block-seconds", type=float, default=600.0,
                        help="how long a client that went over 10 requests/s is answered with the throttle page "
                             "(default 600, as EDGAR)")
    parser.add_argument("--throttle-status", type=int, choices=(403, 429), default=403,
                        help="HTTP status of the throttle page (default 403, as EDGAR)")
    parser.add_argument("--fault-rate", type=float, default=0.0,
                        help="share of filing requests answered with a fault: 500, 503, a reset, a slow or a truncated "
                             "body (default 0)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the faults' random choice (default 0)")
    parser.add_argument("--log", type=Path, help="append one JSON line per request to this file")
    args = parser.parse_args(argv)
    if not (args.root / "Archives" / "edgar").is_dir():
        parser.error(f"--root {args.root}: not a folder laid out like EDGAR (no Archives/edgar/ in it); "
                     "try --root tests/data/edgar")
    config = FakeEdgarConfig(root=args.root, block_seconds=args.block_seconds,
                             throttle_status=args.throttle_status, fault_rate=args.fault_rate,
                             seed=args.seed, log_path=args.log)
    try:
        server = FakeEdgar(config, port=args.port)
    except OSError as exc:
        parser.error(f"cannot listen on 127.0.0.1:{args.port} ({exc.strerror}); give another --port")
    print(f"fake EDGAR serving {args.root} at {server.url}", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
