"""/api/v1/tokens and /api/v1/sessions: the caller's credentials."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from comptoir.platform.auth import service
from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.auth.tables import ApiToken, UserSession
from comptoir.platform.features import requires, signed_in


class TokenCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    user_id: str | None = None
    # RFC 3339 with a time zone; the token is refused from then on.
    expires_at: Annotated[dt.datetime, msgspec.Meta(tz=True)] | None = None


class TokenOut(msgspec.Struct):
    id: str
    name: str
    prefix: str
    user_id: str
    created_at: str
    last_used_at: str | None
    revoked: bool
    expires_at: str | None = None

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        return cls(
            id=str(token.id),
            name=token.name,
            prefix=token.prefix,
            user_id=str(token.user_id),
            created_at=token.created_at.isoformat(),
            last_used_at=token.last_used_at.isoformat() if token.last_used_at else None,
            revoked=token.revoked_at is not None,
            expires_at=token.expires_at.isoformat() if token.expires_at else None,
        )


class TokenCreated(TokenOut):
    token: str = ""


class TokenList(msgspec.Struct):
    items: list[TokenOut]
    next_cursor: str | None = None


class SessionOut(msgspec.Struct):
    id: str
    created_at: str
    last_seen_at: str
    expires_at: str
    ip_address: str
    user_agent: str
    current: bool


class SessionList(msgspec.Struct):
    items: list[SessionOut]
    next_cursor: str | None = None


class TokenController(Controller):
    path = "/api/v1/tokens"
    tags = ["Credentials"]

    @get("/", summary="List API tokens (admin)", opt=requires("api_tokens", "view"))
    async def list_tokens(
        self,
        caller: NamedDependency[ApiCaller],
        cursor: Annotated[str | None, QueryParameter(max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> TokenList:
        page = await service.api_tokens_page(caller.tenant.id, cursor=cursor, limit=limit)
        return TokenList(items=[TokenOut.of(t) for t in page.items], next_cursor=page.next_cursor)

    @post(
        "/",
        summary="Create an API token (admin)",
        description=(
            "The token is in the answer once; only its hash is kept. It acts as "
            "`user_id` (default: the caller), who must be an active user (422 "
            "otherwise), and is refused from `expires_at` on when given (RFC 3339 "
            "with a time zone, in the future). The workspace pages ask for the "
            "password again before creating a token; the API does not, since it "
            "is called with a bearer token, not a browser session."
        ),
        opt=requires("api_tokens", "create"),
    )
    async def create_token(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[TokenCreate]
    ) -> TokenCreated:
        created = await service.create_api_token(
            caller.tenant.id,
            data.user_id or caller.user.id,  # type: ignore[arg-type]
            name=data.name,
            actor=caller.actor,
            expires_at=data.expires_at,
        )
        base = TokenOut.of(created.record)
        return TokenCreated(**msgspec.structs.asdict(base), token=created.token)

    @delete(
        "/{token_id:str}",
        summary="Revoke an API token (admin)",
        opt=requires("api_tokens", "delete"),
    )
    async def revoke_token(
        self, caller: NamedDependency[ApiCaller], token_id: FromPath[str]
    ) -> None:
        await service.revoke_api_token(caller.tenant.id, token_id, actor=caller.actor)


def session_out(session: UserSession, current_id: object = None) -> SessionOut:
    return SessionOut(
        id=str(session.id),
        created_at=session.created_at.isoformat(),
        last_seen_at=session.last_seen_at.isoformat(),
        expires_at=session.expires_at.isoformat(),
        ip_address=session.ip_address,
        user_agent=session.user_agent,
        current=session.id == current_id,
    )


class SessionController(Controller):
    path = "/api/v1/sessions"
    tags = ["Credentials"]

    @get("/", summary="List the caller's open browser sessions", opt=signed_in())
    async def list_sessions(self, caller: NamedDependency[ApiCaller]) -> SessionList:
        sessions = await service.list_sessions(caller.tenant.id, caller.user.id)
        return SessionList(items=[session_out(s) for s in sessions])

    @delete("/{session_id:str}", summary="Revoke a session", opt=signed_in())
    async def revoke_session(
        self, caller: NamedDependency[ApiCaller], session_id: FromPath[str]
    ) -> None:
        await service.revoke_session(caller.tenant.id, session_id, actor=caller.actor)
