"""Account administration: list, add, disable or enable, set the role, reset the password
or the second factor (administrators; the auditor may look). Each change is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from hemifacial.errors import InvalidValueError
from hemifacial.services import accounts
from hemifacial.services.database import UnitOfWork

from ..deps import CurrentUser, Read, Tx
from ..render import render

router = APIRouter(include_in_schema=False)
BASE = "/clinic/admin/users"


def _users_page(
    request: Request, s: UnitOfWork, error: str | None = None, status: int = 200
) -> Response:
    context = {
        "users": accounts.list_users(s),
        "roles": accounts.ROLES,
        "role_labels": accounts.ROLE_LABELS,
        "error": error,
    }
    return render(request, "clinic/users.html", context, status)


@router.get(BASE)
def users(request: Request, read: Read, user: CurrentUser) -> Response:
    return _users_page(request, read)


class NewUserForm(BaseModel):
    username: str = ""
    display_name: str = ""
    role: str = "clinician"
    password: str = ""


@router.post(BASE)
def add_user(
    request: Request, tx: Tx, user: CurrentUser, form: Annotated[NewUserForm, Form()]
) -> Response:
    try:
        accounts.create_user(
            tx, form.username, form.password, form.display_name, form.role, actor=user.username
        )
    except InvalidValueError as exc:
        tx.rollback()
        return _users_page(request, tx, str(exc), 422)
    return RedirectResponse(BASE, status_code=303)


class DisabledForm(BaseModel):
    disabled: str = "yes"


class RoleForm(BaseModel):
    role: str = ""


class ResetForm(BaseModel):
    password: str = ""


@router.post(BASE + "/{user_id}/disabled")
def set_disabled(
    user_id: int,
    request: Request,
    tx: Tx,
    user: CurrentUser,
    form: Annotated[DisabledForm, Form()],
) -> Response:
    return _change(
        request,
        tx,
        lambda name: accounts.set_disabled(tx, name, form.disabled == "yes", user.username),
        user_id,
    )


@router.post(BASE + "/{user_id}/role")
def set_role(
    user_id: int, request: Request, tx: Tx, user: CurrentUser, form: Annotated[RoleForm, Form()]
) -> Response:
    return _change(
        request, tx, lambda name: accounts.set_role(tx, name, form.role, user.username), user_id
    )


@router.post(BASE + "/{user_id}/password")
def reset_password(
    user_id: int, request: Request, tx: Tx, user: CurrentUser, form: Annotated[ResetForm, Form()]
) -> Response:
    return _change(
        request,
        tx,
        lambda name: accounts.reset_password(tx, name, form.password, user.username),
        user_id,
    )


@router.post(BASE + "/{user_id}/second-factor")
def reset_second_factor(user_id: int, request: Request, tx: Tx, user: CurrentUser) -> Response:
    return _change(
        request, tx, lambda name: accounts.reset_second_factor(tx, name, user.username), user_id
    )


def _change(request: Request, tx: Tx, change: Callable[[str], None], user_id: int) -> Response:
    """Run ``change(username)``; a refused change shows the list again with its reason."""
    try:
        change(accounts.user_name(tx, user_id))
    except InvalidValueError as exc:
        tx.rollback()
        return _users_page(request, tx, str(exc), 422)
    return RedirectResponse(BASE, status_code=303)
