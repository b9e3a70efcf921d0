"""A user's own preferences."""

from __future__ import annotations

import uuid

from comptoir.platform import i18n
from comptoir.platform.audit import service as audit
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.errors import Forbidden, ValidationFailed


async def set_user_locale(
    tenant_id: uuid.UUID, user_id: uuid.UUID, locale: str, *, actor: Actor
) -> User:
    """Remember the interface language a user picked (users change only their own)."""
    if locale not in i18n.LOCALES:
        raise ValidationFailed({"locale": f"must be one of {', '.join(i18n.LOCALES)}"})
    if actor.id != user_id:
        raise Forbidden("Users choose their own language.")
    async with tenant_scope(tenant_id) as scope:
        user = await scope.get(User, user_id)
        if user.locale != locale:
            before = user.locale
            user.locale = locale
            await scope.save(user, columns=[User.locale])
            await audit.record(
                scope,
                actor,
                "user.update",
                object_type="user",
                object_id=user.id,
                changes={"locale": [before, locale]},
            )
    return user
