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
    assert s.plot_dir == tmp_path / "plots"
    # dev mode makes a random key per process (a known "dev" key would let anyone forge CSRF)
    assert len(s.secret_key) >= 32 and s.secret_key != from_env({}, mode="dev").secret_key


GOOD_KEY = "k3J9-xQ2vLp8ZtR4mN6wY1bC5dF7gH0s"
PROD = {"HEMIFACIAL_SECRET_KEY": GOOD_KEY, "HEMIFACIAL_PUBLIC_URL": "https://clinic.example.org"}


@pytest.mark.parametrize(
    "key",
    [
        "aaaaaaaaaaaaaaaa",
        "x" * 32,
        "abcdabcdabcdabcdabcd",
        "1111222211112222",
        "changethis",
        "short",
    ],
)
def test_a_weak_secret_key_is_refused_with_one_clear_message(key: str) -> None:
    with pytest.raises(SettingsError) as info:
        from_env({**PROD, "HEMIFACIAL_SECRET_KEY": key})
    message = str(info.value)
    assert message.startswith("HEMIFACIAL_SECRET_KEY must be set to a random value")
    assert key not in message and "\n" not in message


def test_production_needs_a_public_url_and_then_uses_secure_cookies() -> None:
    with pytest.raises(SettingsError, match="HEMIFACIAL_PUBLIC_URL must be set"):
        from_env({"HEMIFACIAL_SECRET_KEY": GOOD_KEY})
    with pytest.raises(SettingsError, match="without a path"):
        from_env({**PROD, "HEMIFACIAL_PUBLIC_URL": "https://clinic.example.org/app"})
    prod = from_env(PROD)
    assert prod.public_url == "https://clinic.example.org" and prod.https
    plain = from_env({**PROD, "HEMIFACIAL_PUBLIC_URL": "http://clinic.example.org/"})
    assert plain.public_url == "http://clinic.example.org" and plain.https  # not loopback
    local = from_env({**PROD, "HEMIFACIAL_PUBLIC_URL": "http://127.0.0.1:8000"})
    assert not local.https  # production on loopback (a test run): no Secure cookies
    assert not from_env({}, mode="dev").https
    assert from_env({"HEMIFACIAL_SECURE_COOKIES": "false", **PROD}).https is False


def test_login_limits_and_their_storage() -> None:
    dev = from_env({}, mode="dev")
    assert dev.rate_limit_storage == "memory://" and dev.session_max_hours == 12
    shared = from_env({"HEMIFACIAL_REDIS_URL": "redis://10.0.0.5:6379/2"}, mode="dev")
    assert shared.rate_limit_storage == "redis://10.0.0.5:6379/2"
    with pytest.raises(SettingsError, match="HEMIFACIAL_LOGIN_LIMIT_ACCOUNT must be a rate"):
        from_env({"HEMIFACIAL_LOGIN_LIMIT_ACCOUNT": "lots"}, mode="dev")


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
    assert s.public_url == "https://clinic.example"  # e-mailed links use it
    assert s.smtp.enabled and s.smtp.port == 465 and s.smtp.security == "tls"
    assert not from_env({}, mode="dev").smtp.enabled  # e-mail is off by default
    with pytest.raises(SettingsError, match="HEMIFACIAL_SMTP_SECURITY must be one of"):
        from_env({"HEMIFACIAL_SMTP_SECURITY": "ssl"}, mode="dev")
    with pytest.raises(SettingsError, match="HEMIFACIAL_SMTP_PORT must be a number of at most"):
        from_env({"HEMIFACIAL_SMTP_PORT": "70000"}, mode="dev")
    with pytest.raises(SettingsError) as info:
        from_env({"HEMIFACIAL_SMTP_PASSWORD": "x", "HEMIFACIAL_SMTP_PORT": "0"}, mode="dev")
    assert "'x'" not in str(info.value)


def test_the_clinic_time_zone_is_checked() -> None:
    assert from_env({"HEMIFACIAL_TIMEZONE": "Asia/Seoul"}, mode="dev").timezone == "Asia/Seoul"
    assert from_env({}, mode="dev").timezone == "UTC"
    with pytest.raises(SettingsError, match="HEMIFACIAL_TIMEZONE must be an IANA time zone"):
        from_env({"HEMIFACIAL_TIMEZONE": "Mars/Olympus"}, mode="dev")
