"""Getting updates to the bot: getUpdates long polling (with offsets, limits and the conflict
of two pollers), the webhook settings that exclude it, and close/logOut."""

from __future__ import annotations

import copy

from bot.emulator.params import Params
from bot.emulator.records import JSON, ApiError, bad_request
from bot.emulator.state import EmulatorState


class UpdateMethods(EmulatorState):
    """getUpdates, setWebhook, deleteWebhook, getWebhookInfo, close and logOut."""

    async def _api_getUpdates(self, params: Params) -> list[JSON]:
        if self._webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = params.get_int("offset") or 0
        limit = min(max(params.get_int("limit") or 100, 1), 100)
        timeout = max(params.get_float("timeout") or 0.0, 0.0)
        allowed = params.get_json("allowed_updates") if "allowed_updates" in params.values else None
        if isinstance(allowed, list):
            self._webhook["allowed_updates"] = allowed
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation = self._poll_generation

        def batch() -> list[JSON] | bool:
            if generation != self._poll_generation:
                return True  # superseded by a newer getUpdates
            return self._deliverable()[:limit]

        await self.wait_for(batch, timeout)
        if generation != self._poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running",
            )
        return copy.deepcopy(self._deliverable()[:limit])

    def _deliverable(self) -> list[JSON]:
        allowed = self._webhook.get("allowed_updates")
        if not allowed:
            return self._updates
        return [u for u in self._updates if any(k in allowed for k in u if k != "update_id")]

    def _api_setWebhook(self, params: Params) -> bool:
        url = params.get_str("url") or ""
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook = {"url": url, "max_connections": params.get_int("max_connections") or 40}
        allowed = params.get_json("allowed_updates")
        if isinstance(allowed, list):
            self._webhook["allowed_updates"] = allowed
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        return True

    def _api_deleteWebhook(self, params: Params) -> bool:
        self._webhook.pop("url", None)
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        return True

    def _api_getWebhookInfo(self, params: Params) -> JSON:
        info: JSON = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook.get("url"):
            info["max_connections"] = self._webhook["max_connections"]
        if self._webhook.get("allowed_updates"):
            info["allowed_updates"] = self._webhook["allowed_updates"]
        return info

    def _api_close(self, params: Params) -> bool:
        return True

    def _api_logOut(self, params: Params) -> bool:
        return True

    def webhook(self) -> JSON:
        return copy.deepcopy(self._webhook)

    def pending_updates(self) -> list[JSON]:
        return copy.deepcopy(self._updates)
