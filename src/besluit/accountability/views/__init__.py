"""Accountability pages: public overview and timelines, follow-up by the board and secretariat."""
