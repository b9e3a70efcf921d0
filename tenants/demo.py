"""Demo data: two French companies with their people and contacts, and a staff account."""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from decimal import Decimal
from typing import Any

import pyotp

from comptoir.platform.assembly import all_features
from comptoir.platform.auth.actor import Actor
from comptoir.platform.auth.credentials import hash_password
from comptoir.platform.auth.service import actor_for
from comptoir.platform.auth.tables import StaffUser, User
from comptoir.platform.console.service import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD, create_staff
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.directory.service import tenant_by_slug
from comptoir.tenants.accounts.service import create_account
from comptoir.tenants.contacts.service import create_contact
from comptoir.tenants.signup.service import SignupRequest, provision_tenant
from comptoir.tenants.users.service import _refresh_user_count

DEMO_PASSWORD = "demo-comptoir-2026"  # noqa: S105 (published demo login)

TENANTS: list[dict[str, Any]] = [
    {
        "company": "Menuiserie Lefèvre & Fils",
        "slug": "menuiserie-lefevre",
        "plan": "pro",
        "domain": "menuiserie-lefevre.fr",
        "people": [
            ("Claire", "Lefèvre", "admin"),
            ("Julien", "Morel", "key_user"),
            ("Sophie", "Garnier", "end_user"),
            ("Thomas", "Faure", "end_user"),
        ],
    },
    {
        "company": "Cabinet Rousseau Conseil",
        "slug": "rousseau-conseil",
        "plan": "essentiel",
        "domain": "rousseau-conseil.fr",
        "people": [
            ("Marc", "Rousseau", "admin"),
            ("Amélie", "Chevalier", "key_user"),
            ("Hugo", "Lambert", "end_user"),
        ],
    },
]

# (first name, "f" or "m"): a job title agrees with the person it describes.
FIRST_NAMES: list[tuple[str, str]] = [
    ("Camille", "f"),
    ("Léa", "f"),
    ("Manon", "f"),
    ("Chloé", "f"),
    ("Inès", "f"),
    ("Louise", "f"),
    ("Émilie", "f"),
    ("Nathalie", "f"),
    ("Lucas", "m"),
    ("Hugo", "m"),
    ("Louis", "m"),
    ("Gabriel", "m"),
    ("Arthur", "m"),
    ("Étienne", "m"),
    ("François", "m"),
    ("Jérôme", "m"),
    ("Céline", "f"),
    ("Hélène", "f"),
    ("Océane", "f"),
    ("Benoît", "m"),
    ("Sébastien", "m"),
    ("Aurélie", "f"),
    ("Maëlle", "f"),
    ("Noël", "m"),
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Michel",
    "Lefebvre",
    "Girard",
    "Bonnet",
    "Dupont",
    "Mercier",
    "Blanc",
    "Guérin",
    "Muller",
    "Fontaine",
    "Roux",
    "Perrin",
]
COMPANIES = [
    "Boulangerie du Marché",
    "Hôtel des Tilleuls",
    "Garage Peugeot Vernier",
    "Pharmacie Saint-Michel",
    "Transports Bréhat",
    "Agence Immobilière Carnot",
    "Clinique Vétérinaire des Alpes",
    "Domaine Viticole Castel",
    "Brasserie Le Sémaphore",
    "Imprimerie Gutenberg",
    "Cave à Fromages Laurent",
    "Atelier Céramique Loire",
    "SARL Bâtiment Ravel",
    "Restaurant La Cigale",
    "Cabinet Dentaire Rivoli",
]
# (for a man, for a woman)
TITLES: list[tuple[str, str]] = [
    ("Gérant", "Gérante"),
    ("Directeur administratif", "Directrice administrative"),
    ("Responsable achats", "Responsable achats"),
    ("Assistant de direction", "Assistante de direction"),
    ("Directeur commercial", "Directrice commerciale"),
    ("Comptable", "Comptable"),
    ("Chef de projet", "Cheffe de projet"),
    ("Responsable technique", "Responsable technique"),
    ("Président", "Présidente"),
]
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def ascii_words(text: str) -> list[str]:
    """'Cave à Fromages Laurent' -> ['cave', 'a', 'fromages', 'laurent']."""
    folded = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    plain = folded.encode("ascii", "ignore").decode("ascii").lower()
    return re.findall(r"[a-z0-9]+", plain)


def email_domain(company: str) -> str:
    """The whole company name as a domain: 'Imprimerie Gutenberg' -> imprimerie-gutenberg.fr."""
    return "-".join(ascii_words(company)) + ".fr"


def email_address(first: str, last: str, domain: str) -> str:
    """'François', 'Guérin' -> francois.guerin@domain: plain ASCII, as mail servers expect."""
    return f"{'-'.join(ascii_words(first))}.{'-'.join(ascii_words(last))}@{domain}"


CITIES_PHONE = ["01", "02", "03", "04", "05"]


def _phone(rng: random.Random) -> str:
    return f"+33 {rng.choice(CITIES_PHONE)[1]} " + " ".join(
        f"{rng.randint(0, 99):02d}" for _ in range(4)
    )


async def _seed_tenant(spec: dict[str, Any], rng: random.Random) -> list[str]:
    slug = str(spec["slug"])
    domain = str(spec["domain"])
    people = list(spec["people"])
    admin_first, admin_last, _ = people[0]
    admin_email = email_address(admin_first, admin_last, domain)
    result = await provision_tenant(
        SignupRequest(
            company_name=str(spec["company"]),
            slug=slug,
            admin_email=admin_email,
            admin_password=DEMO_PASSWORD,
            plan=str(spec["plan"]),
            admin_first_name=admin_first,
            admin_last_name=admin_last,
        ),
        actor=Actor.system("demo"),
    )
    tenant = result.tenant
    logins = [admin_email]
    users = [result.admin]
    password_hash = await hash_password(DEMO_PASSWORD)
    async with tenant_scope(tenant.id) as scope:
        for first, last, role in people[1:]:
            email = email_address(first, last, domain)
            user = User(
                email=email,
                first_name=first,
                last_name=last,
                role=role,
                status="active",
                password_hash=password_hash,
            )
            await scope.insert(user)
            users.append(user)
            logins.append(email)
        await _refresh_user_count(scope)
    accounts = {}
    for company in COMPANIES:
        owner = rng.choice(users)
        account = await create_account(
            tenant.id, {"name": company, "owner_id": owner.id}, actor=actor_for(owner)
        )
        accounts[company] = account.id
    contacts: list[Any] = []
    for _ in range(36):
        (first, gender), last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company = rng.choice(COMPANIES)
        owner = rng.choice(users)
        email = email_address(first, last, email_domain(company))
        for_a_man, for_a_woman = rng.choice(TITLES)
        contact = await create_contact(
            tenant.id,
            {
                "first_name": first,
                "last_name": last,
                "email": email,
                "phone": _phone(rng),
                "job_title": for_a_woman if gender == "f" else for_a_man,
                "company_name": company,
                "account_id": accounts[company],
                "owner_id": owner.id,
            },
            actor=actor_for(owner),
        )
        contacts.append(contact)
    await _seed_sales(tenant.id, users, contacts, rng)
    await _seed_quotes(tenant.id, spec, users, contacts, rng)
    return logins


DEALS = (
    "Agencement des bureaux",
    "Renouvellement du parc",
    "Contrat de maintenance",
    "Audit et conseil",
    "Formation des équipes",
    "Extension du site",
)
FOLLOW_UPS = (
    ("call", "Rappeler {name} au sujet du devis"),
    ("email", "Envoyer la documentation à {name}"),
    ("meeting", "Rendez-vous sur site avec {name}"),
    ("task", "Préparer la proposition pour {company}"),
    ("call", "Point d'avancement avec {name}"),
)


QUOTE_LINES = (
    ("Étude et relevé de cotes sur site", "1", "450.00", "20"),
    ("Fabrication sur mesure (chêne massif)", "3", "1280.00", "20"),
    ("Pose et finitions", "2", "380.00", "10"),
    ("Formation des utilisateurs (demi-journée)", "1", "690.00", "20"),
    ("Livraison", "1", "85.00", "20"),
)


def _siren(rng: random.Random) -> str:
    from comptoir.tenants.accounts.service import luhn_valid

    while True:
        digits = f"{rng.randrange(100_000_000, 999_999_999)}"
        if luhn_valid(digits):
            return digits


async def _seed_quotes(
    tenant_id: Any,
    spec: dict[str, Any],
    users: list[User],
    contacts: list[Any],
    rng: random.Random,
) -> None:
    """The seller identity quotes print, and quotes at every status."""
    from comptoir.tenants.company.service import save_profile
    from comptoir.tenants.quotes.service import (
        accept_quote,
        create_quote,
        reject_quote,
        send_quote,
    )

    siren = _siren(rng)
    await save_profile(
        tenant_id,
        {
            "legal_name": str(spec["company"]),
            "legal_form": "SARL",
            "address": "14 rue des Artisans",
            "postcode": "69007",
            "city": "Lyon",
            "siren": siren,
            "vat_number": f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}",
            "phone": "04 78 12 34 56",
            "email": f"contact@{spec['domain']}",
            "quote_validity_days": 30,
            "payment_terms": "Acompte de 30 % à la commande, solde à la livraison, par virement.",
        },
        actor=actor_for(users[0]),
    )
    for index in range(6):
        contact = contacts[index * 5 % len(contacts)]
        owner = next(u for u in users if u.id == contact.owner_id)
        lines = [
            {"description": d, "quantity": q, "unit_price": p, "vat_rate": r}
            for d, q, p, r in rng.sample(QUOTE_LINES, rng.randint(2, 4))
        ]
        quote = await create_quote(
            tenant_id,
            {
                "title": f"{contact.company_name} — {rng.choice(DEALS)}",
                "account_id": contact.account_id,
                "contact_id": contact.id,
                "owner_id": owner.id,
                "lines": lines,
            },
            actor=actor_for(owner),
        )
        if index < 2:
            continue  # drafts
        await send_quote(tenant_id, quote.quote.id, actor=actor_for(owner))
        if index == 4:
            await accept_quote(tenant_id, quote.quote.id, actor=actor_for(owner))
        elif index == 5:
            await reject_quote(tenant_id, quote.quote.id, actor=actor_for(owner))


async def _seed_sales(
    tenant_id: Any, users: list[User], contacts: list[Any], rng: random.Random
) -> None:
    """A pipeline with deals at every stage, some won and lost, and follow-ups
    overdue, due today and coming, so every sales page has something to show."""
    from comptoir.tenants.activities.service import create_activity, mark_done
    from comptoir.tenants.opportunities.service import create_opportunity, move_opportunity
    from comptoir.tenants.opportunities.stages import tenant_reasons, tenant_stages

    stages = await tenant_stages(tenant_id)
    reasons = await tenant_reasons(tenant_id)
    today = dt.date.today()
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    for index in range(18):
        contact = rng.choice(contacts)
        owner = next(u for u in users if u.id == contact.owner_id)
        stage = stages[index % len(stages)]
        opportunity = await create_opportunity(
            tenant_id,
            {
                "name": f"{contact.company_name} — {rng.choice(DEALS)}",
                "account_id": contact.account_id,
                "contact_id": contact.id,
                "owner_id": owner.id,
                "amount": Decimal(rng.randrange(1_500, 90_000, 50)),
                "expected_close_date": today + dt.timedelta(days=rng.randint(-20, 150)),
            },
            actor=actor_for(owner),
        )
        if stage.is_lost or stage.is_won or index % 3:
            await move_opportunity(
                tenant_id,
                opportunity.id,
                stage.id,
                lost_reason_id=rng.choice(reasons).id if stage.is_lost else None,
                actor=actor_for(owner),
            )
    for index in range(30):
        contact = rng.choice(contacts)
        owner = next(u for u in users if u.id == contact.owner_id)
        kind, subject = FOLLOW_UPS[index % len(FOLLOW_UPS)]
        due = now + dt.timedelta(hours=rng.randint(-120, 240))
        activity = await create_activity(
            tenant_id,
            {
                "kind": kind,
                "subject": subject.format(
                    name=f"{contact.first_name} {contact.last_name}", company=contact.company_name
                ),
                "due_at": due,
                "ends_at": due + dt.timedelta(hours=1) if kind == "meeting" else None,
                "contact_id": contact.id,
                "account_id": contact.account_id,
                "owner_id": owner.id,
            },
            actor=actor_for(owner),
        )
        if due < now and index % 3 == 0:
            await mark_done(tenant_id, activity.id, actor=actor_for(owner))


async def seed_demo(base_url: str = "http://127.0.0.1:8000") -> list[str]:
    """Create the demo tenants and staff account once; describe how to sign in."""
    rng = random.Random(2026)  # noqa: S311 (repeatable demo data)
    lines = ["", "Comptoir demo is ready.", ""]
    for spec in TENANTS:
        slug = str(spec["slug"])
        if await tenant_by_slug(slug) is None:
            logins = await _seed_tenant(spec, rng)
            tenant = await tenant_by_slug(slug)
            assert tenant is not None
            for feature in all_features():
                for seeder in feature.demo_seeders:
                    await seeder(tenant)
        else:
            async with tenant_scope((await tenant_by_slug(slug)).id) as scope:  # type: ignore[union-attr]
                logins = [u.email for u in await scope.objects(User).order_by(User.id)]
        lines.append(f"  {spec['company']}: {base_url}/w/{slug}/")
        lines.extend(f"      {email}" for email in logins)
    lines.append(f"  Workspace password for every demo user: {DEMO_PASSWORD}")
    lines.append("")
    staff = await StaffUser.objects().where(StaffUser.email == DEMO_STAFF_EMAIL).first()
    secret = (
        staff.totp_secret
        if staff
        else (await create_staff(DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD, name="Ops")).totp_secret
    )
    lines.append(
        f"  Ops console: {base_url}/console/  ({DEMO_STAFF_EMAIL} / {DEMO_STAFF_PASSWORD})"
    )
    lines.append(
        f"      TOTP secret: {secret} (current code: {pyotp.TOTP(secret).now()};"
        " the demo login page shows it too)"
    )
    lines.append(f"  Sign up a new company: {base_url}/signup")
    lines.append(
        f"  API docs: {base_url}/schema/  (a token: comptoir tokens create "
        f"--tenant {TENANTS[0]['slug']} --email <one of the e-mails above>)"
    )
    lines.append("")
    return lines
