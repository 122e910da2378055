"""Polls: the bot sends and stops them (sendPoll, stopPoll); users vote in them, which queues
poll and poll_answer updates."""

from __future__ import annotations

import copy
import secrets

from bot.emulator.composing import MessageComposer
from bot.emulator.params import Params
from bot.emulator.records import JSON, bad_request


class PollMethods(MessageComposer):
    """sendPoll, stopPoll, and user_votes() for tests."""

    def _api_sendPoll(self, params: Params) -> JSON:
        chat = self._chat(params)
        question = (params.get_str("question") or "").strip()
        if not question:
            raise bad_request("poll question must be non-empty")
        if len(question) > 300:
            raise bad_request("poll question length must not exceed 300")
        raw_options = params.get_json("options")
        if not isinstance(raw_options, list):
            raise bad_request("can't parse options JSON object")
        options = [o.get("text") if isinstance(o, dict) else o for o in raw_options]
        if len(options) < 2:
            raise bad_request("poll must have at least 2 option")
        if len(options) > 12:
            raise bad_request("poll can't have more than 12 options")
        if not all(isinstance(o, str) and 1 <= len(o.strip()) <= 100 for o in options):
            raise bad_request("poll options length must not exceed 100")
        texts = [str(o).strip() for o in options]
        poll_type = params.get_str("type") or "regular"
        if poll_type not in ("regular", "quiz"):
            raise bad_request("wrong poll type specified")
        poll: JSON = {
            "id": str(secrets.randbelow(10**18) + 10**18),
            "question": question,
            "options": [
                {"text": text, "voter_count": 0, "persistent_id": str(i)}
                for i, text in enumerate(texts)
            ],
            "total_voter_count": 0,
            "is_closed": params.get_bool("is_closed"),
            "is_anonymous": params.get_bool("is_anonymous", default=True),
            "type": poll_type,
            "allows_multiple_answers": params.get_bool("allows_multiple_answers"),
            "allows_revoting": params.get_bool("allows_revoting", default=poll_type == "regular"),
            "members_only": params.get_bool("members_only"),
        }
        if poll_type == "quiz":
            correct = params.get_json("correct_option_ids")
            if correct is None and params.get_int("correct_option_id") is not None:
                correct = [params.get_int("correct_option_id")]
            if (
                not isinstance(correct, list)
                or not correct
                or not all(isinstance(c, int) and 0 <= c < len(options) for c in correct)
            ):
                raise bad_request("wrong correct option ID specified")
            poll["correct_option_ids"] = correct
        message = self._store_bot_message(chat, params, {"poll": poll})
        self._polls[poll["id"]] = (chat.user["id"], message["message_id"])
        return message

    def _api_stopPoll(self, params: Params) -> JSON:
        chat = self._chat(params)
        stored = self._own_message(chat, params, "message with poll to stop not found")
        poll = stored.data.get("poll")
        if poll is None:
            raise bad_request("message with poll to stop not found")
        if poll["is_closed"]:
            raise bad_request("poll has already been closed")
        markup = self._edit_markup(params)
        poll["is_closed"] = True
        if markup is not None:
            stored.data["reply_markup"] = markup
        self._notify()
        return copy.deepcopy(poll)

    def user_votes(self, user_id: int, message_id: int, option_ids: list[int]) -> None:
        """The user answers a poll the bot sent: queues poll (and poll_answer) updates."""
        chat = self._user_chat(user_id)
        stored = chat.messages.get(message_id)
        poll = stored.data.get("poll") if stored else None
        if poll is None or poll["is_closed"]:
            raise LookupError(f"no open poll in message {message_id}")
        for option_id in option_ids:
            poll["options"][option_id]["voter_count"] += 1
        poll["total_voter_count"] += 1
        self._queue_update("poll", copy.deepcopy(poll))
        if not poll["is_anonymous"]:
            self._queue_update(
                "poll_answer",
                {
                    "poll_id": poll["id"],
                    "user": copy.deepcopy(chat.user),
                    "option_ids": option_ids,
                    "option_persistent_ids": [
                        poll["options"][i]["persistent_id"] for i in option_ids
                    ],
                },
            )
