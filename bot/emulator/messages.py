"""Bot API methods on messages: send text, photos, documents and voice notes; edit and delete
them; chat actions ("typing..."); and getChat."""

from __future__ import annotations

from bot.emulator.composing import MAX_TEXT, MessageComposer
from bot.emulator.files import FileStore
from bot.emulator.params import Params
from bot.emulator.records import JSON, bad_request, words

CHAT_ACTIONS = words(
    "typing upload_photo record_video upload_video record_voice upload_voice "
    "upload_document choose_sticker find_location record_video_note upload_video_note"
)


class MessageMethods(MessageComposer, FileStore):
    """sendMessage, sendPhoto, sendDocument, sendVoice, editMessage*, deleteMessage,
    sendChatAction and getChat."""

    def _api_sendMessage(self, params: Params) -> JSON:
        chat = self._chat(params)
        text, entities = self._formatted(params, "text", "entities", MAX_TEXT, caption=False)
        return self._store_bot_message(chat, params, {"text": text, "entities": entities})

    def _api_sendPhoto(self, params: Params) -> JSON:
        chat = self._chat(params)
        caption = self._caption(params)
        stored = self._input_file(params, "photo", "photo")
        content = {"photo": self._photo_sizes(stored), **caption}
        if params.get_bool("has_spoiler"):
            content["has_media_spoiler"] = True
        return self._store_bot_message(chat, params, content)

    def _api_sendDocument(self, params: Params) -> JSON:
        chat = self._chat(params)
        caption = self._caption(params)
        stored = self._input_file(params, "document", "document")
        return self._store_bot_message(
            chat, params, {"document": self._document(stored), **caption}
        )

    def _api_sendVoice(self, params: Params) -> JSON:
        chat = self._chat(params)
        caption = self._caption(params)
        stored = self._input_file(params, "voice", "voice")
        return self._store_bot_message(chat, params, {"voice": self._voice(stored), **caption})

    def _api_editMessageText(self, params: Params) -> JSON:
        chat = self._chat(params)
        stored = self._own_message(chat, params, "message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        if "text" not in stored.data:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._formatted(params, "text", "entities", MAX_TEXT, caption=False)
        markup = self._edit_markup(params)
        return self._apply_edit(
            stored, {"text": text, "entities": entities or None, "reply_markup": markup}
        )

    def _api_editMessageCaption(self, params: Params) -> JSON:
        chat = self._chat(params)
        stored = self._own_message(chat, params, "message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        if not {"photo", "document"} & stored.data.keys():
            raise bad_request("there is no caption in the message to edit")
        caption = self._caption(params)
        markup = self._edit_markup(params)
        return self._apply_edit(
            stored,
            {
                "caption": caption["caption"] or None,
                "caption_entities": caption["caption_entities"] or None,
                "reply_markup": markup,
            },
        )

    def _api_editMessageReplyMarkup(self, params: Params) -> JSON:
        chat = self._chat(params)
        stored = self._own_message(chat, params, "message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        return self._apply_edit(stored, {"reply_markup": self._edit_markup(params)})

    def _api_deleteMessage(self, params: Params) -> bool:
        chat = self._chat(params)
        stored = self._own_message(chat, params, "message to delete not found")
        stored.deleted = True
        self._notify()
        return True

    def _api_sendChatAction(self, params: Params) -> bool:
        chat = self._chat(params)
        action = params.get_str("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.actions.append(action)
        return True

    def _api_getChat(self, params: Params) -> JSON:
        chat = self._chat(params)
        return {
            **chat.chat_object(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
