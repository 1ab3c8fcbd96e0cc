"""The gateway: what every HTTP request meets before Gradio sees it.

- Deep links are off. Gradio's `/gradio_api/deep_link?session_hash=...` copies every component
  of a session (an unlocked operator page's registry and audit tables included) into a file that
  `/config?deep_link=...` serves to anyone; the route answers 404 and the parameter is dropped.
- Gradio's `/monitoring` routes answer 404 unless `EASEL_MONITORING` asks for them.
- A request Gradio cannot handle (an unknown `fn_index`, a stream for a session that joined
  nothing) is answered 400 with a plain reason and one log line naming the route and the kind of
  error, instead of a bare 500 and a traceback that quotes what the client sent.
- Uploads (`/gradio_api/upload`) are counted per client address and in total over a 10-minute
  window, in files and in bytes (HTTP 429 with a plain reason beyond); each file's own size limit
  stays Gradio's (`max_file_size`, HTTP 413).

The client address is the connection's own unless the connection comes from a configured proxy:
`trust_only` tells uvicorn which proxies' X-Forwarded-For to believe.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import logging
import os
from urllib.parse import parse_qsl, urlencode

from chat.clients import TokenBuckets, address_key

log = logging.getLogger(__name__)

WINDOW_SECONDS = 600
# A refused upload is answered after this pause: a client uploading in a loop as fast as it can
# made 170 refused requests a second, whose handling took CPU from everyone's turns; waiting costs
# the server nothing (no thread).
REFUSAL_PAUSE_SECONDS = 1.0


def trust_only(proxies: str) -> None:
    """Believe X-Forwarded-For only from these comma-separated proxies (none when empty).

    uvicorn reads FORWARDED_ALLOW_IPS when the server starts and trusts loopback by default, so a
    client on the same host could name any address; this replaces whatever was set."""
    os.environ["FORWARDED_ALLOW_IPS"] = ",".join(p.strip() for p in proxies.split(",") if p.strip())


def fewer_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's malloc arenas for this process (M_ARENA_MAX). By default every thread that
    allocates gets its own arena, up to 8 per core, and Gradio's worker threads and the models'
    threads each keep freed memory in theirs: the served app grew from 1.6 GB after warm-up to
    2.4 GB. Elsewhere than glibc this does nothing."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # -8: M_ARENA_MAX
    except (OSError, AttributeError):
        pass


class Gateway:
    def __init__(
        self,
        app,
        *,
        upload_bytes_per_client: int = 100 * 1024 * 1024,
        uploads_per_client: int = 60,
        upload_bytes_total: int = 2000 * 1024 * 1024,
        monitoring: bool = False,
    ):
        self.app = app
        self.monitoring = monitoring
        per_second = 1 / WINDOW_SECONDS
        self.client_files = TokenBuckets(uploads_per_client * per_second, burst=uploads_per_client)
        self.client_bytes = TokenBuckets(upload_bytes_per_client * per_second, burst=upload_bytes_per_client)
        self.total_bytes = TokenBuckets(upload_bytes_total * per_second, burst=upload_bytes_total)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if path.rstrip("/").endswith("/deep_link") or (not self.monitoring and "/monitoring" in path):
            return await _refuse(send, 404, "Not found.")
        query = scope.get("query_string", b"")
        if b"deep_link" in query:
            pairs = [(k, v) for k, v in parse_qsl(query.decode("latin-1"), keep_blank_values=True) if k != "deep_link"]
            scope = dict(scope, query_string=urlencode(pairs).encode("latin-1"))
        if scope.get("method") == "POST" and path.rstrip("/").endswith("/upload"):
            problem = self._upload_problem(scope)
            if problem:
                await asyncio.sleep(REFUSAL_PAUSE_SECONDS)
                return await _refuse(send, *problem)
        await self._answered(scope, receive, send)

    async def _answered(self, scope, receive, send) -> None:
        started = False

        async def tracked(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as error:
            # The route, not the whole path (file routes carry file names), and the kind of error,
            # not its text (it can quote the request). The traceback is there at DEBUG.
            route = "/".join(scope.get("path", "").split("/")[:3])
            log.warning("request to %s failed: %s", route, type(error).__name__)
            log.debug("request failure", exc_info=True)
            if not started:
                await _refuse(send, 400, "The server could not handle this request.")

    def _upload_problem(self, scope) -> tuple[int, str] | None:
        """(status, reason) when this upload may not start, else None; counted by its declared size."""
        size = next((v for k, v in scope.get("headers", []) if k == b"content-length"), None)
        if size is None or not size.isdigit():
            return 411, "Uploads must declare their size (Content-Length)."
        size = int(size)
        client = address_key((scope.get("client") or ("unknown", 0))[0])
        if self.client_files.take(client) > 0:
            return 429, "Too many uploads from your address; please wait a few minutes."
        if self.client_bytes.take(client, size) > 0:
            return 429, "You have uploaded too much in the last few minutes; please wait before uploading more."
        if self.total_bytes.take("all", size) > 0:
            return 429, "The server takes no more uploads right now; please try again in a few minutes."
        return None


async def _refuse(send, status: int, reason: str) -> None:
    body = json.dumps({"detail": reason}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
