"""Data completeness figures, computed in SQL.

Definitions (the product's, followed exactly):

- A field counts on a record only where it applies (its condition: a lost
  reason on lost opportunities). Its **fill rate** is filled ÷ applicable
  records; ``None`` when it applies to none.
- A record's **score** is the weighted share of its applicable expected
  fields it fills: Σ weight·filled ÷ Σ weight over the fields that apply.
  A record no expected field applies to has no score and is not counted.
- An object's **score** is the mean of its records' scores; the **tenant
  score** is the mean of its objects' scores (objects with no scored record
  left out). ``None`` when there is nothing to measure.
- Per owner (and team): the same figures over the records they own.

Each object is read with one aggregate query grouped by owner (``SUM(CASE
…)``), through ``tenant_scope``; the tenant, owner and team figures are sums
of those groups. The rules are the version in force (``CompletenessRuleSet``):
figures kept per day (``CompletenessSnapshot``) carry their version, so a rule
change shows as a marker, never as a change of quality.

The tenant-wide figures of a big tenant take a few hundred milliseconds to
aggregate, so the last ones computed are kept (``CompletenessFigures``, per
object and owner, with when their computation began and how long it took)
and read instead while they are younger than an hour and of the rule version
in force. Every commit that changes a measured record stamps the tenant's
``CompletenessChange``: figures computed before it are computed again on the
next read, except those that take ``CHEAP_MS`` or more to compute, which
are still read for a minute (so a busy big tenant's dashboards are at most a
minute behind, and its records are not re-read at every write). One owner's
figures, or a viewer limited to some owners, are always computed live.

``tenant_completeness(tenant_id)`` is what the console's health score reads."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from comptoir.adoption.completeness.objects import (
    DEFAULT_STALE_DAYS,
    CompletenessObject,
    Rules,
    completeness_objects,
    default_rules,
)
from comptoir.adoption.completeness.tables import (
    CompletenessChange,
    CompletenessFigures,
    CompletenessRuleSet,
)
from comptoir.platform.auth.tables import User
from comptoir.platform.db.scope import TenantScope, tenant_scope
from comptoir.platform.ids import new_id

__all__ = [
    "CompletenessReport",
    "ObjectFigures",
    "completeness_report",
    "object_figures",
    "rules_in_force",
    "tenant_completeness",
]


@dataclass
class ObjectFigures:
    """Additive counts of one object over some records (an owner's, everyone's)."""

    records: int = 0
    scored: int = 0
    score_sum: float = 0.0
    incomplete: int = 0  # scored records missing at least one expected field
    applicable: dict[str, int] = field(default_factory=dict)
    filled: dict[str, int] = field(default_factory=dict)

    def add(self, other: ObjectFigures) -> None:
        self.records += other.records
        self.scored += other.scored
        self.score_sum += other.score_sum
        self.incomplete += other.incomplete
        for name, count in other.applicable.items():
            self.applicable[name] = self.applicable.get(name, 0) + count
        for name, count in other.filled.items():
            self.filled[name] = self.filled.get(name, 0) + count

    @property
    def score(self) -> float | None:
        return self.score_sum / self.scored if self.scored else None

    def fill_rates(self) -> dict[str, float | None]:
        return {
            name: (self.filled.get(name, 0) / count if count else None)
            for name, count in self.applicable.items()
        }

    @property
    def gaps(self) -> int:
        """Expected values missing: applicable minus filled, over every field."""
        return sum(count - self.filled.get(name, 0) for name, count in self.applicable.items())


def mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


# --- Rules ---------------------------------------------------------------------


def _rules(row: Mapping[str, Any] | None) -> Rules:
    if row is None:
        return Rules(version=0, expected=default_rules(), stale_days=DEFAULT_STALE_DAYS)
    expected = row["expected"] if isinstance(row["expected"], dict) else {}
    return Rules(
        version=int(row["version"]),
        expected={str(k): {str(f): int(w) for f, w in v.items()} for k, v in expected.items()},
        stale_days=int(row["stale_days"]),
        changed_at=row["created_at"],
        changed_by=row["changed_by"],
        note=str(row.get("note") or ""),
    )


async def rules_in_force(scope: TenantScope, at: dt.datetime | None = None) -> Rules:
    """The latest rule version (made by ``at``, when given). A tenant with no
    version yet (provisioned before this feature) has the defaults, version 0."""
    query = scope.select(CompletenessRuleSet).order_by(CompletenessRuleSet.version, ascending=False)
    if at is not None:
        query = query.where(CompletenessRuleSet.created_at <= at)
    return _rules(await query.first().output(load_json=True))


async def rule_history(scope: TenantScope) -> list[Rules]:
    rows = await (
        scope.select(CompletenessRuleSet)
        .order_by(CompletenessRuleSet.version)
        .output(load_json=True)
    )
    return [_rules(row) for row in rows]


# --- The aggregate query -------------------------------------------------------


def expected_flags(
    obj: CompletenessObject, weights: Mapping[str, int]
) -> list[tuple[str, str, str]]:
    """(field, applies SQL, applies-and-filled SQL) of each expected field."""
    flags = []
    for name in weights:
        spec = obj.field(name)
        if spec is None:
            continue
        applies = spec.applies.sql if spec.applies else "1 = 1"
        flags.append((name, f"({applies})", f"({applies}) AND {spec.filled}"))
    return flags


def figures_sql(
    obj: CompletenessObject, weights: Mapping[str, int], where: str = ""
) -> tuple[str, list[str]]:
    """One aggregate over the object's records grouped by owner, and the
    expected fields in the order of its columns a0/f0, a1/f1…"""
    flags = expected_flags(obj, weights)
    names = [name for name, _, _ in flags]
    inner = ", ".join(
        f"CASE WHEN {applies} THEN 1 ELSE 0 END AS a{i}, "
        f"CASE WHEN {filled} THEN 1 ELSE 0 END AS f{i}"
        for i, (_, applies, filled) in enumerate(flags)
    )
    denominator = " + ".join(f"a{i} * {int(weights[n])}" for i, n in enumerate(names)) or "0"
    numerator = " + ".join(f"f{i} * {int(weights[n])}" for i, n in enumerate(names)) or "0"
    sums = "".join(f", SUM(a{i}) AS a{i}, SUM(f{i}) AS f{i}" for i in range(len(names)))
    select_inner = f"owner_id{', ' + inner if inner else ''}"
    sql = (
        "SELECT owner_id, COUNT(*) AS records, "
        f"SUM(CASE WHEN ({denominator}) > 0 THEN 1 ELSE 0 END) AS scored, "
        f"SUM(CASE WHEN ({denominator}) > 0 THEN ({numerator}) * 1.0 / ({denominator}) "
        "ELSE 0 END) AS score_sum, "
        f"SUM(CASE WHEN ({denominator}) > 0 AND ({numerator}) < ({denominator}) "
        f"THEN 1 ELSE 0 END) AS incomplete{sums} "
        f"FROM (SELECT {select_inner} FROM {obj.tablename} "
        f"WHERE tenant_id = {{}}{where}) AS records GROUP BY owner_id"
    )
    return sql, names


def _owner_key(value: Any) -> str:
    return str(value) if value is not None else ""


async def object_figures(
    scope: TenantScope,
    obj: CompletenessObject,
    rules: Rules,
    *,
    owner_id: uuid.UUID | None = None,
    created_from: dt.datetime | None = None,
    created_until: dt.datetime | None = None,
) -> dict[str, ObjectFigures]:
    """Owner key ("" for records without an owner) -> the object's figures,
    limited to one owner's records or to those created in a period if asked."""
    weights = rules.weights(obj)
    where = ""
    args: list[Any] = [scope.tenant_id]
    if owner_id is not None:
        where += " AND owner_id = {}"
        args.append(owner_id)
    if created_from is not None:
        where += " AND created_at >= {}"
        args.append(created_from)
    if created_until is not None:
        where += " AND created_at < {}"
        args.append(created_until)
    visible = scope.visible_owner_ids()
    if visible is not None:
        where += " AND owner_id IN (" + ", ".join("{}" for _ in visible) + ")"
        args.extend(visible)
    sql, names = figures_sql(obj, weights, where)
    rows = await scope.raw(obj.table, sql, *args)
    figures: dict[str, ObjectFigures] = {}
    for row in rows:
        figures[_owner_key(row["owner_id"])] = ObjectFigures(
            records=int(row["records"] or 0),
            scored=int(row["scored"] or 0),
            score_sum=float(row["score_sum"] or 0),
            incomplete=int(row["incomplete"] or 0),
            applicable={n: int(row[f"a{i}"] or 0) for i, n in enumerate(names)},
            filled={n: int(row[f"f{i}"] or 0) for i, n in enumerate(names)},
        )
    return figures


def total(figures: Mapping[str, ObjectFigures], weights: Mapping[str, int]) -> ObjectFigures:
    summed = ObjectFigures(
        applicable={name: 0 for name in weights}, filled={name: 0 for name in weights}
    )
    for part in figures.values():
        summed.add(part)
    return summed


# --- The report ----------------------------------------------------------------


@dataclass(frozen=True)
class OwnerScore:
    owner_id: uuid.UUID | None
    name: str
    team_id: uuid.UUID | None
    objects: dict[str, ObjectFigures]

    @property
    def score(self) -> float | None:
        return mean([f.score for f in self.objects.values()])

    @property
    def gaps(self) -> int:
        return sum(f.gaps for f in self.objects.values())

    @property
    def incomplete(self) -> int:
        return sum(f.incomplete for f in self.objects.values())


@dataclass(frozen=True)
class CompletenessReport:
    rules: Rules
    objects: dict[str, ObjectFigures]  # object key -> everyone's figures
    owners: list[OwnerScore]  # most gaps first

    @property
    def score(self) -> float | None:
        return mean([f.score for f in self.objects.values()])

    def worst_fields(self) -> list[tuple[str, str, float, int]]:
        """(object, field, fill rate, missing values), lowest rate first."""
        found = []
        for key, figures in self.objects.items():
            for name, rate in figures.fill_rates().items():
                if rate is not None:
                    missing = figures.applicable[name] - figures.filled.get(name, 0)
                    found.append((key, name, rate, missing))
        return sorted(found, key=lambda item: (item[2], -item[3]))

    def teams(self) -> dict[uuid.UUID | None, dict[str, ObjectFigures]]:
        teams: dict[uuid.UUID | None, dict[str, ObjectFigures]] = {}
        for owner in self.owners:
            into = teams.setdefault(owner.team_id, {})
            for key, figures in owner.objects.items():
                into.setdefault(key, ObjectFigures()).add(figures)
        return teams


def person_label(user: Mapping[str, Any]) -> str:
    full = f"{user.get('first_name') or ''} {user.get('last_name') or ''}".strip()
    return full or str(user.get("email") or "")


async def people_by_id(scope: TenantScope) -> dict[str, Mapping[str, Any]]:
    rows = await scope.select(
        User, User.id, User.first_name, User.last_name, User.email, User.team_id, User.role
    )
    return {str(row["id"]): row for row in rows}


KEPT_FOR = dt.timedelta(hours=1)
WRITES_WAIT = dt.timedelta(minutes=1)
# Figures computed faster than this are computed again on the first read after
# any change; slower ones (a big tenant's) may be up to WRITES_WAIT behind.
CHEAP_MS = 50


async def kept_figures(
    scope: TenantScope, rules: Rules, now: dt.datetime
) -> dict[str, dict[str, ObjectFigures]] | None:
    """Object -> owner key -> the kept figures, when they are usable: of the
    rules in force, younger than an hour, and either computed since the last
    change of a measured record or, when they take long to compute, at most
    a minute before it."""
    rows = await (
        scope.select(
            CompletenessFigures,
            CompletenessFigures.object,
            CompletenessFigures.computed_at,
            CompletenessFigures.compute_ms,
            CompletenessFigures.applicable,
            CompletenessFigures.owners,
        )
        .where(CompletenessFigures.version == rules.version)
        .where(CompletenessFigures.owner_key == "all")
    )
    if not rows:
        return None
    computed_at = min(_aware(row["computed_at"]) for row in rows)
    if computed_at < now - KEPT_FOR:
        return None
    changes = await scope.select(CompletenessChange, CompletenessChange.changed_at)
    changed_at = _aware(changes[0]["changed_at"]) if changes else None
    if changed_at is not None and changed_at >= computed_at:
        slow = max(int(row["compute_ms"] or 0) for row in rows) >= CHEAP_MS
        if not slow or computed_at < now - WRITES_WAIT:
            return None
    kept: dict[str, dict[str, ObjectFigures]] = {}
    for row in rows:
        names = list(msgspec.json.decode(row["applicable"] or "{}"))
        owners = kept.setdefault(row["object"], {})
        for owner, packed in msgspec.json.decode(row["owners"] or "{}").items():
            records, scored, score_sum, incomplete, applicable, filled = packed
            owners[owner] = ObjectFigures(
                records=records,
                scored=scored,
                score_sum=score_sum,
                incomplete=incomplete,
                applicable=dict(zip(names, applicable, strict=True)),
                filled=dict(zip(names, filled, strict=True)),
            )
    return kept


async def keep_figures(
    scope: TenantScope,
    rules: Rules,
    computed: dict[str, dict[str, ObjectFigures]],
    *,
    started: dt.datetime,
    took_ms: int,
) -> None:
    """Replace the kept figures: one row per object, every owner's inside,
    stamped with when their computation began and how long it took."""
    rows = []
    for key, owners in computed.items():
        obj = next(o for o in completeness_objects() if o.key == key)
        names = list(rules.weights(obj))
        summed = total(owners, rules.weights(obj))
        rows.append(
            CompletenessFigures(
                object=key,
                owner_key="all",
                version=rules.version,
                computed_at=started,
                compute_ms=took_ms,
                records=summed.records,
                scored=summed.scored,
                score_sum=summed.score_sum,
                incomplete=summed.incomplete,
                applicable={n: summed.applicable.get(n, 0) for n in names},
                filled={n: summed.filled.get(n, 0) for n in names},
                owners={
                    owner: [
                        f.records,
                        f.scored,
                        f.score_sum,
                        f.incomplete,
                        [f.applicable.get(n, 0) for n in names],
                        [f.filled.get(n, 0) for n in names],
                    ]
                    for owner, f in owners.items()
                },
            )
        )
    await scope.delete(CompletenessFigures).where(CompletenessFigures.id.is_not_null())
    await scope.insert_many(rows)


async def forget_figures(tenant_id: uuid.UUID, now: dt.datetime | None = None) -> None:
    """A measured record changed (after its commit): the kept figures
    computed before now are out of date."""
    async with tenant_scope(tenant_id) as scope:
        await scope.unrestricted().raw(
            CompletenessChange,
            "INSERT INTO completeness_changes (id, tenant_id, changed_at) VALUES ({}, {}, {}) "
            "ON CONFLICT (tenant_id) DO UPDATE SET changed_at = excluded.changed_at",
            new_id(),
            tenant_id,
            now or dt.datetime.now(dt.UTC),
        )


def _aware(value: Any) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


async def report_in(
    scope: TenantScope,
    *,
    owner_id: uuid.UUID | None = None,
    rules: Rules | None = None,
    fresh: bool = False,
) -> CompletenessReport:
    """The report with the rules in force. Everyone's figures come from the
    kept ones when usable (unless ``fresh``), else are computed and kept."""
    rules = rules or await rules_in_force(scope)
    objects: dict[str, ObjectFigures] = {}
    by_owner: dict[str, dict[str, ObjectFigures]] = {}
    shared = owner_id is None and scope.visible_owner_ids() is None
    now = dt.datetime.now(dt.UTC)
    kept = await kept_figures(scope, rules, now) if shared and not fresh else None
    started = time.perf_counter()
    computed: dict[str, dict[str, ObjectFigures]] = {}
    for obj in completeness_objects():
        weights = rules.weights(obj)
        if not weights:
            continue
        if kept is not None:
            figures = kept.get(obj.key, {})
        else:
            figures = await object_figures(scope, obj, rules, owner_id=owner_id)
            computed[obj.key] = figures
        objects[obj.key] = total(figures, weights)
        for owner, part in figures.items():
            by_owner.setdefault(owner, {})[obj.key] = part
    if shared and kept is None:
        took_ms = round((time.perf_counter() - started) * 1000)
        await keep_figures(scope, rules, computed, started=now, took_ms=took_ms)
    people = await people_by_id(scope) if by_owner else {}
    owners = []
    for key, parts in by_owner.items():
        person = people.get(key)
        owners.append(
            OwnerScore(
                owner_id=uuid.UUID(key) if key else None,
                name=person_label(person) if person else "",
                team_id=person["team_id"] if person else None,
                objects=parts,
            )
        )
    owners.sort(key=lambda o: (-o.gaps, o.name))
    return CompletenessReport(rules=rules, objects=objects, owners=owners)


async def completeness_report(
    tenant_id: uuid.UUID, *, owner_id: uuid.UUID | None = None
) -> CompletenessReport:
    """Every object's figures, per field and per owner, with the rules in force
    (limited to what the request's viewer may see, inside a request)."""
    async with tenant_scope(tenant_id) as scope:
        return await report_in(scope, owner_id=owner_id)


async def tenant_completeness(tenant_id: uuid.UUID) -> float | None:
    """The tenant's completeness score, 0..1 (the mean of its objects' scores),
    or None when no record has an expected field to fill. Reads every record
    of the tenant whoever the caller is (for the console's health score)."""
    async with tenant_scope(tenant_id) as scope:
        return (await report_in(scope.unrestricted())).score
