"""`panelbot playground`: try the real bot in a browser, with no token and no internet."""
