"""gunicorn's application for `bench/http_load.py`: the site, with the clock at the workload's
"now" (Sun 6 Jan 2030 12:00, as bench/run.py has it), ticking. The workload's diary is fixed in
2030, so every worker runs at that time: the measured days are then two weeks ahead, inside the
clinic's usual notice and horizon, exactly as in the in-process figures."""

import time_machine

from bench.http_settings import CLOCK

time_machine.travel(CLOCK, tick=True).start()

from clinic.wsgi import application  # noqa: E402 (after the clock moved)

__all__ = ["application"]
