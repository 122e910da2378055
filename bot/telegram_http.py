"""The bot's HTTP client for the Bot API: python-telegram-bot's request interface over aiohttp.

PTB's default client is httpx. Under load it was the bot's largest single cost: about 3.5 ms
of CPU per call with 16 calls in flight (httpcore's pool and anyio layers), against 0.3-0.5 ms
for aiohttp on the same calls (bench/README.md, "Updates under load"). aiohttp is already a
dependency (the emulator is an aiohttp server) and is well kept, so this is a thin adapter, not
an HTTP client of our own: it maps PTB's timeouts and errors onto aiohttp's.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of `pool_size` connections.

    Timeouts follow PTB's meaning: `pool` + `connect` to get a connection, `read` for each wait
    on the answer; `write` (media_write for uploads) bounds the whole call together with the
    others, since aiohttp has no separate write timeout.
    """

    def __init__(
        self,
        pool_size: int = 256,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = self._read if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool if isinstance(pool_timeout, DefaultValue) else pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write = self._media_write if files else self._write
        else:
            write = write_timeout
        timeout = aiohttp.ClientTimeout(
            total=_sum(read, write, connect, pool),
            connect=_sum(connect, pool),
            sock_connect=connect,
            sock_read=read,
        )
        try:
            body, headers = _body(request_data, files)
            async with self._session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=timeout,
                proxy=self._proxy_for(url),
            ) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # The class name says what failed when the message is empty (a reset connection).
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err

    def _proxy_for(self, url: str) -> str | None:
        """The proxy the environment names for this host (HTTPS_PROXY, NO_PROXY...), as httpx
        honoured it; looked up once per host rather than on every call."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._proxies:
            proxy = urllib.request.getproxies().get(parts.scheme)
            if proxy and urllib.request.proxy_bypass(parts.hostname or ""):
                proxy = None
            self._proxies[key] = proxy or None
        return self._proxies[key]


class UpdatesRequest(AiohttpRequest):
    """The client for getUpdates: it hands each answer's updates, still raw, to `thin` before
    python-telegram-bot decodes them, so a flood can be dropped cheaply (bot/update_order.py).
    Filtering the HTTP answer through PTB's public request interface, not its internals."""

    def __init__(
        self, thin: Callable[[list[dict[str, Any]]], list[dict[str, Any]]], **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._thin = thin

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        status, body = await super().do_request(url, method, *args, **kwargs)
        if status != 200 or not url.endswith("/getUpdates"):
            return status, body
        answer = json.loads(body)
        updates = answer.get("result")
        if not isinstance(updates, list) or len(updates) < 2:
            return status, body
        kept = self._thin(updates)
        if len(kept) == len(updates):
            return status, body
        answer["result"] = kept
        return status, json.dumps(answer).encode()


_JSON = {"Content-Type": "application/json"}


def _sum(*timeouts: float | None) -> float | None:
    """The sum of the limits, or None (no limit) if any of them is None."""
    if any(t is None for t in timeouts):
        return None
    return float(sum(t for t in timeouts if t is not None))


def _body(
    request_data: RequestData | None, files: dict[str, Any] | None
) -> tuple[Any, dict[str, str] | None]:
    """A JSON body (one of the Bot API's documented forms), or a multipart form when there are
    files, with values as PTB's default client sends them. JSON rather than PTB's url-encoded
    form: url-encoding a long message and its buttons byte by byte in Python cost a few percent
    of the bot's CPU; json.dumps is C."""
    if request_data is None:
        return None, None
    if not files:
        return json.dumps(request_data.parameters).encode(), _JSON
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form, None
