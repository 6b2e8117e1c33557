"""What the kiosk says: every spoken line, the speech pacing, and the caption queue."""
