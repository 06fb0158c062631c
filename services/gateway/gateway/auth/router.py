from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from ailp.errors import UnsupportedMediaType
from gateway.auth import service
from gateway.auth.schemas import RegisterIn, TokenIn, TokenOut
from gateway.deps import (
    CurrentUserId,
    HashingDep,
    LimiterDep,
    PoolDep,
    RevocationsDep,
    SettingsDep,
    client_address,
    current_token,
)
from gateway.users.schemas import UserOut

router = APIRouter(prefix="/api/auth", tags=["auth"])

_TOKEN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {
                        "grant_type": {"type": "string", "enum": ["password"]},
                        "username": {"type": "string", "minLength": 1, "maxLength": 120},
                        "password": {"type": "string", "minLength": 1, "maxLength": 1024},
                    },
                }
            },
            "application/json": {"schema": TokenIn.model_json_schema()},
        },
    }
}


_BUSY: dict[int | str, dict[str, Any]] = {
    503: {"description": "too many passwords being checked right now (Retry-After)"}
}


@router.post(
    "/register",
    operation_id="auth-register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    summary="Create an account",
    description=(
        "Limited per client address (REGISTRATION_LIMIT_PER_ADDRESS per "
        "REGISTRATION_LIMIT_WINDOW_SECONDS, then 429 + Retry-After). A taken username or e-mail "
        "address answers 409 before the password is hashed."
    ),
    responses={
        409: {"description": "username or email already registered"},
        429: {"description": "too many sign-ups from this address (Retry-After)"},
        **_BUSY,
    },
)
async def register(
    request: Request,
    data: RegisterIn,
    pool: PoolDep,
    limiter: LimiterDep,
    hashing: HashingDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    return await service.register(
        pool, limiter, hashing, settings, data=data, address=client_address(request)
    )


@router.post(
    "/token",
    operation_id="auth-token",
    response_model=TokenOut,
    summary="Sign in (OAuth2 password flow, form or JSON)",
    openapi_extra=_TOKEN_BODY,
    responses={
        401: {"description": "wrong credentials"},
        415: {"description": "neither a form nor JSON"},
        429: {"description": "too many failures"},
        **_BUSY,
    },
)
async def token(
    request: Request,
    pool: PoolDep,
    limiter: LimiterDep,
    hashing: HashingDep,
    settings: SettingsDep,
) -> TokenOut:
    data = await _token_form(request)
    issued = await service.sign_in(
        pool, limiter, hashing, settings, data=data, address=client_address(request)
    )
    return TokenOut(access_token=issued.token, expires_in=issued.expires_in)


@router.post(
    "/logout",
    operation_id="auth-logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out: this token is refused from now on",
)
async def logout(
    request: Request, user_id: CurrentUserId, pool: PoolDep, revocations: RevocationsDep
) -> Response:
    await service.logout(pool, revocations, claims=current_token(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/logout-all",
    operation_id="auth-logout-all",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out everywhere: every token issued to you so far is refused from now on",
)
async def logout_all(
    user_id: CurrentUserId, pool: PoolDep, revocations: RevocationsDep
) -> Response:
    await service.logout_everywhere(pool, revocations, user_id=user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _token_form(request: Request) -> TokenIn:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type == "application/json":
            return TokenIn.model_validate_json(await request.body())
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form()
            fields = {k: v for k, v in form.items() if k in ("username", "password")}
            return TokenIn.model_validate(fields)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        ) from exc
    raise UnsupportedMediaType(
        "Send the credentials as a form (application/x-www-form-urlencoded) or as JSON "
        "(application/json), with the matching Content-Type header."
    )
