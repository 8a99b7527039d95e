"""The console script: every stage is reachable and documented."""

from __future__ import annotations

import subprocess
import sys

from cafelake.cli import COMMANDS


def test_help_lists_every_stage():
    out = subprocess.run([sys.executable, "-c", "import sys; sys.argv=['cafelake','--help']; "
                          "from cafelake.cli import main; main()"],
                         capture_output=True, text=True, check=True).stdout
    missing = [name for name in COMMANDS if name not in out]
    assert not missing, f"commands not registered: {missing}"


def test_each_command_has_help():
    for name in COMMANDS:
        res = subprocess.run([sys.executable, "-c", f"import sys; sys.argv=['cafelake', {name!r}, '--help']; "
                              "from cafelake.cli import main; main()"], capture_output=True, text=True)
        assert res.returncode == 0, f"{name}: {res.stderr[-500:]}"
        assert "Usage" in res.stdout
