"""Public pages: the landing page, self-service signup, finding one's
workspace, and the language switch for visitors."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from babel import Locale
from babel.numbers import format_currency
from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from comptoir.platform import i18n
from comptoir.platform.auth.callers import client_ip
from comptoir.platform.auth.credentials import new_secret
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.platform.errors import Conflict, TooManyAttempts, ValidationFailed
from comptoir.platform.features import public
from comptoir.platform.i18n import gettext as _
from comptoir.platform.settings import get_settings
from comptoir.tenants.signup.defaults import PLAN_PRICES, PLANS, TRIAL_DAYS
from comptoir.tenants.signup.service import SignupAlreadyUsed, SignupRequest, provision_tenant
from comptoir.tenants.signup.slugs import slug_problem, suggest_slug
from comptoir.tenants.workspace.deps import LANG_COOKIE, Visitor, provide_visitor
from comptoir.tenants.workspace.rendering import (
    form_errors,
    render_public,
    see_other,
    sign_in_and_go,
)

SIGNUP_FIELDS = (
    "company_name",
    "slug",
    "admin_first_name",
    "admin_last_name",
    "admin_email",
    "plan",
    "signup_key",
)
# Who each plan is for, for the plan cards (English; translated when shown). Only what
# this release does is listed: every plan has all of it today.
PLAN_CARDS: dict[str, dict[str, Any]] = {
    "essentiel": {"tagline": "For a small team that shares its contacts.", "features": []},
    "pro": {"tagline": "For teams that split their records by owner and team.", "features": []},
    "entreprise": {
        "tagline": "For larger companies connecting their own programs.",
        "features": [],
    },
}
SLUG_IN_URL = re.compile(r"/w/([a-z0-9-]+)")
LANG_COOKIE_AGE = 365 * 24 * 3600


def safe_local_path(target: str | None, default: str = "/") -> str:
    """A path on this site to go back to; anything else becomes ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 32 for c in target) or urlsplit(target).netloc:
        return default
    return target


def _plans() -> list[dict[str, Any]]:
    return [{"key": key, **PLAN_CARDS[key], "price": price_label(key)} for key in PLANS]


def price_label(plan: str) -> str:
    """'19 €' (French) or '€19' (English): the plan's price in whole euros."""
    locale = i18n.current_locale.get()
    pattern = Locale.parse(locale).currency_formats["standard"].pattern.replace(".00", "")
    return format_currency(
        PLAN_PRICES[plan], "EUR", format=pattern, locale=locale, currency_digits=False
    )


class PublicPages(Controller):
    path = "/"
    opt = public()
    include_in_schema = False
    dependencies = {"visitor": Provide(provide_visitor)}

    @get("/", name="landing")
    async def landing(self, visitor: NamedDependency[Visitor]) -> Template:
        return render_public(visitor, "public/landing.html", plans=_plans(), trial_days=TRIAL_DAYS)

    @get("/signup", name="signup")
    async def signup_form(
        self,
        visitor: NamedDependency[Visitor],
        plan: Annotated[str | None, QueryParameter(max_length=20)] = None,
    ) -> Template:
        values = {name: "" for name in SIGNUP_FIELDS}
        values["plan"] = plan if plan and plan in PLANS else "pro"
        values["signup_key"] = new_secret(18)
        return render_public(
            visitor,
            "public/signup.html",
            values=values,
            errors={},
            plans=_plans(),
            trial_days=TRIAL_DAYS,
        )

    @post("/signup")
    async def signup(
        self,
        request: Request[Any, Any, Any],
        visitor: NamedDependency[Visitor],
        data: URLEncodedBody[dict[str, str]],
    ) -> Template | Redirect:
        values = {name: data.get(name, "").strip() for name in SIGNUP_FIELDS}
        values["slug"] = values["slug"].lower()
        password = data.get("admin_password", "")
        signup = SignupRequest(
            company_name=values["company_name"],
            slug=values["slug"],
            admin_email=values["admin_email"],
            admin_password=password,
            plan=values["plan"],
            admin_first_name=values["admin_first_name"],
            admin_last_name=values["admin_last_name"],
            locale=visitor.locale,
        )
        errors: dict[str, str] = {}
        status = 422
        try:
            # A signup from the page creates no API token: the admin signs in.
            result = await provision_tenant(
                signup,
                idempotency_key=values["signup_key"] or None,
                client_ip=client_ip(request),
            )
        except TooManyAttempts:
            status = 429
            errors = {
                "form": _(
                    "Too many signups from here or for this e-mail address. Please try again later."
                )
            }
        except ValidationFailed as error:
            errors = form_errors(error)
        except SignupAlreadyUsed:
            values["signup_key"] = new_secret(18)
            errors = {"form": _("This form was already used. Please check it and send it again.")}
        except Conflict:
            if await tenant_by_slug(values["slug"]) is not None:
                errors = {"slug": _("This address is already taken. Please choose another one.")}
            else:
                values["signup_key"] = new_secret(18)
                errors = {
                    "form": _("This form was already used. Please check it and send it again.")
                }
        if errors:
            return render_public(
                visitor,
                "public/signup.html",
                status=status,
                values=values,
                password="" if "admin_password" in errors else password,
                errors=errors,
                plans=_plans(),
                trial_days=TRIAL_DAYS,
            )
        return await sign_in_and_go(
            request, result.tenant, result.admin, f"/w/{result.tenant.slug}/", flash="welcome"
        )

    @get("/signup/slug", name="signup-slug")
    async def slug_status(
        self,
        visitor: NamedDependency[Visitor],
        slug: Annotated[str, QueryParameter(max_length=100)] = "",
        company_name: Annotated[str, QueryParameter(max_length=200)] = "",
    ) -> Template:
        """The little line under the address field: free, taken or malformed."""
        slug = slug.strip().lower() or suggest_slug(company_name)
        problem = slug_problem(slug) if slug else None
        taken = not problem and bool(slug) and await tenant_by_slug(slug) is not None
        return Template(
            template_name="public/_slug_status.html",
            context={
                "slug": slug,
                "problem": _(problem)[:1].upper() + _(problem)[1:] if problem else "",
                "taken": taken,
                "base_url": get_settings().base_url,
            },
            media_type=MediaType.HTML,
        )

    @get("/login", name="find-workspace")
    async def find_workspace(
        self,
        visitor: NamedDependency[Visitor],
        workspace: Annotated[str | None, QueryParameter(max_length=300)] = None,
    ) -> Template | Redirect:
        """Where do I sign in? Type the workspace address, go to its sign-in page."""
        error = ""
        if workspace is not None:
            typed = workspace.strip().lower()
            found = SLUG_IN_URL.search(typed)
            slug = found.group(1) if found else typed.strip("/")
            tenant = await tenant_by_slug(slug) if slug else None
            if tenant is not None:
                return see_other(f"/w/{tenant.slug}/login")
            error = _("No workspace has this address. Check the link in your welcome e-mail.")
        return render_public(
            visitor,
            "public/find_workspace.html",
            status=404 if error else 200,
            workspace=workspace or "",
            error=error,
            base_url=get_settings().base_url,
        )

    @post("/lang", name="set-language")
    async def set_language(self, data: URLEncodedBody[dict[str, str]]) -> Redirect:
        """Remember this browser's interface language, then go back."""
        locale = data.get("locale", "")
        target = safe_local_path(data.get("next"))
        if locale not in i18n.LOCALES:
            return see_other(target)
        return see_other(target, cookies=[language_cookie(locale)])


def language_cookie(locale: str) -> Cookie:
    return Cookie(
        key=LANG_COOKIE,
        value=locale,
        path="/",
        max_age=LANG_COOKIE_AGE,
        httponly=True,
        secure=get_settings().secure_cookies,
        samesite="lax",
    )
