"""The list pages' responses, replayed to the same request until the store's data changes.

The home page, the story list API, the feeds and the searches answer the same
request with the same bytes until an article is added (the store's newest
sequence number grows) or the minute turns (relative times and filters move).
:class:`ListResponses` sits in front of the routes, records the response the
app sent for a GET of one of those paths (status, headers, body) keyed by path,
query string, data version and minute, and replays it: a repeated request costs
one indexed query and no routing, validation, rendering or JSON encoding. When
only the minute has turned, the last minute's response is replayed while the
new one is computed in the background (the first request of each minute would
otherwise wait for it, and every request for that path behind it). It sits
inside :class:`~storyfuse.web.app.SecurityHeaders`, which adds the policy
headers to replayed responses as to any other, and answers HEAD.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyfuse.web.site import LRUCache, Site, current_minute

logger = logging.getLogger(__name__)
LIST_PATHS = frozenset({"/", "/api/stories", "/feed.xml", "/feed.json", "/search", "/api/search"})
RESPONSES_KEPT = 512

ResponseKey = tuple[str, bytes, int, int]  # path, query string, data version, minute
Recorded = tuple[int, list[tuple[bytes, bytes]], bytes]  # status, headers, body


class ListResponses:
    """Replays recorded responses of the list paths (see the module docstring)."""

    def __init__(self, app: ASGIApp, site: Site) -> None:
        self.app = app
        self.site = site
        self.recorded: LRUCache[ResponseKey, Recorded] = LRUCache(RESPONSES_KEPT)
        self._refreshing: dict[ResponseKey, asyncio.Task[None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in LIST_PATHS:
            await self.app(scope, receive, send)
            return
        version = self.site.connection().latest_seq()
        minute = current_minute()
        key = (scope["path"], scope["query_string"], version, minute)
        recorded = self.recorded.get(key)
        if recorded is None:
            recorded = self.recorded.get((*key[:3], minute - 1))
            if recorded is not None and key not in self._refreshing:
                self._refreshing[key] = asyncio.ensure_future(self._refresh(dict(scope), key))
        if recorded is not None:
            status, headers, body = recorded
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})
            return
        await self._record(scope, receive, send, key)

    async def _refresh(self, scope: Scope, key: ResponseKey) -> None:
        """Record this minute's response to a request nobody waits for."""

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def discard(message: Message) -> None:
            return None

        try:
            await self._record(scope, receive, discard, key)
        except Exception:  # the next request computes it in the open, and sees the error
            logger.exception("recomputing %s failed", scope["path"])
        finally:
            self._refreshing.pop(key, None)

    async def _record(self, scope: Scope, receive: Receive, send: Send, key: ResponseKey) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and start.get("status", 500) < 500:
                    headers = [(bytes(k), bytes(v)) for k, v in start.get("headers", [])]
                    self.recorded.put(key, (int(start["status"]), headers, b"".join(chunks)))
            await send(message)

        await self.app(scope, receive, record)
