"""The screens the UI tests draw: kiosk/ui/gallery.py, which ``kiosk screens`` draws too."""

from kiosk.ui.gallery import EXHALE, INHALE, SIZES, T0, views

__all__ = ["EXHALE", "INHALE", "SIZES", "T0", "views"]
