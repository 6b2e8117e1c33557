"""Adapters to the outside world: buttons (gpiozero), voice (pyttsx3 render + pygame mixer), leds.

Each adapter is thin and has a null or recording twin, for tests and for degraded modes (no
speaker, no GPIO). Import the module you need (``kiosk.io.voice``...): importing this package
loads no hardware library, so the pure parts (``kiosk.io.tones``) stay cheap to import.
"""
