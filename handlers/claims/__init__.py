"""Expenses: the claim form (/claim, "Expenses"), a member's own claims (/expenses) with their
answers to a coordinator's questions, the coordinator's review (/review) and /export, and the
notices about claims sent through the outbox."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler

from handlers.claims import export, form, my_claims, offer, review
from handlers.claims.form import start_claim
from handlers.claims.notices import register as register_notices

__all__ = ["handlers", "register_notices", "start_claim"]


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        *form.handlers(),
        *offer.handlers(),
        *my_claims.handlers(),
        *review.handlers(),
        *export.handlers(),
    ]
