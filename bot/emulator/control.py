"""The emulator's own HTTP control endpoints under /_emulator (add a user, send text as them,
tap a button, read a chat), for scripts and pages outside the test process. The browser chat
API built on top of them is in playground_api.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.emulator.queries import QueryMethods
from bot.emulator.records import JSON
from bot.emulator.user_actions import UserActions


class ControlEndpoints(UserActions, QueryMethods):
    """aiohttp handlers for /_emulator/users, /send, /tap and /chats/{chat_id}/messages."""

    async def _control(self, request: web.Request, action: Callable[[JSON], Any]) -> web.Response:
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("expected a JSON object")
            return web.json_response({"ok": True, "result": action(body)})
        except (KeyError, LookupError, ValueError, TypeError) as error:
            return web.json_response({"ok": False, "description": str(error)}, status=400)

    async def _ctl_add_user(self, request: web.Request) -> web.Response:
        return await self._control(
            request,
            lambda b: self.add_user(
                int(b["user_id"]),
                str(b.get("first_name") or "User"),
                language_code=b.get("language_code"),
                username=b.get("username"),
                last_name=b.get("last_name"),
            ),
        )

    async def _ctl_send(self, request: web.Request) -> web.Response:
        return await self._control(
            request, lambda b: self.user_sends_text(int(b["user_id"]), str(b["text"]))
        )

    async def _ctl_tap(self, request: web.Request) -> web.Response:
        return await self._control(
            request,
            lambda b: {
                "callback_query_id": self.user_taps(
                    int(b["user_id"]), int(b["message_id"]), str(b["data"])
                )
            },
        )

    async def _ctl_messages(self, request: web.Request) -> web.Response:
        """Messages of a chat (user's included). `?after_version=N&timeout=S` long-polls until
        something changes after version N, so a page can follow the chat without busy polling."""
        try:
            chat_id = int(request.match_info["chat_id"])
            after = int(request.query.get("after_version", -1))
            timeout = min(float(request.query.get("timeout", 0)), 60.0)
        except ValueError:
            return web.json_response({"ok": False, "description": "bad parameters"}, status=400)
        if after >= 0:
            await self.wait_for(lambda: self._version > after, timeout)
        result = {
            "version": self._version,
            "messages": self.messages(chat_id, include_deleted=True, include_user=True),
        }
        return web.json_response({"ok": True, "result": result})
