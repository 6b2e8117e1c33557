"""Offline back-care exercise-therapy kiosk: guided sessions by voice and three buttons."""

__version__ = "0.1.0"
