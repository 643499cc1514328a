"""Limits on uploads: refused before the body is read (size, no session, a bad link), cut
off at the limit while streaming, decided by PyAV (not by the first bytes), with limits on
length, frame size and frame count, per-case quotas, one analysis per file, and no copy
left behind by an interrupted upload."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hemifacial.db import tables as t
from tests.db.fixtures import client_for
from tests.support import otp

from .conftest import PASSWORD
from .helpers import MP4, TYPICAL, intake
from .server import running


def _head(base: str, path: str, headers: dict[str, str]) -> tuple[socket.socket, bytes]:
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return sock, b""


def _answer(sock: socket.socket) -> str:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.decode("latin-1").split("\r\n", 1)[0]


MULTIPART = "multipart/form-data; boundary=xyz"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/cases/1/videos", "401"),
        ("/clinic/cases/1/videos", "303"),  # a page: to the login form
        ("/api/v1/patient/not-a-token/videos", "404"),
        ("/p/not-a-token/video", "404"),
    ],
)
def test_without_a_session_or_a_valid_link_no_byte_of_the_body_is_read(
    app: Any, path: str, expected: str
) -> None:
    with running(app) as base:
        # 4 MB announced (under the 5 MB limit), nothing sent: the answer comes anyway
        sock, _ = _head(base, path, {"Content-Type": MULTIPART, "Content-Length": str(4 << 20)})
        started = time.monotonic()
        with sock:
            status = _answer(sock)
        assert expected in status and time.monotonic() - started < 5


def test_an_announced_oversize_body_is_refused_at_once(app: Any) -> None:
    with running(app) as base:
        sock, _ = _head(
            base,
            "/api/v1/cases/1/videos",
            {"Content-Type": MULTIPART, "Content-Length": str(250 << 20)},
        )
        with sock:
            assert "413" in _answer(sock)


def test_a_chunked_body_is_cut_off_at_the_limit(app: Any, client: Any) -> None:
    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    with client_for(app) as c, running(app) as base:
        login = {"username": "doc", "password": PASSWORD, "otp": otp()}
        r = c.post("/api/v1/session", json=login)
        cookie = f"hf_session={r.cookies['hf_session']}"
        headers = {
            "Content-Type": MULTIPART,
            "Transfer-Encoding": "chunked",
            "Cookie": cookie,
            "X-CSRF-Token": r.json()["csrf_token"],
        }
        sock, _ = _head(base, f"/api/v1/cases/{case_id}/videos", headers)
        start = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n\r\n'
        block = b"\0" * (256 << 10)
        sent, status = 0, ""
        with sock:
            sock.sendall(f"{len(start):x}\r\n".encode() + start + b"\r\n")
            try:
                while sent < 20 << 20:
                    sock.sendall(f"{len(block):x}\r\n".encode() + block + b"\r\n")
                    sent += len(block)
            except OSError:  # the server stopped reading and closed
                pass
            status = _answer(sock)
        assert (
            "413" in status and sent < 20 << 20
        )  # it stopped reading (kernel buffers hold some MB)
    assert not list((app.state.ctx.settings.upload_dir).rglob("*?*")) or all(
        p.is_dir() for p in app.state.ctx.settings.upload_dir.rglob("*")
    )


def _upload(clinician: Any, case_id: int, body: bytes, name: str = "a.mp4") -> Any:
    return clinician.post(
        f"/api/v1/cases/{case_id}/videos", files={"file": (name, body, "video/mp4")}
    )


def test_a_file_with_a_video_header_but_no_video_is_refused(client: Any, clinician: Any) -> None:
    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    fake = (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 26)[:50]
    assert len(fake) == 50
    r = _upload(clinician, case_id, fake, "clip.mp4")
    assert r.status_code == 422 and "not a video file we can read" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"max_video_seconds": 0.1}, "lasts"),
        ({"max_video_pixels": 100}, "pixels"),
        ({"max_video_frames": 2}, "frames"),
    ],
)
def test_length_frame_size_and_frame_count_are_limited(
    app: Any, client: Any, clinician: Any, change: dict[str, Any], message: str
) -> None:
    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    ctx = app.state.ctx
    ctx.settings = ctx.settings.with_(**change)
    r = _upload(clinician, case_id, MP4)
    assert r.status_code == 422 and message in r.json()["error"]["message"]
    assert not [p for p in ctx.settings.upload_dir.rglob("*") if p.is_file()]


def _count(app: Any, table: Any) -> int:
    with app.state.ctx.db.reader() as s:
        return int(s.scalar(select(func.count()).select_from(table)))


def test_the_same_file_twice_is_analysed_once(app: Any, client: Any, clinician: Any) -> None:
    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    jobs = {_upload(clinician, case_id, MP4).json()["id"] for _ in range(5)}
    assert len(jobs) == 1 and _count(app, t.Video) == 1 and _count(app, t.Job) == 1


def test_uploads_per_case_and_per_day_are_limited(app: Any, client: Any, clinician: Any) -> None:
    from tests.support import tiny_mp4

    case_id = intake(client, "Typical Tina", TYPICAL)["case_id"]
    ctx = app.state.ctx
    ctx.settings = ctx.settings.with_(max_uploads_per_day=2, max_uploads_per_case=3)
    clips = [tiny_mp4(frames=3 + i) for i in range(4)]
    assert [_upload(clinician, case_id, c).status_code for c in clips[:2]] == [202, 202]
    r = _upload(clinician, case_id, clips[2])
    assert r.status_code == 409 and "last 24 hours" in r.json()["error"]["message"]
    ctx.settings = ctx.settings.with_(max_uploads_per_day=10, max_uploads_per_case=2)
    r = _upload(clinician, case_id, clips[3])
    assert r.status_code == 409 and "the most it may hold" in r.json()["error"]["message"]
    assert _count(app, t.Video) == 2
    stored = [p for p in ctx.settings.upload_dir.rglob("*") if p.is_file()]
    assert len(stored) == 2  # no file kept for the refused uploads


KILLED_COPY = """
import sys, time
from hemifacial.settings import from_env
from hemifacial.services.videos import store_upload
settings = from_env({"HEMIFACIAL_DATA_DIR": sys.argv[1]}, mode="dev")
def chunks():
    yield b"\\0" * 65536
    print("copying", flush=True)
    time.sleep(60)
    yield b""
store_upload(settings, chunks(), "a.mp4")
"""


def test_an_interrupted_copy_leaves_no_file_behind(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(KILLED_COPY), str(tmp_path)],
        stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    with child:
        assert child.stdout is not None and child.stdout.readline().strip() == "copying"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    left = [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]
    assert left == []
