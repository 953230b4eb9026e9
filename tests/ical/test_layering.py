"""The iCalendar layer is library code: no command line, web or database behind it."""

from __future__ import annotations

import subprocess
import sys


def test_importing_send_clock_ical_loads_no_cli_web_or_database_package():
    code = (
        "import sys, send_clock.ical\n"
        "print(sorted(m for m in ('click', 'fastapi', 'sqlalchemy', 'rich') if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "[]"
