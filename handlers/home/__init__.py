"""The person's home: /start and /help, and the big menu."""
