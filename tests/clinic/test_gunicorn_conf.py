"""gunicorn.conf.py's worker hook: the loaded application is frozen out of the collector."""

import gc
import runpy
from pathlib import Path


def test_a_worker_freezes_what_it_loaded_so_full_collections_skip_it():
    config = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 10_000  # Django and the apps' objects
    finally:
        gc.unfreeze()
