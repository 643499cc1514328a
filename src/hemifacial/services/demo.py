"""Demo data for ``hemifacial serve --demo``: a demo account and a few realistic cases
(typical HFS, red-flag young onset, post-Bell's palsy, a blepharospasm mimic) with videos.

Videos come from ``../shared/data/videos`` next to the checkout when present (or the folder
in ``HEMIFACIAL_DEMO_VIDEOS``; ``off`` for none); otherwise a synthetic clip is generated.
They are analysed in the background by the job runner once the app starts.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp

from hemifacial.db import repositories as repo
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.settings import Settings

from . import accounts, cases, intake, videos
from .database import Database

log = logging.getLogger(__name__)
DEMO_USER = ("demo", "demo-clinician")
DEMO_TOTP_SECRET = "DEMOHEMIFACIALDEMOHEMIFACIAL2345"
"""The demo account's authenticator secret: known on purpose (the demo's login page shows the
current code); a demo runs on a throwaway database and is never a clinic's install."""


@dataclass(frozen=True)
class DemoLogin:
    """The demo account's login, shown on the login page in demo mode only."""

    username: str
    password: str
    secret: str

    def code(self) -> str:
        return pyotp.TOTP(self.secret).now()


CASES: list[dict[str, Any]] = [
    {
        "contact": ("Maria Demo", "maria@example.org", "+1 555 0101", "1962"),
        "answers": {
            "age_at_onset": "58",
            "sex": "female",
            "side": "left",
            "onset_site": "eyelid",
            "spread_to_lower_face": "yes",
            "contraction_pattern": "clonic_and_tonic",
            "progression": "worsening",
            "present_in_sleep": "yes",
            "other_babinski": "yes",
            "hypertension": "yes",
            "head_face_neck_injury": "no",
            "prior_bells_palsy": "no",
            "treatments": "Botulinum toxin every 3 months since last year, helps for 8 weeks.",
        },
        "status": "awaiting_tests",
        "video": ("liveportrait_d3.mp4", "before botulinum toxin", -90),
        "video2": ("liveportrait_d19.mp4", "4 weeks after botulinum toxin", -30),
    },
    {
        "contact": ("Jonas Example", "jonas@example.org", "", "1997"),
        "answers": {
            "age_at_onset": "27",
            "sex": "male",
            "side": "right",
            "contraction_pattern": "rippling",
            "acute_onset": "yes",
            "other_neuro_symptoms": "yes",
            "other_neuro_details": "Tingling in the left leg for two weeks, blurred vision.",
            "facial_numbness": "no",
        },
        "status": "new",
        "video": None,
    },
    {
        "contact": ("Amal Sample", "", "+44 20 7946 0000", "1970"),
        "answers": {
            "age_at_onset": "52",
            "sex": "female",
            "side": "right",
            "prior_bells_palsy": "yes",
            "palsy_details": "Bell's palsy on the right in 2019, recovered mostly.",
            "facial_weakness": "yes",
            "only_with_voluntary_movement": "yes",
            "spread_to_lower_face": "yes",
        },
        "status": "awaiting_history",
        "video": ("liveportrait_d18.mp4", "first visit", -10),
    },
    {
        "contact": ("Peter Placeholder", "peter@example.org", "", "1955"),
        "answers": {
            "age_at_onset": "66",
            "sex": "male",
            "side": "both",
            "laterality": "bilateral_synchronous",
            "light_sensitivity": "yes",
            "sensory_trick": "yes",
            "present_in_sleep": "no",
            "onset_site": "eyelid",
        },
        "status": "new",
        "video": ("liveportrait_d14.mp4", "first visit", -5),
    },
]


def video_dir() -> Path | None:
    env = os.environ.get("HEMIFACIAL_DEMO_VIDEOS")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[3].parent / "shared" / "data" / "videos")
    candidates.append(Path.cwd().parent / "shared" / "data" / "videos")
    return next((p for p in candidates if p.is_dir()), None)


def _synthetic_clip() -> Path | None:
    try:
        from hemifacial_synth.pasted import SpasmSpec, make_clip
    except ImportError:
        return None
    path = Path(tempfile.mkdtemp(prefix="hemifacial-demo-clip-")) / "synthetic_right_hfs.mp4"
    specs = [
        SpasmSpec(
            start_s=s,
            duration_s=1.2,
            side="right",
            kind="clonic",
            depth=0.8,
            spread=True,
            brow_lift=True,
        )
        for s in (1.5, 4.5, 8.0, 11.0)
    ]
    try:
        make_clip(path, specs, duration_s=14.0, fps=25.0)
    except Exception as exc:  # the demo works without a video
        log.warning("could not make the synthetic demo clip: %s", type(exc).__name__)
        return None
    return path


def _add_video(
    db: Database, settings: Settings, case_id: int, spec: tuple[str, str, int] | None
) -> None:
    if spec is None or os.environ.get("HEMIFACIAL_DEMO_VIDEOS") == "off":
        return
    name, label, days_ago = spec
    if name == "synthetic":
        path = _synthetic_clip()
    else:
        folder = video_dir()
        path = folder / name if folder and (folder / name).is_file() else _synthetic_clip()
    if path is None:
        return
    with path.open("rb") as fh:
        stored = videos.store_upload(settings, iter(lambda: fh.read(1 << 20), b""), path.name)
    with db.unit_of_work() as s:
        visit = cases.add_visit(
            s,
            case_id,
            (dt.date.today() + dt.timedelta(days=days_ago)).isoformat(),
            label,
            "botulinum toxin" if "after" in label else "",
            DEMO_USER[0],
        )
        videos.add_video(
            s,
            case_id,
            stored,
            path.name,
            mirrored=False,
            actor=DEMO_USER[0],
            submit=_queued_until_start,
            visit_id=visit.id,
        )


def _queued_until_start(job_id: int) -> None:
    """Demo jobs stay queued: the app hands every queued job to its runner when it starts."""


def seed(db: Database, kb: KnowledgeBase, settings: Settings) -> DemoLogin:
    """Create the demo account (an administrator with a known second factor) and cases
    once (their video jobs wait for the app's runner)."""
    login = DemoLogin(*DEMO_USER, DEMO_TOTP_SECRET)
    with db.unit_of_work() as s:
        if repo.user_by_name(s, DEMO_USER[0]) is not None:
            return login
        accounts.create_user(
            s, DEMO_USER[0], DEMO_USER[1], "Dr Demo", "admin", totp_secret=DEMO_TOTP_SECRET
        )
    for spec in CASES:
        name, email, phone, year = spec["contact"]
        with db.unit_of_work() as s:
            case, _ = intake.start(
                s, intake.Contact(name, email, phone, year, True), settings.link_days
            )
            intake.save_draft(s, kb, case.id, spec["answers"])
            intake.submit(s, kb, case.id)
            if spec["status"] != "new":
                cases.set_status(s, case.id, spec["status"], DEMO_USER[0])
            case_id = case.id
        _add_video(db, settings, case_id, spec.get("video"))
        _add_video(db, settings, case_id, spec.get("video2"))
    with db.unit_of_work() as s:
        cases.add_note(
            s, 1, "Typical left HFS; MRI with high-resolution T2 requested.", DEMO_USER[0]
        )
    from .demo_booking import seed_booking

    seed_booking(db, settings, 1)
    return login
