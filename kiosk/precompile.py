"""``python -m kiosk.precompile``: what an install does so that the kiosk starts fast.

It compiles the modules' bytecode (the service cannot write ``__pycache__`` under
``ProtectSystem=strict``), then caches the methods of every dataclass (kiosk/bytecode.py) and
the parsed packaged config files (kiosk/tomlcache.py).
``systemd/install.sh``, ``make setup`` and the start-up benchmarks run it.
"""

from __future__ import annotations

import compileall
import sys

from kiosk import bytecode, tomlcache


def main(argv: list[str] | None = None) -> int:
    quiet = "-q" in (sys.argv[1:] if argv is None else argv)
    ok = compileall.compile_dir(str(bytecode.PACKAGE), quiet=1)
    count = bytecode.write()
    from kiosk.config import PACKAGED

    files = tomlcache.write(sorted(PACKAGED.glob("*.toml")))
    if not quiet:
        print(f"kiosk: bytecode compiled, {count} dataclass methods cached in "
              f"{bytecode.CACHE}, and {files} config files parsed into {tomlcache.CACHE}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
