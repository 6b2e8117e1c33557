"""The kiosk's flows: every screen it runs (the router and home, the session, rituals, the
questions, the pain log, the screening, the history screens and menu)."""
