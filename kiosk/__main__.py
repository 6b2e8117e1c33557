"""``python -m kiosk``: the kiosk command, as the kiosk runs its own helpers (kiosk/usb.py)."""

import sys

from kiosk.entry import main

sys.exit(main())
