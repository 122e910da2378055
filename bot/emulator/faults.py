"""What a request meets on its way to "Telegram", and how tests inject faults into it: a gate
that holds sends (hold/release), slow answers (delay_next), error answers (fail_next),
blocked users' 403 and the flood limits' 429 (bot/emulator/limits.py)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from http import HTTPStatus

from aiohttp import web

from bot.emulator.limits import FloodRefused
from bot.emulator.params import Params
from bot.emulator.records import ApiCall, ApiError, DroppedRequest, HoldGate, QueuedFault, words
from bot.emulator.state import EmulatorState

# Methods that create a message in a chat (subject to blocking and flood limits).
SEND_METHODS = words(
    "sendmessage sendphoto senddocument sendpoll sendsticker sendaudio sendvideo sendvoice "
    "sendanimation sendlocation sendcontact sendmediagroup copymessage forwardmessage "
    "senddice sendvenue sendvideonote"
)
EDIT_METHODS = frozenset(
    ["editmessagetext", "editmessagecaption", "editmessagereplymarkup", "editmessagemedia"]
)
# What hold() swallows by default: everything that changes what the user sees.
HOLD_METHODS = SEND_METHODS | EDIT_METHODS | {"deletemessage"}
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class FaultInjection(EmulatorState):
    """Checks each request on arrival and lets tests make Telegram slow, failing or silent."""

    async def _before(self, call: ApiCall, key: str, params: Params, request: web.Request) -> None:
        """Fault injection, in the order a request meets them on the way to Telegram."""
        gate = self._gate
        if gate is not None and key in gate.methods:
            call.outcome = "held"
            gate.calls.append(call)
            self._notify()
            await gate.event.wait()
            if gate.drop or request.transport is None or request.transport.is_closing():
                raise DroppedRequest
            call.outcome = "pending"
        delays = self._delays.get(key) or self._delays.get("*")
        if delays:
            await self._sleep(delays.popleft())
        faults = self._faults.get(key) or self._faults.get("*")
        if faults:
            fault = faults.popleft()
            retry_after = fault.retry_after
            if fault.status == 429 and retry_after is None:
                retry_after = 1
            default = DEFAULT_DESCRIPTIONS.get(fault.status) or HTTPStatus(fault.status).phrase
            if fault.status == 429:
                default = f"Too Many Requests: retry after {retry_after}"
            raise ApiError(fault.status, fault.description or default, retry_after)
        chat_id = self._maybe_chat_id(params)
        sends = key in SEND_METHODS or key in EDIT_METHODS or key == "sendchataction"
        chat = self._chats.get(chat_id) if chat_id is not None else None
        if sends and chat is not None and chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        limits = self.limits
        if limits is not None and limits.applies_to(
            is_send=key in SEND_METHODS, is_edit=key in EDIT_METHODS
        ):
            try:
                limits.check(chat_id)
            except FloodRefused as refused:
                raise ApiError(429, str(refused), refused.retry_after) from None

    def fail_next(
        self,
        method: str,
        status: int,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next `count` calls of `method` ("*" = any) with an error."""
        queue = self._faults.setdefault(method.lower(), deque())
        queue.extend(QueuedFault(status, retry_after, description) for _ in range(count))

    def clear_faults(self) -> None:
        """Telegram works again: drop every fault still queued by fail_next()."""
        self._faults.clear()

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Answer the next `count` calls of `method` ("*" = any) only after `seconds`."""
        self._delays.setdefault(method.lower(), deque()).extend([seconds] * count)

    def hold(self, methods: Iterable[str] | None = None) -> None:
        """Accept but do not answer (or deliver) send-type requests until release()."""
        if self._gate is not None:
            raise RuntimeError("already held")
        names = HOLD_METHODS if methods is None else frozenset(m.lower() for m in methods)
        self._gate = HoldGate(names)

    def release(self, *, drop: bool = False) -> int:
        """Let held requests through (drop=True: they never reach "Telegram"; the client's
        connection is cut). Requests whose client already disconnected are dropped anyway.
        Returns how many requests were held."""
        gate, self._gate = self._gate, None
        if gate is None:
            return 0
        gate.drop = drop
        gate.event.set()
        return len(gate.calls)

    @property
    def is_held(self) -> bool:
        return self._gate is not None

    def held(self) -> list[ApiCall]:
        return list(self._gate.calls) if self._gate else []

    async def wait_held(self, count: int = 1, timeout: float = 5.0) -> list[ApiCall]:  # noqa: ASYNC109
        """Wait until at least `count` requests are parked at the hold() gate."""
        result = await self.wait_for(lambda: len(self.held()) >= count, timeout)
        if not result:
            raise AssertionError(f"expected {count} held request(s), got {len(self.held())}")
        return self.held()
