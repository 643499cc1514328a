"""Settings from the environment: typed values, and one clear message for a bad one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hemifacial.errors import InvalidValueError, SettingsError
from hemifacial.settings import from_env
from tests.support import run_cli


def test_values_are_parsed_into_their_types(tmp_path: Path) -> None:
    s = from_env(
        {
            "HEMIFACIAL_DATA_DIR": str(tmp_path),
            "HEMIFACIAL_LINK_DAYS": "7",
            "HEMIFACIAL_MAX_UPLOAD_MB": "1.5",
            "HEMIFACIAL_VIDEO_JOBS": "",  # empty means unset
            "HEMIFACIAL_SECURE_COOKIES": "true",
            "hemifacial_session_idle_minutes": "45",  # names are case-insensitive
            "UNRELATED": "thirty",
        },
        mode="dev",
    )
    assert s.link_days == 7 and s.session_idle_minutes == 45
    assert s.max_upload_bytes == int(1.5 * 1024 * 1024)
    assert s.video_jobs is None and s.secure_cookies is True
    assert s.secret_key == "dev" and s.plot_dir == tmp_path / "plots"


def test_a_given_mapping_ignores_the_process_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HEMIFACIAL_LINK_DAYS", "thirty")
    assert from_env({}, mode="dev").link_days == 30
    with pytest.raises(SettingsError, match="HEMIFACIAL_LINK_DAYS"):
        from_env(mode="dev")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("HEMIFACIAL_LINK_DAYS", "thirty", "must be a whole number, got 'thirty'"),
        ("HEMIFACIAL_LINK_DAYS", "0", "must be a number of at least 1, got '0'"),
        ("HEMIFACIAL_MAX_UPLOAD_MB", "-5", "must be a number greater than 0, got '-5'"),
        ("HEMIFACIAL_SECURE_COOKIES", "maybe", "must be true or false, got 'maybe'"),
        ("HEMIFACIAL_JOBS", "cron", "must be one of 'inprocess' or 'celery', got 'cron'"),
        ("HEMIFACIAL_LANDMARKER", "dlib", "must be one of 'mediapipe' or 'synthetic', got 'dlib'"),
    ],
)
def test_a_bad_value_names_the_variable_and_what_it_accepts(
    name: str, value: str, expected: str
) -> None:
    with pytest.raises(SettingsError) as info:
        from_env({name: value}, mode="dev")
    assert str(info.value) == f"invalid setting: {name} {expected}"
    assert isinstance(info.value, InvalidValueError)  # callers catching the parent still work


def test_several_bad_values_make_one_message_and_secrets_are_not_echoed() -> None:
    env = {"HEMIFACIAL_LINK_DAYS": "x", "HEMIFACIAL_VIDEO_JOBS": "many"}
    with pytest.raises(SettingsError) as info:
        from_env(env, mode="dev")
    message = str(info.value)
    assert "\n" not in message
    assert "HEMIFACIAL_LINK_DAYS" in message and "HEMIFACIAL_VIDEO_JOBS" in message
    with pytest.raises(SettingsError, match="HEMIFACIAL_SECRET_KEY") as short:
        from_env({"HEMIFACIAL_SECRET_KEY": "hunter2"})
    assert "hunter2" not in str(short.value)


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_the_cli_prints_the_message_without_a_traceback(command: str, tmp_path: Path) -> None:
    env = {**os.environ, "HEMIFACIAL_LINK_DAYS": "thirty", "HEMIFACIAL_DATA_DIR": str(tmp_path)}
    result = run_cli(command, env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "error: invalid setting: HEMIFACIAL_LINK_DAYS must be a whole number, got 'thirty'"
    )


def test_the_clinic_and_smtp_settings(tmp_path: Path) -> None:
    s = from_env(
        {
            "HEMIFACIAL_CLINIC_NAME": "Riverside Clinic",
            "HEMIFACIAL_CLINIC_PHONE": "+1 555 0100",
            "HEMIFACIAL_CLINIC_REVIEW_DAYS": "3",
            "HEMIFACIAL_PUBLIC_URL": "https://clinic.example/",
            "HEMIFACIAL_SMTP_HOST": "smtp.example",
            "HEMIFACIAL_SMTP_SECURITY": "tls",
            "HEMIFACIAL_SMTP_PORT": "465",
        },
        mode="dev",
    )
    assert s.clinic.name == "Riverside Clinic" and s.clinic.review_days == 3
    assert s.clinic.public_url == "https://clinic.example"  # no trailing slash
    assert s.smtp.enabled and s.smtp.port == 465 and s.smtp.security == "tls"
    assert not from_env({}, mode="dev").smtp.enabled  # e-mail is off by default
    with pytest.raises(SettingsError, match="HEMIFACIAL_SMTP_SECURITY must be one of"):
        from_env({"HEMIFACIAL_SMTP_SECURITY": "ssl"}, mode="dev")
    with pytest.raises(SettingsError, match="HEMIFACIAL_SMTP_PORT must be a number of at most"):
        from_env({"HEMIFACIAL_SMTP_PORT": "70000"}, mode="dev")
    with pytest.raises(SettingsError) as info:
        from_env({"HEMIFACIAL_SMTP_PASSWORD": "x", "HEMIFACIAL_SMTP_PORT": "0"}, mode="dev")
    assert "'x'" not in str(info.value)


def test_production_e_mail_needs_the_public_url() -> None:
    env = {"HEMIFACIAL_SECRET_KEY": "k" * 32, "HEMIFACIAL_SMTP_HOST": "smtp.example"}
    with pytest.raises(SettingsError, match="HEMIFACIAL_PUBLIC_URL must be set"):
        from_env(env)
    assert from_env({**env, "HEMIFACIAL_PUBLIC_URL": "https://clinic.example"}).smtp.enabled
