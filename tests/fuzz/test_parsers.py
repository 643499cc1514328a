"""Hypothesis fuzzing of what reads untrusted input: the case-file parser (YAML/JSON, then
the findings' validation) and the upload probe (PyAV on arbitrary bytes). Each either
accepts the input or raises the package's own input error, with a message: never another
exception, never a hang."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hemifacial.cli.casefile import load_case_file, parse_case_document
from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.model import KnowledgeBase
from hemifacial.errors import InputError, UploadTooLargeError, VideoInputError
from hemifacial.services.videos import store_upload
from hemifacial.settings import from_env
from tests.support import tiny_mp4

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)


def _documents(kb: KnowledgeBase) -> st.SearchStrategy[Any]:
    keys = st.sampled_from(sorted(kb.findings)) | st.text(max_size=20)
    findings = st.dictionaries(keys, values, max_size=6)
    top = st.sampled_from(["findings", "setting", "title", "notes", "id", "bogus"])
    return st.one_of(values, st.dictionaries(top, findings | values, max_size=4))


def test_the_case_file_parser_accepts_or_names_the_problem(kb: KnowledgeBase) -> None:
    @FUZZ
    @given(_documents(kb))
    def run(doc: Any) -> None:
        try:
            parsed = parse_case_document(doc, "fuzz")
            parse_case(
                kb, parsed.findings, parsed.setting if isinstance(parsed.setting, str) else None
            )
        except InputError as exc:
            assert str(exc)

    run()


def test_case_files_of_arbitrary_text_are_read_or_refused_clearly(kb: KnowledgeBase) -> None:
    texts = st.one_of(
        st.text(max_size=200),
        _documents(kb).map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
        _documents(kb).map(lambda d: json.dumps(d, default=str)),
    )

    @FUZZ
    @given(texts, st.sampled_from([".yaml", ".json", ".yml"]))
    def run(body: str, suffix: str) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"case{suffix}"
            path.write_text(body, encoding="utf-8")
            try:
                parsed = load_case_file(path)
                parse_case(
                    kb, parsed.findings, parsed.setting if isinstance(parsed.setting, str) else None
                )
            except InputError as exc:
                assert str(exc)

    run()


MP4 = tiny_mp4()


def _mutations() -> st.SearchStrategy[bytes]:
    def flip(data: bytes, at: list[int], byte: int) -> bytes:
        b = bytearray(data)
        for i in at:
            b[i % len(b)] = byte
        return bytes(b)

    mutated = st.builds(
        flip,
        st.just(MP4),
        st.lists(st.integers(0, len(MP4) - 1), min_size=1, max_size=8),
        st.integers(0, 255),
    )
    truncated = st.integers(1, len(MP4) - 1).map(lambda n: MP4[:n])
    headers = st.binary(max_size=200).map(lambda b: b"\x00\x00\x00\x18ftypisom" + b)
    return st.one_of(st.binary(min_size=1, max_size=500), mutated, truncated, headers)


def test_the_upload_probe_refuses_anything_that_is_not_a_whole_video() -> None:
    tally = {"accepted": 0, "refused": 0}

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_mutations())
    def run(body: bytes) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            cfg = from_env(
                {"HEMIFACIAL_DATA_DIR": tmp, "HEMIFACIAL_MAX_UPLOAD_MB": "1"}, mode="dev"
            )
            try:
                stored = store_upload(cfg, [body], "clip.mp4")
            except (VideoInputError, UploadTooLargeError) as exc:
                tally["refused"] += 1
                assert str(exc)
                assert not [p for p in cfg.upload_dir.rglob("*") if p.is_file()]
                return
            tally["accepted"] += 1
            assert stored.path.is_file() and stored.size == len(body)

    run()
    assert tally["refused"] > 0
