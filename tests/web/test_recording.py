"""Guided recording in a real Chromium with a fake camera, on a phone-sized screen.

The camera plays a .y4m made here from a shared real clip (a man's face, liveportrait_d9);
the page checks light and face size, walks through the steps with a countdown, records
with MediaRecorder (WebM, no duration in the file), uploads with progress to the same API
as the file form, and the job layer (in-process, real MediaPipe) measures it. The fallback
messages are checked with the browser's camera API made to fail. Screenshots go to the
test's temp dir, or to docs/img when HEMIFACIAL_SCREENSHOTS=docs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest

from hemifacial.services import accounts
from hemifacial.settings import from_env
from hemifacial.video.decode import probe
from hemifacial.web.app import create_app
from tests.support import DOC_SECRET, REPO, otp
from tests.video.conftest import VIDEOS

from .helpers import chromium
from .server import running
from .test_browser import PHONE, shot

pytestmark = [pytest.mark.browser, pytest.mark.shared_data]
CLIP = "liveportrait_d9.mp4"
SHORT = {"restS": "4", "closeS": "2", "smileS": "2"}  # the page's default is 60 / 3 / 3


def make_y4m(src: Path, dst: Path, seconds: float = 5.0) -> None:
    """Chromium's fake camera reads raw YUV4MPEG2 (4:2:0) and loops it. The clip is a tight
    crop of the face (the page rightly says "too close"), so it is pasted into a portrait
    360×480 frame on a grey wall, as a phone held at arm's length would see it."""
    width, height, face_w, face_h, fps = 360, 480, 240, 224, 30
    with av.open(str(src)) as c, dst.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        frames = c.decode(c.streams.video[0])
        for _, frame in zip(range(int(seconds * fps)), frames, strict=False):
            canvas = np.full((height, width, 3), 90, np.uint8)
            face = frame.to_ndarray(format="rgb24", width=face_w, height=face_h)
            top, left = (height - face_h) // 2 - 10, (width - face_w) // 2
            canvas[top : top + face_h, left : left + face_w] = face
            yuv = av.VideoFrame.from_ndarray(canvas, format="rgb24").reformat(format="yuv420p")
            out.write(b"FRAME\n")
            for i, plane in enumerate(yuv.planes):
                pw, ph = (width, height) if i == 0 else (width // 2, height // 2)
                rows = np.frombuffer(memoryview(plane), np.uint8).reshape(-1, plane.line_size)
                out.write(rows[:ph, :pw].tobytes())


@pytest.fixture
def camera(tmp_path: Path) -> Path:
    """The fake camera's clip; a failure, not a skip, when the shared clips are missing in CI."""
    if not (VIDEOS / "MANIFEST.md").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared test videos missing at {VIDEOS} (required in CI)")
        pytest.skip(f"shared test videos not present at {VIDEOS}")
    path = tmp_path / "camera.y4m"
    make_y4m(VIDEOS / CLIP, path)
    return path


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    data = tmp_path / "data"
    settings = from_env(
        {"HEMIFACIAL_DATA_DIR": str(data), "HEMIFACIAL_VIDEO_JOBS": "1"},
        mode="dev",
    )
    app = create_app(settings)  # in-process job runner, MediaPipe landmarker
    app.state.ctx.db.open()
    with app.state.ctx.db.unit_of_work() as s:
        accounts.create_user(s, "doc", "correct horse battery", "Dr Doc", totp_secret=DOC_SECRET)
    with running(app) as url:
        yield url, data


@pytest.fixture
def browser(camera: Path) -> Iterator[Any]:
    fake = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={camera}",
    ]
    with chromium(*fake) as b:
        yield b


def new_case(url: str, name: str) -> tuple[str, int]:
    r = httpx.post(
        f"{url}/api/v1/intake",
        json={
            "contact": {
                "name": name,
                "email": "r@example.org",
                "consent": True,
                "video_consent": True,
            },
            "answers": {"age_at_onset": "55", "side": "left"},
        },
    )
    r.raise_for_status()
    return str(r.json()["link"].rsplit("/", 1)[1]), int(r.json()["case_id"])


def focused_text(page: Any) -> str:
    return str(page.evaluate("document.activeElement.textContent"))


def test_guided_recording_is_uploaded_and_measured(
    browser: Any, server: tuple[str, Path], tmp_path: Path
) -> None:
    url, data = server
    token, case_id = new_case(url, "Rita Record")
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    page.goto(f"{url}/p/{token}/video")
    rec = page.locator("#recorder")
    assert rec.get_attribute("data-rest-s") == "60"  # the real protocol: 60 s, 3 s, 3 s
    assert rec.get_attribute("data-close-s") == "3" and rec.get_attribute("data-smile-s") == "3"
    page.evaluate("d => Object.assign(document.querySelector('#recorder').dataset, d)", SHORT)
    assert page.get_by_role("heading", name="Or upload a video you already have").is_visible()
    page.get_by_role("button", name="Start the camera").focus()
    page.keyboard.press("Enter")  # keyboard only from here
    page.get_by_role("heading", name="Check the light and your distance").wait_for()
    assert focused_text(page) == "Check the light and your distance"
    go = page.get_by_role("button", name="Start recording")
    go.wait_for()
    try:
        page.wait_for_function("() => !document.querySelector('.rec-go').disabled", timeout=15_000)
    except Exception as exc:  # say what the page said, not only that it timed out
        checks = page.locator(".rec-checks").inner_text()
        raise AssertionError(f"the live check never passed: {checks!r}") from exc
    assert page.locator(".rec-light").inner_text() == "The light is good."
    assert page.locator(".rec-size").inner_text() == "Your face fills the oval."
    shot(page, tmp_path, "record_check_phone")
    if os.environ.get("HEMIFACIAL_SCREENSHOTS") == "docs":  # the guided recording's picture
        page.screenshot(path=str(REPO / "docs" / "screenshots" / "recording.png"))
    go.focus()
    page.keyboard.press("Enter")
    for heading in (
        "Get ready",
        "Step 1 of 3: keep still and relaxed",
        "Step 2 of 3: shut your eyes tightly",
        "Step 3 of 3: smile broadly",
    ):
        page.get_by_role("heading", name=heading).wait_for(timeout=10_000)
        assert focused_text(page) == heading
        assert page.locator(".rec-count").is_visible()
        if heading.startswith("Step 1"):
            shot(page, tmp_path, "record_rest_phone")
        if heading.startswith("Step 2"):
            shot(page, tmp_path, "record_close_phone")
    counts = set()
    while not page.get_by_role("heading", name="Done. Send your video?").is_visible():
        counts.add(page.locator(".rec-count").inner_text())
        time.sleep(0.2)
    assert {"2", "1"} <= counts  # the countdown ticks
    assert focused_text(page) == "Done. Send your video?"
    assert "MB" in page.locator(".rec-size-note").inner_text()
    shot(page, tmp_path, "record_review_phone")
    page.get_by_role("button", name="Send the video").click()
    page.get_by_text("your video was received").wait_for(timeout=30_000)
    phone.close()

    # the stored file is Chromium's WebM (no duration in it); the probe recovers it
    (blob,) = [p for p in (data / "uploads").rglob("*") if p.is_file()]
    with av.open(str(blob)) as c:
        assert c.format.name.startswith("matroska") and c.duration is None
        assert c.streams.video[0].codec_context.name in ("vp8", "vp9")
    info = probe(blob)
    assert info.duration_s is not None and 7.0 < info.duration_s < 10.0  # 4 + 2 + 2 s

    deadline = time.monotonic() + 120
    while True:
        vids = httpx.get(f"{url}/api/v1/patient/{token}").json()["videos"]
        if (vids and vids[0]["status"] in ("done", "failed")) or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert vids[0]["filename"] == "recording.webm"
    assert vids[0]["status"] == "done", vids[0]["error"]
    with httpx.Client(base_url=url) as staff:
        r = staff.post(
            "/api/v1/session",
            json={"username": "doc", "password": "correct horse battery", "otp": otp()},
        )
        r.raise_for_status()
        page_html = staff.get(f"/clinic/cases/{case_id}").text
    assert "spasm events / min" in page_html


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (
            "navigator.mediaDevices.getUserMedia = () => "
            "Promise.reject(new DOMException('no', 'NotAllowedError'));",
            "You did not allow the camera",
        ),
        (
            "navigator.mediaDevices.getUserMedia = () => "
            "Promise.reject(new DOMException('no', 'NotFoundError'));",
            "We could not find a camera",
        ),
        ("delete window.MediaRecorder;", "Your browser cannot record video on this page"),
    ],
)
def test_without_a_camera_the_file_upload_is_offered(
    browser: Any, server: tuple[str, Path], script: str, message: str
) -> None:
    url, _ = server
    token, _ = new_case(url, "Frank Fallback")
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    page.add_init_script(script)
    page.goto(f"{url}/p/{token}/video")
    start = page.get_by_role("button", name="Start the camera")
    if start.is_visible():
        start.click()
    page.get_by_role("heading", name="Recording here is not possible").wait_for()
    assert message in page.locator(".rec-message").inner_text()
    assert page.get_by_label("Your video").is_visible()  # the file form stays
    assert page.get_by_role("button", name="Upload").is_visible()
    phone.close()


def test_recorder_fits_320_px(browser: Any, server: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = server
    token, _ = new_case(url, "Nora Narrow")
    narrow = browser.new_context(**{**PHONE, "viewport": {"width": 320, "height": 640}})
    page = narrow.new_page()
    page.goto(f"{url}/p/{token}/video")
    page.get_by_role("button", name="Start the camera").click()
    page.get_by_role("heading", name="Check the light and your distance").wait_for()
    page.locator(".rec-preview").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320
    narrow.close()
