"""importlib.metadata waits for its first use in a kiosk process (kiosk/lazy_metadata.py), and
then behaves exactly as the real module. pytest has imported the real one already, so the
stand-in is checked in a fresh interpreter."""

import subprocess
import sys
import textwrap

from kiosk import lazy_metadata

FRESH = textwrap.dedent("""
    import sys
    import kiosk
    from kiosk.lazy_metadata import _StandIn

    assert isinstance(sys.modules["importlib.metadata"], _StandIn), "no stand-in"
    from gpiozero.pins.mock import MockFactory
    from gpiozero import DigitalInputDevice

    button = DigitalInputDevice(17, pull_up=True, pin_factory=MockFactory())
    button.pin.drive_low()
    print("pressed", button.value)
    # gpiozero imported it for nothing: the mail and zip modules it brings never came.
    print("deferred", isinstance(sys.modules["importlib.metadata"], _StandIn),
          "email" in sys.modules, "zipfile" in sys.modules)
    # Then a real use: gpiozero's own lookup of a pin factory by name, and a version.
    import os
    from gpiozero.devices import Device
    os.environ["GPIOZERO_PIN_FACTORY"] = "mock"
    print("factory", type(Device._default_pin_factory()).__name__)
    from importlib.metadata import version
    import importlib.metadata
    print("version", version("gpiozero") == importlib.metadata.version("gpiozero") != "")
    print("real", type(sys.modules["importlib.metadata"]).__name__,
          importlib.metadata is sys.modules["importlib.metadata"])
""")


def test_gpiozero_runs_without_it_and_a_real_use_gets_the_real_module() -> None:
    done = subprocess.run([sys.executable, "-c", FRESH], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:-1] == [
        "pressed 1",
        "deferred True False False",
        "factory MockFactory",
        "version True",
        "real module True",
    ]


def test_a_process_that_has_the_real_module_keeps_it() -> None:
    import importlib.metadata as real

    assert lazy_metadata.install() is False
    assert sys.modules["importlib.metadata"] is real
