"""Run the emulator standalone: ``python -m bot.emulator --port 8081``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from bot.emulator.playground_api import ChatApiEmulator


async def serve(host: str, port: int, bot_username: str) -> None:
    emulator = ChatApiEmulator(bot_username=bot_username)  # with the chat API for pages
    await emulator.start(host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not available on Windows
            loop.add_signal_handler(sig, stop.set)
    print(
        f"Telegram Bot API emulator running: TELEGRAM_API_BASE_URL={emulator.base_url} "
        f"TELEGRAM_API_FILE_URL={emulator.base_file_url} (control: {emulator.control_url})",
        flush=True,
    )
    try:
        await stop.wait()
    finally:
        await emulator.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--bot-username", default="panelbot_test_bot")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, args.bot_username))


if __name__ == "__main__":
    main()
