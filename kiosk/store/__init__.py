"""The history store: crash-safe TinyDB storage, the history, and its background writer.

Typical use from the shell::

    writer = HistoryWriter(data_dir, on_result=results.put)
    if writer.recovery:
        tell_user(writer.recovery.message)
    ...
    writer.save(session.record())  # from a Save effect; returns at once
    ...
    writer.close()
"""

from kiosk.store.atomic import AtomicJSONStorage
from kiosk.store.history import MonthFile, Recovery
from kiosk.store.writer import HistoryWriter, SaveResult

__all__ = ["AtomicJSONStorage", "MonthFile", "HistoryWriter", "Recovery", "SaveResult"]
