"""Applying the territory rules to existing accounts: how many would move
(counted in SQL, rule by rule) and the background job that moves them.

The job walks the tenant's accounts by id, ``BATCH`` at a time, each batch in
its own transaction: it updates their owners, keeps the per-owner counts,
writes one audit row per moved account (so each account's history says who
took it and when) and one row per batch for the job (its progress, and where
a retried job resumes)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from piccolo.columns.combination import WhereRaw

from comptoir.platform.audit import service as audit
from comptoir.platform.audit.tables import AuditEntry
from comptoir.platform.auth.actor import Actor
from comptoir.platform.counters import service as counters
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.errors import NotFound
from comptoir.platform.ids import parse_id
from comptoir.platform.jobs import job_queue
from comptoir.platform.jobs.kinds import JobContext, JobKind
from comptoir.platform.jobs.tables import UNFINISHED, Job
from comptoir.tenants.accounts.tables import Account
from comptoir.tenants.territories.rules import Rule, effective_rules, first_match, fold
from comptoir.tenants.territories.schemas import ReassignStatus
from comptoir.tenants.territories.service import Assignment, announce_assigned

REASSIGN_KIND = "territories.reassign"
BATCH = 1000
BATCH_ACTION = "territory.reassign"
START_ACTION = "territory.reassign_start"
# Distinct industry spellings read to translate a rule's industries into SQL.
MAX_SPELLINGS = 10_000
# Batch rows read for a job's progress (a million accounts is a thousand batches).
MAX_BATCH_ROWS = 5_000


async def _industry_spellings(scope: TenantScope, rules: Sequence[Rule]) -> dict[str, list[str]]:
    """Folded industry -> the spellings the tenant's accounts use."""
    if not any(rule.industries for rule in rules):
        return {}
    rows = await (
        scope.select(Account, Account.industry)
        .distinct()
        .where(Account.industry != "")
        .limit(MAX_SPELLINGS)
    )
    spellings: dict[str, list[str]] = {}
    for row in rows:
        spellings.setdefault(fold(row["industry"]), []).append(row["industry"])
    return spellings


async def preview(tenant_id: uuid.UUID, *, only_unowned: bool = True) -> int:
    """How many accounts the rules would give a new owner: for each rule, the
    accounts it matches that no earlier rule matches and that it would move
    (one COUNT per rule)."""
    async with tenant_scope(tenant_id) as scope:
        rules = await effective_rules(scope, with_loads=False)
        if not rules:
            return 0
        spellings = await _industry_spellings(scope, rules)
        total = 0
        earlier: list[tuple[str, list[Any]]] = []
        for rule in rules:
            condition, args = rule.condition(spellings)
            parts, values = [f"({condition})"], list(args)
            for previous, previous_args in earlier:
                parts.append(f"NOT ({previous})")
                values += previous_args
            if only_unowned:
                parts.append("owner_id IS NULL")
            else:
                change, change_args = rule.change_condition()
                parts.append(change)
                values += change_args
            where = WhereRaw(" AND ".join(parts), *values)
            total += await scope.count(Account).where(where)
            earlier.append((condition, args))
        return total


def _unique_key(tenant_id: uuid.UUID) -> str:
    return f"{REASSIGN_KIND}:{tenant_id}"


async def start(tenant_id: uuid.UUID, *, only_unowned: bool, actor: Actor) -> uuid.UUID:
    """Queue the job (once per tenant while one is pending: the pending
    one's id otherwise)."""
    async with tenant_scope(tenant_id) as scope:
        args = {
            "only_unowned": only_unowned,
            "actor_id": str(actor.id) if actor.id else None,
            "actor_label": actor.label,
            "actor_role": actor.role,
        }
        key = _unique_key(tenant_id)
        job_id = await job_queue.enqueue(REASSIGN_KIND, args, tenant_id=tenant_id, unique_key=key)
        if job_id is None:
            pending = await (
                Job.select(Job.id)
                .where(Job.unique_key == key)
                .where(Job.state.is_in(list(UNFINISHED)))
                .first()
            )
            if pending is not None:
                return uuid.UUID(str(pending["id"]))
            raise NotFound("The pending job finished meanwhile; try again.")
        await audit.record(
            scope,
            actor,
            START_ACTION,
            object_type="territory",
            object_id=job_id,
            changes={"only_unowned": only_unowned},
        )
        return job_id


def _actor(tenant_id: uuid.UUID, args: Mapping[str, Any]) -> Actor:
    """Who the job acts for: the user who asked for it."""
    actor_id = parse_id(str(args.get("actor_id") or ""))
    if actor_id is None:
        return Actor.system("territory rules")
    return Actor(
        kind="user",
        id=actor_id,
        label=str(args.get("actor_label") or ""),
        tenant_id=tenant_id,
        role=args.get("actor_role"),
    )


def _changes(raw: Any) -> dict[str, Any]:
    loaded = json.loads(raw) if isinstance(raw, str | bytes) else raw
    return dict(loaded or {})


async def _batches(scope: TenantScope, job_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await (
        scope.select(AuditEntry, AuditEntry.changes)
        .where(AuditEntry.action == BATCH_ACTION)
        .where(AuditEntry.object_id == str(job_id))
        .order_by(AuditEntry.id)
        .limit(MAX_BATCH_ROWS)
    )
    return [_changes(row["changes"]) for row in rows]


async def _apply_batch(
    scope: TenantScope,
    job_id: uuid.UUID,
    after: uuid.UUID | None,
    *,
    only_unowned: bool,
    actor: Actor,
) -> tuple[uuid.UUID | None, bool]:
    """One batch: move the accounts after ``after``; (the last id, whether
    more may follow)."""
    rules = await effective_rules(scope)
    if not rules:
        return after, False
    query = (
        scope.select(
            Account,
            Account.id,
            Account.owner_id,
            Account.postcode,
            Account.industry,
            Account.employees,
        )
        .order_by(Account.id)
        .limit(BATCH)
    )
    if after is not None:
        query = query.where(Account.id > after)
    if only_unowned:
        query = query.where(Account.owner_id.is_null())
    rows = await query
    if not rows:
        return after, False
    moves: list[tuple[uuid.UUID, uuid.UUID | None, uuid.UUID, Rule]] = []
    for row in rows:
        rule = first_match(rules, row)
        if rule is None or rule.keeps(row["owner_id"]):
            continue
        owner = rule.pick()
        if rule.team_id is not None:  # the next pick sees this account
            rule.loads[owner] = rule.loads.get(owner, 0) + 1
        moves.append((row["id"], row["owner_id"], owner, rule))
    await _write_moves(scope, moves, actor)
    last = rows[-1]["id"]
    await audit.record(
        scope,
        actor,
        BATCH_ACTION,
        object_type="territory",
        object_id=job_id,
        changes={"scanned": len(rows), "reassigned": len(moves), "after": str(last)},
    )
    return last, len(rows) == BATCH


async def _write_moves(
    scope: TenantScope,
    moves: Sequence[tuple[uuid.UUID, uuid.UUID | None, uuid.UUID, Rule]],
    actor: Actor,
) -> None:
    """New owners (one UPDATE per owner), counts, audit rows (one INSERT) and events."""
    if not moves:
        return
    now = dt.datetime.now(dt.UTC)
    by_owner: dict[uuid.UUID, list[uuid.UUID]] = {}
    deltas: Counter[uuid.UUID | None] = Counter()
    for account_id, old, new, _rule in moves:
        by_owner.setdefault(new, []).append(account_id)
        deltas[old] -= 1
        deltas[new] += 1
    for owner, ids in by_owner.items():
        await scope.update(Account, {Account.owner_id: owner, Account.updated_at: now}).where(
            Account.id.is_in(ids)
        )
    for counted, delta in deltas.items():
        await counters.bump(scope, "accounts", counted, delta)
    await scope.insert_many(
        [
            AuditEntry(
                actor_type=actor.kind,
                actor_id=actor.id,
                actor_label=actor.label[:254],
                action="account.update",
                object_type="account",
                object_id=str(account_id),
                changes={"owner_id": [str(old) if old else None, str(new)]},
            )
            for account_id, old, new, _rule in moves
        ]
    )
    for account_id, _old, new, rule in moves:
        announce_assigned(scope.tenant_id, account_id, Assignment(new, rule.id), actor)


async def reassign_job(context: JobContext) -> None:
    """The job: resume after the last batch written (a retried job does not
    start over), then batch after batch until the accounts run out."""
    tenant_id = context.tenant_id
    if tenant_id is None:
        raise ValueError("a territories job belongs to a tenant")
    actor = _actor(tenant_id, context.args)
    only_unowned = bool(context.args.get("only_unowned", True))
    async with tenant_scope(tenant_id) as scope:
        done = await _batches(scope, context.job_id)
    after = parse_id(str(done[-1].get("after") or "")) if done else None
    more = True
    while more:
        async with tenant_scope(tenant_id) as scope:
            after, more = await _apply_batch(
                scope, context.job_id, after, only_unowned=only_unowned, actor=actor
            )


REASSIGN = JobKind(
    name=REASSIGN_KIND,
    handler=reassign_job,
    max_attempts=3,
    timeout=1500.0,  # a retried job resumes after its last batch
    description="Apply a workspace's territory rules to its existing accounts.",
)


async def status(tenant_id: uuid.UUID, job_id: uuid.UUID | str) -> ReassignStatus:
    """A reassignment job of this tenant: its state and what it did so far."""
    try:
        job = await job_queue.get_job(job_id)
    except NotFound:
        job = None
    if job is None or job.kind != REASSIGN_KIND or str(job.for_tenant_id) != str(tenant_id):
        raise NotFound("No such job.")
    async with tenant_scope(tenant_id) as scope:
        done = await _batches(scope, job.id)
    args = _changes(job.args)
    return ReassignStatus(
        job_id=job.id,
        state=job.state,
        only_unowned=bool(args.get("only_unowned", True)),
        scanned=sum(int(batch.get("scanned", 0)) for batch in done),
        reassigned=sum(int(batch.get("reassigned", 0)) for batch in done),
        created_at=job.created_at,
        finished_at=job.finished_at,
        error=job.last_error or "",
    )


async def latest_job(tenant_id: uuid.UUID) -> ReassignStatus | None:
    """The tenant's most recent reassignment, for the admin page."""
    row = await (
        Job.select(Job.id)
        .where(Job.kind == REASSIGN_KIND)
        .where(Job.for_tenant_id == tenant_id)
        .order_by(Job.created_at, ascending=False)
        .first()
    )
    return await status(tenant_id, row["id"]) if row else None
