"""What the app makes at start-up stays out of the collector's full passes while it runs
(a full pass over it paused every request of the process), and is given back at stop."""

from __future__ import annotations

import gc
from typing import Any

from fastapi.testclient import TestClient


def test_start_up_objects_are_frozen_while_the_app_runs_and_released_at_stop(app: Any) -> None:
    gc.unfreeze()  # whatever an earlier test left
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the evidence base, templates and catalogues at least
        conditions = app.state.ctx.kb.conditions  # a dict: tracked, and made at start-up
        assert not any(o is conditions for o in gc.get_objects())  # not in any generation
    assert gc.get_freeze_count() == 0
    assert any(o is conditions for o in gc.get_objects())  # collectable again
