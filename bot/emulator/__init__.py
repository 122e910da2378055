"""Local Telegram Bot API emulator and a scripted-user driver for tests and offline trials."""

from bot.emulator.driver import MemberDriver
from bot.emulator.records import ApiCall, ApiError
from bot.emulator.server import BotApiEmulator

__all__ = ["ApiCall", "ApiError", "BotApiEmulator", "MemberDriver"]
