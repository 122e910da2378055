"""What runs around every feature: errors and retries, floods, group chats, blocked bots and
alerts about messages that could not be sent."""
