"""Chat helpers every feature shares: the menu's words, and nothing that belongs to one feature."""
