"""The person's home: /start and /help, the big menu, and the command lists Telegram shows."""
