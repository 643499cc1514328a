"""The phone's key (its last nine digits), what possible duplicates are matched on: set with
the phone, and filled in for the requests stored before migration 0014, on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from hemifacial.db import tables as t
from hemifacial.db.engine import MIGRATIONS
from tests.db.fixtures import empty_database


@pytest.mark.parametrize(
    ("phone", "key"),
    [
        ("+44 20 7946 0958", "079460958"),  # country code: the last nine digits
        ("020 7946 0958", "079460958"),  # the same number dialled at home
        ("(555) 0100", "5550100"),  # seven digits: all of them
        ("12345", ""),  # fewer than six digits: no match is looked for
        ("", ""),
    ],
)
def test_the_key_is_the_last_nine_digits_of_a_number_long_enough(phone: str, key: str) -> None:
    assert t.phone_key(phone) == key


def test_a_case_keeps_the_key_of_its_phone() -> None:
    case = t.Case(patient_name="Ann", phone="+44 20 7946 0958")
    assert case.phone_key == "079460958"
    case.phone = "07700 900123"
    assert case.phone_key == "700900123"


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from empty_database(request.param, tmp_path)


def _upgrade(conn: Any, to: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, to)


def test_the_migration_fills_in_the_key_of_every_stored_phone(fresh_url: str) -> None:
    engine = create_engine(fresh_url)
    try:
        with engine.begin() as conn:
            _upgrade(conn, "0013")
            for name, phone in [("Ann", "+44 20 7946 0958"), ("Bo", ""), ("Cy", "1234")]:
                conn.execute(
                    text(
                        "INSERT INTO cases (status, patient_name, email, phone, setting, draft,"
                        " extras, search_text, red_flag_level, created_at, updated_at,"
                        " video_status) VALUES ('new', :n, '', :p, 'referral_clinic', '{}',"
                        " '{}', '', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'none')"
                    ),
                    {"n": name, "p": phone},
                )
            _upgrade(conn, "head")
            keys = dict(conn.execute(text("SELECT patient_name, phone_key FROM cases")).all())
        assert keys == {"Ann": "079460958", "Bo": "", "Cy": ""}
    finally:
        engine.dispose()
