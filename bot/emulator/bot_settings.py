"""The bot's own profile and settings: getMe, command lists by scope and language, the chat menu
button, and the bot's description, short description and name."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from bot.emulator.params import Params
from bot.emulator.records import JSON, bad_request, words
from bot.emulator.state import EmulatorState

COMMAND_SCOPES = words(
    "default all_private_chats all_group_chats all_chat_administrators chat "
    "chat_administrators chat_member"
)


def _scope_key(scope: Any) -> str:
    if scope is None:
        scope = {"type": "default"}
    elif hasattr(scope, "to_dict"):  # a PTB BotCommandScope
        scope = scope.to_dict()
    return json.dumps(scope, sort_keys=True)


class BotSettingsMethods(EmulatorState):
    """getMe, set/get/deleteMyCommands, set/getChatMenuButton, set/getMyDescription,
    set/getMyShortDescription and set/getMyName."""

    def _api_getMe(self, params: Params) -> JSON:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _command_key(self, params: Params) -> tuple[str, str]:
        scope = params.get_json("scope") if params.get("scope") not in (None, "") else None
        if scope is not None and (
            not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES
        ):
            raise bad_request("can't parse BotCommandScope JSON object")
        if scope is not None and scope.get("type") in (
            "chat",
            "chat_administrators",
            "chat_member",
        ):
            self._chat(Params({"chat_id": scope.get("chat_id")}, {}))
        language = params.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        return _scope_key(scope), language

    def _api_setMyCommands(self, params: Params) -> bool:
        commands = params.get_json("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._command_key(params)
        if commands:
            self._commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self._commands.pop(key, None)
        return True

    def _api_getMyCommands(self, params: Params) -> list[JSON]:
        return copy.deepcopy(self._commands.get(self._command_key(params), []))

    def _api_deleteMyCommands(self, params: Params) -> bool:
        self._commands.pop(self._command_key(params), None)
        return True

    def commands(self, scope: Any = None, language_code: str | None = None) -> list[JSON]:
        return copy.deepcopy(self._commands.get((_scope_key(scope), language_code or ""), []))

    def effective_commands(self, user_id: int) -> list[JSON]:
        """The command list a Telegram client would show this user in the private chat."""
        language = self._user_chat(user_id).user.get("language_code", "")
        scopes = [{"type": "chat", "chat_id": user_id}, {"type": "all_private_chats"}, None]
        for scope in scopes:
            for lang in (language, ""):
                found = self._commands.get((_scope_key(scope), lang))
                if found:
                    return copy.deepcopy(found)
        return []

    def _api_setChatMenuButton(self, params: Params) -> bool:
        button = (
            params.get_json("menu_button") if params.get("menu_button") else {"type": "default"}
        )
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise bad_request("can't parse MenuButton JSON object")
        if params.get("chat_id") in (None, ""):
            self._default_menu_button = button
        else:
            self._chat(params).menu_button = button
        return True

    def _api_getChatMenuButton(self, params: Params) -> JSON:
        if params.get("chat_id") not in (None, ""):
            button = self._chat(params).menu_button
            if button is not None:
                return copy.deepcopy(button)
        return copy.deepcopy(self._default_menu_button or {"type": "default"})

    def menu_button(self, chat_id: int | None = None) -> JSON | None:
        if chat_id is not None and self._user_chat(chat_id).menu_button is not None:
            return copy.deepcopy(self._user_chat(chat_id).menu_button)
        return copy.deepcopy(self._default_menu_button)

    def _set_bot_text(self, params: Params, kind: str, limit: int) -> bool:
        text = params.get_str(kind) or ""
        if len(text) > limit:
            raise bad_request(f"{kind.upper()}_INVALID")
        self._bot_texts[(kind, params.get_str("language_code") or "")] = text
        return True

    def _get_bot_text(self, params: Params, kind: str) -> JSON:
        language = params.get_str("language_code") or ""
        return {kind: self._bot_texts.get((kind, language), "")}

    def _api_setMyDescription(self, params: Params) -> bool:
        return self._set_bot_text(params, "description", 512)

    def _api_getMyDescription(self, params: Params) -> JSON:
        return self._get_bot_text(params, "description")

    def _api_setMyShortDescription(self, params: Params) -> bool:
        return self._set_bot_text(params, "short_description", 120)

    def _api_getMyShortDescription(self, params: Params) -> JSON:
        return self._get_bot_text(params, "short_description")

    def _api_setMyName(self, params: Params) -> bool:
        return self._set_bot_text(params, "name", 64)

    def _api_getMyName(self, params: Params) -> JSON:
        result = self._get_bot_text(params, "name")
        return {"name": result["name"] or self.bot_first_name}

    def bot_text(self, kind: str, language_code: str | None = None) -> str | None:
        """Stored description / short_description / name for a language."""
        return self._bot_texts.get((kind, language_code or ""))
