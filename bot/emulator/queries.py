"""Callback and inline queries: a user taps an inline button or types an inline query, which
queues an update; the bot answers it (answerCallbackQuery, answerInlineQuery) once."""

from __future__ import annotations

import copy
import secrets

from bot.emulator.params import Params
from bot.emulator.records import JSON, ApiError, bad_request
from bot.emulator.state import EmulatorState

QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class QueryMethods(EmulatorState):
    """Taps and inline queries from users, and the bot's answers to them."""

    def user_taps(
        self, user_id: int, message_id: int, callback_data: str, *, group_id: int | None = None
    ) -> str:
        """Queue a callback_query for a tap on `message_id` (in a group when given); returns the
        query id. The data is not checked against the keyboard, so tests can forge it."""
        sender = self._user_chat(user_id)
        chat = sender if group_id is None else self._group_chat(group_id)
        stored = chat.messages.get(message_id)
        if stored is None or stored.deleted:
            raise LookupError(f"message {message_id} does not exist in chat {chat.user['id']}")
        query_id = str(secrets.randbelow(10**18) + 10**18)
        self._callback_answers[query_id] = None
        self._queue_update(
            "callback_query",
            {
                "id": query_id,
                "from": copy.deepcopy(sender.user),
                "message": copy.deepcopy(stored.data),
                "chat_instance": str(-(10**18) - user_id),
                "data": callback_data,
            },
        )
        return query_id

    def answer_for(self, callback_query_id: str) -> JSON | None:
        """What answerCallbackQuery said (None while unanswered)."""
        return copy.deepcopy(self._callback_answers.get(callback_query_id))

    def _api_answerCallbackQuery(self, params: Params) -> bool:
        query_id = params.get_str("callback_query_id") or ""
        if query_id not in self._callback_answers or self._callback_answers[query_id] is not None:
            raise ApiError(400, QUERY_INVALID)
        text = params.get_str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._callback_answers[query_id] = {
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
            "cache_time": params.get_int("cache_time") or 0,
        }
        self._notify()
        return True

    def user_sends_inline_query(self, user_id: int, query: str) -> str:
        chat = self._user_chat(user_id)
        query_id = str(secrets.randbelow(10**18) + 10**18)
        self._inline_results[query_id] = None
        self._queue_update(
            "inline_query",
            {
                "id": query_id,
                "from": copy.deepcopy(chat.user),
                "query": query,
                "offset": "",
                "chat_type": "sender",
            },
        )
        return query_id

    def inline_results(self, query_id: str) -> list[JSON] | None:
        return copy.deepcopy(self._inline_results.get(query_id))

    def _api_answerInlineQuery(self, params: Params) -> bool:
        query_id = params.get_str("inline_query_id") or ""
        if query_id not in self._inline_results or self._inline_results[query_id] is not None:
            raise ApiError(400, QUERY_INVALID)
        results = params.get_json("results")
        if not isinstance(results, list) or not all(
            isinstance(r, dict) and "type" in r and "id" in r for r in results
        ):
            raise bad_request("can't parse InlineQueryResult JSON object")
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH")
        self._inline_results[query_id] = results
        self._notify()
        return True
