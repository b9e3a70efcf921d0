"""Team payloads, and the workspace's sharing rule."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

TeamName = Annotated[str, Meta(min_length=1, max_length=100, title="Team name")]


class TeamFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: TeamName


class TeamOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    member_ids: list[uuid.UUID]


class SharingRule(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``all``: everyone sees every record. ``own_and_team``: users without the
    see-all right (end-users) see their own and their team's records only."""

    sharing_rule: Literal["all", "own_and_team"]
