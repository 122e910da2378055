"""Telegram handlers, one module per feature. Thin: parse, authorise, call a service, reply."""
