"""The ops console at /console: staff sign-in, the tenant directory, one
tenant's page with its logs, outbox and jobs, suspension and impersonation,
background jobs (retry, cancel), and the staff audit log. Handlers parse, call
a service and render."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from babel.dates import format_timedelta
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform import i18n
from comptoir.platform.assembly import all_features
from comptoir.platform.auth.callers import client_ip
from comptoir.platform.auth.cookies import (
    CONSOLE_COOKIE,
    clear_console_cookie,
    console_cookie,
    workspace_cookie,
)
from comptoir.platform.console import impersonation as impersonating
from comptoir.platform.console import jobs as job_list
from comptoir.platform.console import service
from comptoir.platform.console import tenants as directory
from comptoir.platform.console.service import StaffIdentity
from comptoir.platform.directory.tables import Tenant
from comptoir.platform.errors import ComptoirError, TooManyAttempts, ValidationFailed
from comptoir.platform.features import ConsoleLink
from comptoir.platform.ids import parse_id
from comptoir.platform.logs import bind_identity
from comptoir.platform.outbox.redaction import redact
from comptoir.platform.settings import get_settings
from comptoir.platform.web.problems import LoginRequired

LANGUAGE_COOKIE = "comptoir_console_lang"
CONSOLE_DEFAULT_LOCALE = "en"
FormData = URLEncodedBody[dict[str, str]]
OptionalQuery = Annotated[str | None, QueryParameter(required=False)]
NextQuery = Annotated[str | None, QueryParameter(name="next", required=False)]
# "state" is a name Litestar reserves for the application state.
StateQuery = Annotated[str | None, QueryParameter(name="state", required=False)]


# ---- request helpers -----------------------------------------------------------


def _set_locale(request: Request[Any, Any, Any]) -> str:
    """The language the staff member chose for the console, else the
    browser's (Accept-Language), else English."""
    chosen = request.cookies.get(LANGUAGE_COOKIE) or ""
    accept = request.headers.get("accept-language") or ""
    locale = i18n.pick_locale(chosen, f"{accept},{CONSOLE_DEFAULT_LOCALE}")
    i18n.current_locale.set(locale)
    return locale


def _safe_next(target: str | None) -> str:
    """Only console paths: never another site, never a scheme-relative URL."""
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return "/console/"


def _ago(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    delta = value - dt.datetime.now(dt.UTC)
    if abs(delta) < dt.timedelta(minutes=1):
        return i18n.gettext("just now")
    return format_timedelta(
        delta, add_direction=True, threshold=1.1, format="short", locale=i18n.current_locale.get()
    )


def console_links() -> dict[str, list[ConsoleLink]]:
    """The features' console links: "nav" (sidebar) and "tenant" (tenant page)."""
    features = all_features()
    return {
        "nav": [link for feature in features for link in feature.console_nav],
        "tenant": [link for feature in features for link in feature.console_tenant_links],
    }


def console_page(
    template: str, *, status_code: int = 200, cookies: list[Cookie] | None = None, **context: Any
) -> Template:
    """A console page: its template with the helpers and links every console page uses."""
    return Template(
        template_name=template,
        context={"ago": _ago, "console_links": console_links(), **context},
        status_code=status_code,
        media_type=MediaType.HTML,
        cookies=cookies or [],
    )


def _with_done(target: str, done: str) -> str:
    """``target`` (a console path) with ``done`` set in its query, for the
    page to say what just happened."""
    parts = urlsplit(target)
    params = [(k, v) for k, v in parse_qsl(parts.query) if k != "done"] + [("done", done)]
    return f"{parts.path}?{urlencode(params)}{'#' + parts.fragment if parts.fragment else ''}"


def _is_htmx(request: Request[Any, Any, Any], target: str) -> bool:
    return bool(request.headers.get("hx-request")) and request.headers.get("hx-target") == target


async def provide_staff(request: Request[Any, Any, Any]) -> StaffIdentity:
    """Every console page but the login needs a live staff session."""
    _set_locale(request)
    found = await service.load_staff_session(request.cookies.get(CONSOLE_COOKIE, ""))
    if found is None:
        path = request.url.path if request.url.path != "/console" else "/console/"
        target = path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(f"/console/login?{urlencode({'next': target})}")
    session, staff = found
    bind_identity(None, f"staff:{staff.email}")
    return StaffIdentity(staff=staff, session=session, ip_address=client_ip(request))


# ---- sign-in -------------------------------------------------------------------------


class ConsoleLoginController(Controller):
    path = "/console"
    include_in_schema = False

    @get("/login")
    async def login_form(
        self, request: Request[Any, Any, Any], next_: NextQuery = None
    ) -> Template:
        _set_locale(request)
        return await self._login_page(next_url=_safe_next(next_))

    @post("/login")
    async def login(self, request: Request[Any, Any, Any], data: FormData) -> Response[Any]:
        _set_locale(request)
        next_url = _safe_next(data.get("next"))
        email = data.get("email", "").strip()
        try:
            opened = await service.sign_in_staff(
                email,
                data.get("password", ""),
                data.get("code", ""),
                ip_address=client_ip(request),
                user_agent=request.headers.get("user-agent", ""),
            )
        except TooManyAttempts as error:
            return await self._login_page(
                next_url=next_url, email=email, error=error.detail, status_code=429, throttled=True
            )
        except ComptoirError as error:
            return await self._login_page(
                next_url=next_url, email=email, error=error.detail, status_code=401
            )
        return Redirect(
            path=next_url,
            status_code=303,
            cookies=[console_cookie(opened.token, max_age=opened.max_age)],
        )

    async def _login_page(
        self,
        *,
        next_url: str,
        email: str = "",
        error: str = "",
        status_code: int = 200,
        throttled: bool = False,
    ) -> Template:
        return console_page(
            "console/login.html",
            status_code=status_code,
            next_url=next_url,
            email=email,
            error=error,
            throttled=throttled,
            demo=await service.demo_login_hint(),
        )

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        await service.sign_out_staff(
            request.cookies.get(CONSOLE_COOKIE, ""), ip_address=client_ip(request)
        )
        return Redirect(path="/console/login", status_code=303, cookies=[clear_console_cookie()])

    @post("/language")
    async def language(self, data: FormData) -> Redirect:
        """Remember the console language of this browser (English by default)."""
        chosen = data.get("locale", "")
        locale = chosen if chosen in i18n.LOCALES else CONSOLE_DEFAULT_LOCALE
        cookie = Cookie(
            key=LANGUAGE_COOKIE,
            value=locale,
            path="/console",
            max_age=365 * 24 * 3600,
            samesite="lax",
            httponly=True,
            secure=get_settings().secure_cookies,
        )
        return Redirect(path=_safe_next(data.get("next")), status_code=303, cookies=[cookie])


# ---- pages behind the staff session ---------------------------------------------------


def _tenant_query(page: directory.TenantPage, cursor: str | None = None) -> str:
    params = {k: v for k, v in (("q", page.query), ("status", page.status)) if v}
    if cursor:
        params["cursor"] = cursor
    return "?" + urlencode(params) if params else ""


class ConsoleController(Controller):
    path = "/console"
    include_in_schema = False
    dependencies = {"staff": Provide(provide_staff)}

    @get("/")
    async def tenants(
        self,
        request: Request[Any, Any, Any],
        staff: NamedDependency[StaffIdentity],
        q: OptionalQuery = None,
        status: OptionalQuery = None,
        cursor: OptionalQuery = None,
    ) -> Template:
        try:
            page = await directory.search_tenants(q or "", status=status or "", cursor=cursor)
        except ValidationFailed:
            page = await directory.search_tenants(q or "", status=status or "")
        context: dict[str, Any] = {
            "staff": staff,
            "page": page,
            "next_query": _tenant_query(page, page.next_cursor) if page.next_cursor else "",
            "first_query": _tenant_query(page) if cursor else "",
            "statuses": directory.STATUSES,
        }
        if _is_htmx(request, "tenant-results"):
            return console_page("console/_tenant_results.html", **context)
        return console_page(
            "console/tenants.html",
            stats=await directory.tenant_stats(),
            nav="tenants",
            **context,
        )

    async def _tenant_page(
        self,
        tenant: Tenant,
        staff: StaffIdentity,
        *,
        status_code: int = 200,
        done: str = "",
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        error_user: str = "",
        cursors: dict[str, str] | None = None,
        audit_filter: directory.AuditFilter | None = None,
    ) -> Template:
        cursors = cursors or {}
        audit_filter = audit_filter or directory.AuditFilter()
        try:
            overview = await directory.tenant_overview(
                tenant,
                users_cursor=cursors.get("users"),
                audit_cursor=cursors.get("audit"),
                outbox_cursor=cursors.get("outbox"),
                audit_filter=audit_filter,
            )
        except ValidationFailed:  # a cursor this page did not make: start over
            cursors = {}
            overview = await directory.tenant_overview(tenant, audit_filter=audit_filter)
        jobs = await job_list.tenant_jobs(tenant.id, limit=job_list.TENANT_PAGE_LIMIT + 1)
        here = f"/console/tenants/{tenant.id}"
        filters = audit_filter.params()

        def more(section: str, cursor: str | None) -> str:
            if not cursor:
                return ""
            params = {**(filters if section == "audit" else {}), f"{section}_cursor": cursor}
            return f"{here}?{urlencode(params)}#{section}"

        return console_page(
            "console/tenant.html",
            jobs=jobs[: job_list.TENANT_PAGE_LIMIT],
            more_jobs=len(jobs) > job_list.TENANT_PAGE_LIMIT,
            back=f"{here}#jobs",
            status_code=status_code,
            staff=staff,
            nav="tenants",
            overview=overview,
            tenant=tenant,
            done=done,
            errors=errors or {},
            values=values or {},
            error_user=error_user,
            impersonation_minutes=get_settings().impersonation_minutes,
            min_reason=impersonating.MIN_REASON_LENGTH,
            audit_actions=directory.audit_actions(),
            audit_filter=audit_filter,
            next_users=more("users", overview.users_next),
            next_audit=more("audit", overview.audit_next),
            next_outbox=more("outbox", overview.outbox_next),
            first_users=f"{here}#users" if cursors.get("users") else "",
            first_audit=(
                f"{here}{'?' + urlencode(filters) if filters else ''}#audit"
                if cursors.get("audit")
                else ""
            ),
            first_outbox=f"{here}#outbox" if cursors.get("outbox") else "",
            masked=directory.masked_address,
        )

    @get("/tenants/{tenant_id:str}")
    async def tenant(
        self,
        staff: NamedDependency[StaffIdentity],
        tenant_id: FromPath[str],
        done: OptionalQuery = None,
        users_cursor: OptionalQuery = None,
        audit_cursor: OptionalQuery = None,
        outbox_cursor: OptionalQuery = None,
        action: OptionalQuery = None,
        since: OptionalQuery = None,
        until: OptionalQuery = None,
    ) -> Template:
        """One tenant: facts, then a page of each list (users, outbox, jobs, audit
        log, the last filtered by action and days). Metadata only: record
        contents are read through impersonation."""
        tenant = await directory.get_tenant(tenant_id)
        cursors = {
            name: value
            for name, value in (
                ("users", users_cursor),
                ("audit", audit_cursor),
                ("outbox", outbox_cursor),
            )
            if value
        }
        return await self._tenant_page(
            tenant,
            staff,
            done=done or "",
            cursors=cursors,
            audit_filter=directory.AuditFilter.parse(action, since, until),
        )

    @post("/tenants/{tenant_id:str}/suspend")
    async def suspend(
        self, staff: NamedDependency[StaffIdentity], tenant_id: FromPath[str], data: FormData
    ) -> Response[Any]:
        tenant = await directory.get_tenant(tenant_id)
        reason = data.get("reason", "")
        try:
            await directory.suspend_tenant(
                tenant, staff=staff.staff, reason=reason, ip=staff.ip_address
            )
        except ValidationFailed as error:
            return await self._tenant_page(
                tenant, staff, status_code=422, errors=error.errors, values={"reason": reason}
            )
        except ComptoirError as error:
            return await self._tenant_page(
                tenant, staff, status_code=error.status_code, errors={"status": error.detail}
            )
        return Redirect(path=f"/console/tenants/{tenant.id}?done=suspended", status_code=303)

    @post("/tenants/{tenant_id:str}/reactivate")
    async def reactivate(
        self, staff: NamedDependency[StaffIdentity], tenant_id: FromPath[str]
    ) -> Response[Any]:
        tenant = await directory.get_tenant(tenant_id)
        try:
            await directory.reactivate_tenant(tenant, staff=staff.staff, ip=staff.ip_address)
        except ComptoirError as error:
            return await self._tenant_page(
                tenant, staff, status_code=error.status_code, errors={"status": error.detail}
            )
        return Redirect(path=f"/console/tenants/{tenant.id}?done=reactivated", status_code=303)

    @post("/tenants/{tenant_id:str}/impersonate")
    async def impersonate(
        self,
        request: Request[Any, Any, Any],
        staff: NamedDependency[StaffIdentity],
        tenant_id: FromPath[str],
        data: FormData,
    ) -> Response[Any]:
        tenant = await directory.get_tenant(tenant_id)
        user_id = data.get("user_id", "")
        reason = data.get("reason", "")
        try:
            started = await impersonating.start_impersonation(
                tenant,
                user_id,
                staff=staff.staff,
                reason=reason,
                ip=staff.ip_address,
                user_agent=request.headers.get("user-agent", ""),
            )
        except ComptoirError as error:
            message = (
                error.errors.get("reason", error.detail)
                if isinstance(error, ValidationFailed)
                else error.detail
            )
            return await self._tenant_page(
                tenant,
                staff,
                status_code=error.status_code,
                errors={"impersonate": message},
                values={"reason": reason},
                error_user=user_id,
            )
        cookie = workspace_cookie(tenant.slug, started.token, max_age=started.max_age)
        return Redirect(path=f"/w/{tenant.slug}/", status_code=303, cookies=[cookie])

    @get("/tenants/{tenant_id:str}/outbox/{message_id:str}")
    async def outbox_message(
        self,
        request: Request[Any, Any, Any],
        staff: NamedDependency[StaffIdentity],
        tenant_id: FromPath[str],
        message_id: FromPath[str],
    ) -> Template:
        tenant = await directory.get_tenant(tenant_id)
        message = await directory.outbox_message(
            tenant, message_id, staff=staff.staff, ip=staff.ip_address
        )
        context: dict[str, Any] = {
            "staff": staff,
            "tenant": tenant,
            "message": message,
            "body": redact(message.body_text),
            "nav": "tenants",
        }
        if _is_htmx(request, "outbox-reader"):
            return console_page("console/_outbox_message.html", **context)
        return console_page("console/outbox_message.html", **context)

    async def _jobs_page(
        self,
        staff: StaffIdentity,
        *,
        state: str = "",
        tenant: Tenant | None = None,
        cursor: str | None = None,
        done: str = "",
        error: str = "",
        status_code: int = 200,
    ) -> Template:
        try:
            page = await job_list.list_jobs(state=state, tenant=tenant, cursor=cursor)
        except ValidationFailed:
            page = await job_list.list_jobs(state=state, tenant=tenant)
        filters = {"state": page.state, "tenant": str(tenant.id) if tenant else ""}
        here = {k: v for k, v in filters.items() if v}
        next_query = ""
        if page.next_cursor:
            next_query = "?" + urlencode({**here, "cursor": page.next_cursor})
        return console_page(
            "console/jobs.html",
            status_code=status_code,
            staff=staff,
            nav="jobs",
            page=page,
            counts=await job_list.state_counts(),
            slugs=await job_list.tenant_slugs(page.items),
            filters=list(job_list.FILTERS),
            next_query=next_query,
            first_query=("?" + urlencode(here) if here else "?") if cursor else "",
            back="/console/jobs" + ("?" + urlencode(here) if here else ""),
            done=done,
            error=error,
        )

    @get("/jobs")
    async def jobs(
        self,
        staff: NamedDependency[StaffIdentity],
        job_state: StateQuery = None,
        tenant: OptionalQuery = None,
        cursor: OptionalQuery = None,
        done: OptionalQuery = None,
    ) -> Template:
        """Every tenant's jobs (or one tenant's), newest first, by state."""
        of_tenant = await directory.get_tenant(tenant) if tenant else None
        return await self._jobs_page(
            staff, state=job_state or "", tenant=of_tenant, cursor=cursor, done=done or ""
        )

    @post("/jobs/{job_id:str}/retry")
    async def retry_job(
        self, staff: NamedDependency[StaffIdentity], job_id: FromPath[str], data: FormData
    ) -> Response[Any]:
        try:
            await job_list.retry_job(job_id, staff=staff.staff, ip=staff.ip_address)
        except ComptoirError as error:
            return await self._jobs_page(staff, error=error.detail, status_code=error.status_code)
        return Redirect(path=_with_done(_safe_next(data.get("next")), "retried"), status_code=303)

    @post("/jobs/{job_id:str}/cancel")
    async def cancel_job(
        self, staff: NamedDependency[StaffIdentity], job_id: FromPath[str], data: FormData
    ) -> Response[Any]:
        try:
            await job_list.cancel_job(job_id, staff=staff.staff, ip=staff.ip_address)
        except ComptoirError as error:
            return await self._jobs_page(staff, error=error.detail, status_code=error.status_code)
        return Redirect(path=_with_done(_safe_next(data.get("next")), "cancelled"), status_code=303)

    @get("/audit")
    async def audit(
        self,
        staff: NamedDependency[StaffIdentity],
        cursor: OptionalQuery = None,
        action: OptionalQuery = None,
    ) -> Template:
        after = parse_id(cursor) if cursor else None
        entries, next_id = await service.staff_audit_log(cursor=after, action=action or "")
        slugs: dict[Any, str] = {}
        targets = {e.target_tenant for e in entries if e.target_tenant is not None}
        if targets:
            rows = await Tenant.select(Tenant.id, Tenant.slug).where(Tenant.id.is_in(list(targets)))
            slugs = {row["id"]: row["slug"] for row in rows}
        next_query = ""
        if next_id is not None:
            params = {"cursor": str(next_id), **({"action": action} if action else {})}
            next_query = "?" + urlencode(params)
        return console_page(
            "console/audit.html",
            staff=staff,
            nav="audit",
            entries=entries,
            slugs=slugs,
            action=action or "",
            actions=service.STAFF_ACTIONS,
            next_query=next_query,
        )


CONSOLE_ROUTES: list[Any] = [ConsoleLoginController, ConsoleController]
