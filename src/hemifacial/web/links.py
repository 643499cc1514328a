"""Absolute links for e-mails: the configured public URL, else (dev, tests) this request's
own address. Production refuses e-mail without ``HEMIFACIAL_PUBLIC_URL`` (settings), so a
forged Host header can never end up in a patient's link."""

from __future__ import annotations

from fastapi import Request

from .auth import ctx_of


def public_base(request: Request) -> str:
    configured = ctx_of(request).settings.clinic.public_url
    return configured or str(request.base_url).rstrip("/")
