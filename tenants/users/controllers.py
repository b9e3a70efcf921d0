"""/api/v1/users and /api/v1/invitations."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import UNSET

from comptoir.platform.auth.callers import ApiCaller
from comptoir.platform.features import requires
from comptoir.platform.web.lists import Cursor, Limit, Search, Sort, list_query
from comptoir.tenants.users import service
from comptoir.tenants.users.schemas import (
    InvitationCreate,
    InvitationList,
    InvitationOut,
    UserCreate,
    UserList,
    UserOut,
    UserUpdate,
)


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["Users"]

    @get(
        "/",
        summary="List the workspace's users",
        description="Newest first (`sort`: `name`, `email`, `created_at`, `-` for descending); "
        "`q` searches names and e-mail; filters: `role`, `status`, `team_id`.",
        opt=requires("users", "view"),
    )
    async def list_users(
        self,
        caller: NamedDependency[ApiCaller],
        request: Request[Any, Any, Any],
        q: Search = None,
        cursor: Cursor = None,
        limit: Limit = 50,
        sort: Sort = None,
    ) -> UserList:
        query = list_query(request, q=q, cursor=cursor, limit=limit, sort=sort)
        page = await service.users_page(caller.tenant.id, query)
        return UserList(items=[UserOut.of(u) for u in page.items], next_cursor=page.next_cursor)

    @post(
        "/",
        summary="Add an active user (admin)",
        description="The user gets an e-mail with a link to choose a password.",
        opt=requires("users", "create"),
    )
    async def create_user(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[UserCreate]
    ) -> UserOut:
        user = await service.add_user(
            caller.tenant.id,
            data.person(),
            actor=caller.actor,
        )
        return UserOut.of(user)

    @get("/{user_id:str}", summary="Read a user", opt=requires("users", "view"))
    async def get_user(self, caller: NamedDependency[ApiCaller], user_id: FromPath[str]) -> UserOut:
        return UserOut.of(await service.get_user(caller.tenant.id, user_id))

    @patch(
        "/{user_id:str}",
        summary="Change a user's name, role or status",
        opt=requires("users", "manage"),
    )
    async def update_user(
        self, caller: NamedDependency[ApiCaller], user_id: FromPath[str], data: JSONBody[UserUpdate]
    ) -> UserOut:
        values = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not UNSET}
        user = await service.update_user(
            caller.tenant.id, user_id, service.UserChanges(**values), actor=caller.actor
        )
        return UserOut.of(user)


class InvitationController(Controller):
    path = "/api/v1/invitations"
    tags = ["Users"]

    @get("/", summary="List invitations", opt=requires("users", "create"))
    async def list_invitations(
        self,
        caller: NamedDependency[ApiCaller],
        cursor: Annotated[str | None, QueryParameter(max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> InvitationList:
        page = await service.invitations_page(caller.tenant.id, cursor=cursor, limit=limit)
        return InvitationList(
            items=[InvitationOut.of(i) for i in page.items], next_cursor=page.next_cursor
        )

    @post("/", summary="Invite someone by e-mail (admin)", opt=requires("users", "create"))
    async def create_invitation(
        self, caller: NamedDependency[ApiCaller], data: JSONBody[InvitationCreate]
    ) -> InvitationOut:
        invitation = await service.invite_user(
            caller.tenant.id,
            data.person(),
            actor=caller.actor,
        )
        return InvitationOut.of(invitation)

    @delete(
        "/{invitation_id:str}",
        summary="Revoke an invitation (admin)",
        opt=requires("users", "create"),
    )
    async def revoke_invitation(
        self, caller: NamedDependency[ApiCaller], invitation_id: FromPath[str]
    ) -> None:
        await service.revoke_invitation(caller.tenant.id, invitation_id, actor=caller.actor)
