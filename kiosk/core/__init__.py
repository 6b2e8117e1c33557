"""The functional core: plain data in, effects out.

Nothing in this package imports pygame, gpiozero, pyttsx3, TinyDB or touches files, threads or
the wall clock. Time arrives inside events; everything the outside world should do leaves as an
effect. That keeps a whole session testable in milliseconds.
"""
