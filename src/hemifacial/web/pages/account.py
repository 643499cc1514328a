"""Login, logout, setting up the second factor, and one's own account (password, recovery
codes). Who may open which is declared in :mod:`..policy`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from hemifacial.errors import (
    InvalidValueError,
    LoginRequiredError,
    SecondFactorError,
    TooManyAttemptsError,
)
from hemifacial.services import accounts

from ..auth import SESSION_COOKIE, end_session, start_session
from ..deps import CurrentUser, Tx
from ..render import render
from ..signin import log_in

router = APIRouter(include_in_schema=False)


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _safe_next(target: str) -> str:
    return target if target.startswith("/clinic") and "//" not in target else "/clinic"


class LoginForm(BaseModel):
    username: str = ""
    password: str = ""
    otp: str = ""
    next: str = "/clinic"


def _login_page(request: Request, nxt: str, error: str | None, status: int = 200) -> Response:
    context: dict[str, Any] = {"next": nxt, "error": error}
    demo = request.app.state.ctx.cache.get("demo_login")
    if demo and request.app.state.ctx.settings.mode in ("demo", "dev"):
        context["demo"] = demo  # the demo's account and its code, never in production
    return render(request, "clinic/login.html", context, status)


@router.get("/login")
def login_form(request: Request) -> Response:
    nxt = _safe_next(request.query_params.get("next", "/clinic"))
    return _login_page(request, nxt, None)


@router.post("/login")
async def login(request: Request, tx: Tx, form: Annotated[LoginForm, Form()]) -> Response:
    nxt = _safe_next(form.next)
    try:
        token, info = await log_in(request, tx, form.username, form.password, form.otp)
    except TooManyAttemptsError as exc:
        page = await run_in_threadpool(_login_page, request, nxt, str(exc), 429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except LoginRequiredError as exc:  # the failed attempt's audit row is committed
        return await run_in_threadpool(_login_page, request, nxt, str(exc), 401)
    response = _see(nxt if info.stage == "full" else "/login/second-factor")
    start_session(request, response, token)
    return response


@router.post("/logout")
def logout(request: Request, tx: Tx) -> Response:
    accounts.logout(tx, request.cookies.get(SESSION_COOKIE))
    response = _see("/login")
    end_session(request, response)
    return response


@router.get("/login/second-factor")
def second_factor(request: Request, tx: Tx, user: CurrentUser) -> Response:
    """Setting up the second factor: the secret and its otpauth URI as text (no QR code)."""
    if user.stage == "full":
        return _see("/clinic/account")
    enrol = accounts.enrolment(tx, user.user_id)
    return render(request, "clinic/second_factor.html", {"enrol": enrol, "error": None})


class CodeForm(BaseModel):
    otp: str = ""


@router.post("/login/second-factor")
def confirm_second_factor(
    request: Request, tx: Tx, user: CurrentUser, form: Annotated[CodeForm, Form()]
) -> Response:
    if user.stage == "full":
        return _see("/clinic/account")
    try:
        codes = accounts.confirm_enrolment(tx, user, form.otp)
    except SecondFactorError as exc:
        tx.rollback()
        enrol = accounts.enrolment(tx, user.user_id)
        context = {"enrol": enrol, "error": str(exc)}
        return render(request, "clinic/second_factor.html", context, 401)
    return render(request, "clinic/recovery_codes.html", {"codes": codes, "first": True})


@router.get("/clinic/account")
def account(request: Request, user: CurrentUser) -> Response:
    return render(request, "clinic/account.html", {"error": None, "saved": None})


class PasswordForm(BaseModel):
    current: str = ""
    new: str = ""
    repeat: str = ""


@router.post("/clinic/account/password")
def change_password(
    request: Request, tx: Tx, user: CurrentUser, form: Annotated[PasswordForm, Form()]
) -> Response:
    """The user's own new password (the current one is required); other sessions end."""
    try:
        if form.new != form.repeat:
            raise InvalidValueError("the two new passwords differ")
        ended = accounts.change_password(tx, user, form.current, form.new)
    except InvalidValueError as exc:
        if "current password" in str(exc):
            tx.commit()  # the failed attempt stays audited
        else:
            tx.rollback()
        return render(request, "clinic/account.html", {"error": str(exc), "saved": None}, 422)
    saved = f"Password changed; {ended} other session(s) ended."
    return render(request, "clinic/account.html", {"error": None, "saved": saved})


@router.post("/clinic/account/recovery-codes")
def recovery_codes(request: Request, tx: Tx, user: CurrentUser) -> Response:
    """New recovery codes (the old ones stop working)."""
    codes = accounts.new_recovery_codes(tx, user.user_id)
    return render(request, "clinic/recovery_codes.html", {"codes": codes, "first": False})
