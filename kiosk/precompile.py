"""``python -m kiosk.precompile``: what an install does so that the kiosk starts fast.

It compiles the modules' bytecode (the service cannot write ``__pycache__`` under
``ProtectSystem=strict``), then caches the methods of every dataclass (kiosk/bytecode.py).
``systemd/install.sh``, ``make setup`` and the start-up benchmarks run it.
"""

from __future__ import annotations

import compileall
import sys

from kiosk import bytecode


def main(argv: list[str] | None = None) -> int:
    quiet = "-q" in (sys.argv[1:] if argv is None else argv)
    ok = compileall.compile_dir(str(bytecode.PACKAGE), quiet=1)
    count = bytecode.write()
    if not quiet:
        print(f"kiosk: bytecode compiled, {count} dataclass methods cached in {bytecode.CACHE}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
