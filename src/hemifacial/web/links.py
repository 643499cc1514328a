"""Absolute links for e-mails: always the configured public address
(``HEMIFACIAL_PUBLIC_URL``), never the request's Host header, which a client chooses — a
forged Host must not end up in a patient's link."""

from __future__ import annotations

from fastapi import Request

from .auth import ctx_of


def public_base(request: Request) -> str:
    return ctx_of(request).settings.public_url
