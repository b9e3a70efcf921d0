"""Seed a PostgreSQL database for the list benchmarks: 1,000 tenants, one of
them with 1,000,000 contacts, 200,000 accounts, 300,000 opportunities and
1,000,000 activities and 50,000 quotes, the others with a few dozen of each.

    .venv/bin/python bench/seed.py --fresh
    .venv/bin/python bench/seed.py --database comptoir_bench --contacts 100000 --fresh

It creates the database (``--fresh`` drops it first), migrates it as the owner,
signs every tenant up through ``provision_tenant`` (admin, roles, pipeline,
token, audit: what a real signup leaves) as the application role, adds the big
tenant's sales team through ``add_user``, then loads accounts and contacts with
COPY as the owner, fills ``record_counts`` and runs VACUUM ANALYZE. The
database is kept: ``bench/lists.py`` measures against it.

The data is French, with accents, and deterministic (``--seed``). Every
admin's password is ``PASSWORD`` below. Contacts and accounts are loaded
column by column as the database has them: a column the seed does not know
gets its table class's default, so a new column needs no change here.

``COMPTOIR_BENCH_DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/postgres)
is a role that may create roles and databases."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import heapq
import itertools
import os
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# Settings are read once: give them what a run needs before anything reads them.
os.environ.setdefault("COMPTOIR_SECRET_KEY", "bench-secret-key-not-for-production-0123456789")

import asyncpg
from piccolo.columns.defaults.base import Default
from piccolo.table import Table

from comptoir.platform.auth.actor import Actor
from comptoir.platform.counters import service as counters
from comptoir.platform.counters.tables import RecordCount
from comptoir.platform.db.engine import build_engine, close_pool, set_engine, start_pool
from comptoir.platform.db.migrate import app_role_name, migrate
from comptoir.platform.db.scope import tenant_scope
from comptoir.platform.db.search import normalise
from comptoir.tenants.accounts.service import ACCOUNTS, luhn_valid
from comptoir.tenants.accounts.tables import Account
from comptoir.tenants.activities.service import ACTIVITIES
from comptoir.tenants.activities.tables import Activity
from comptoir.tenants.contacts.service import CONTACTS
from comptoir.tenants.contacts.tables import Contact
from comptoir.tenants.opportunities.service import OPPORTUNITIES
from comptoir.tenants.opportunities.tables import Opportunity
from comptoir.tenants.opportunities.totals import rebuild_sql
from comptoir.tenants.quotes.service import QUOTES
from comptoir.tenants.quotes.tables import Quote, QuoteLine, QuoteSequence
from comptoir.tenants.quotes.totals import line_amounts, quote_amounts
from comptoir.tenants.signup.service import SignupRequest, provision_tenant
from comptoir.tenants.users.service import NewPerson, add_user

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_DATABASE = "comptoir_bench"
PASSWORD = "Bench-mark-du-comptoir-42"  # every seeded admin's (throwaway data)
BIG_SLUG = "grand-compte"
SMALL_SLUG_FORMAT = "atelier-{:04d}"  # the small tenants: atelier-0001 ... atelier-0999
SALES_TEAM = 24  # users added to the big tenant besides its admin
YEARS = 3
RARE_NAME = ("Quentin", "Zabłocki-Ferrandière")
RARE_IN_BIG = 3
# What a common search must not find by accident in the generated long tail.
RESERVED_SUBSTRINGS = ("martin", "zablo", "zabło", "ferrandi")

# ---------------------------------------------------------------- French data


def _listed(text: str, separator: str | None = None) -> list[str]:
    return text.split(separator)


FIRST_NAMES_F = _listed(
    "Hélène Zoé Léa Chloé Noémie Mélanie Gaëlle Anaïs Inès Thérèse Agnès Aurélie Amélie "
    "Céline Émilie Élodie Valérie Nathalie Isabelle Sylvie Catherine Marie Camille Emma "
    "Jade Louise Alice Lina Manon Sarah Juliette Martine Françoise Geneviève Mireille "
    "Brigitte Sandrine Laëtitia Béatrice Solène Maëlle Océane Bérénice Cécile Adèle "
    "Éloïse Lucie Margaux Pénélope Ségolène Ambre Capucine Yasmine Nadia Samia Clémence "
    "Jeanne Rose Anne Sophie Claire Julie Laure Pauline Morgane Ophélie Maëva Coralie"
)
FIRST_NAMES_M = _listed(
    "François Cédric Maël Jérôme Stéphane Sébastien Frédéric Loïc Clément Benoît Rémi "
    "Raphaël Joël Noël Gaël Jérémy Christophe Nicolas Julien Pierre Thomas Lucas Hugo "
    "Louis Jules Arthur Paul Antoine Alexandre Maxime Quentin Romain Mathieu Guillaume "
    "Martin Laurent Philippe Patrick Michel Hervé Yannick Léon Timothée Mathéo Nolan Enzo "
    "Théo Léo Gabriel Adam Karim Rachid Mehdi Sofiane Ilyès Bastien Grégoire Anthony "
    "Damien Olivier Vincent Éric Thierry Didier Pascal Bruno Yves André Étienne Aurélien"
)
# Most frequent first: the weights fall with the rank.
LAST_NAMES = [
    n.replace("_", " ")
    for n in _listed(
        "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel "
        "Lefèvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert "
        "Fontaine Rousseau Vincent Muller Faure André Mercier Blanc Guérin Boyer Garnier "
        "Chevalier François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry "
        "Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer "
        "Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier "
        "Arnaud Martinez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal Caron Picard "
        "Roger Fabre Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre "
        "Benoît Rey Leclerc Payet Rolland Leclercq Guillaume Lecomte Lopez Jean Dupuy Guillot "
        "Hubert Berger Carpentier Sanchez Dupuis Moulin Louis Deschamps Huet Vasseur Perez "
        "Boucher Fleury Royer Klein Jacquet Adam Paris Poirier Marty Aubry Guyot Carré "
        "Charles Renault Charpentier Ménard Maillard Baron Bertin Bailly Hervé Schneider "
        "Fernandez Le_Gall Collet Léger Bouvier Julien Prévost Millet Perrot Daniel Le_Roux "
        "Cousin Germain Breton Besson Langlois Rémy Le_Goff Pelletier Lévêque Perrier "
        "Leblanc Barré Lebrun Marchal Weber Mallet Hamon Boulanger Jacob Monnier Michaud "
        "Rodriguez Guichard Gillet Étienne Grondin Poulain Tessier Chevallier Collin Chauvin "
        "Da_Silva Bouchet Gay Lemaître Bénard Maréchal Humbert Reynaud Antoine Hoarau Perret "
        "Barthélemy Cordier Pichon Lejeune Gilbert Lamy Delaunay Pasquier Carlier Laporte "
        "Nguyen Benali Haddad Ferreira Dos_Santos Kowalski Rossi Öztürk Saint-Martin Martineau"
    )
]
# The long tail: regional-sounding surnames built from parts, a few contacts each.
TAIL_STARTS = _listed(
    "Ker Du Bou Mon Ville Beau Cha Roche Mal Gri Tré Pen Lan Bra Cor Dal Gal Jou "
    "Lab Bel Cas Esc Lar Mor Quer Sal Ver Ab Ba Go Hu Jo Lo Pi Ro Su Va Dé Mé"
)
TAIL_MIDDLES = "an ou ar el i o au é er ol il ur ag on en is ev ib oc ad"
TAIL_ENDS = _listed(
    "ec vel ard ier eau ot el ès ière guen nou vic gnac zac teau mas rieux ssac lès thon "
    "bec goff riou dic lin quin vet ny dre"
)

JOB_TITLES = _listed(
    "Directrice commerciale|Directeur commercial|Responsable des achats|Gérant|Gérante|"
    "Chef de projet|Cheffe de projet|Comptable|Assistante de direction|Ingénieur d'études|"
    "Chargée de clientèle|Responsable qualité|Directeur général|Présidente|"
    "Responsable des ressources humaines|Responsable logistique|Technicien de maintenance|"
    "Acheteuse|Office manager|Secrétaire générale|Contrôleur de gestion|"
    "Directrice financière|Responsable marketing|Développeur|Architecte|Pharmacienne|"
    "Notaire|Expert-comptable|Responsable d'agence|Commercial sédentaire|Chef d'atelier|"
    "Conductrice de travaux|Économiste de la construction|Responsable RSE|Délégué médical|"
    "Attachée de presse|Juriste|Directeur des systèmes d'information|",
    "|",
)
TRADES = _listed(
    "Boulangerie|Garage|Transports|Menuiserie|Cabinet|Pharmacie|Plomberie|Électricité|"
    "Imprimerie|Brasserie|Librairie|Fromagerie|Maison|Atelier|Ébénisterie|Bureau d'études|"
    "Conseil|Charpente|Serrurerie|Boucherie|Hôtel|Agence|Cave|Domaine|Laboratoire|"
    "Clinique vétérinaire|Auto-école|Pâtisserie|Carrosserie|Paysages|Chaudronnerie",
    "|",
)
LEGAL_FORMS = ("SARL", "SAS", "SA", "EURL", "SCOP", "")
BRAND_STARTS = "Néo Opti Axé Vert Lumi Cris Aqua Terr Hélio Kali Solé Bio Fibr Inno Ethi Océ"
BRAND_ENDS = "lys mède o éa ane ium is ance ora ys tel via"
INDUSTRIES = _listed(
    "Agroalimentaire|BTP|Commerce de détail|Conseil|Éducation|Énergie|"
    "Hôtellerie-restauration|Immobilier|Industrie|Informatique|Logistique|Santé|"
    "Services aux entreprises|Transport|Tourisme|Artisanat|Banque-assurance|"
    "Communication|Agriculture|Juridique",
    "|",
)
STREETS = _listed(
    "rue de la République|avenue Jean-Jaurès|boulevard Voltaire|place du Marché|"
    "chemin des Vignes|rue Victor-Hugo|impasse des Lilas|rue de l'Église|"
    "avenue du Général-Leclerc|rue Pasteur|allée des Châtaigniers|quai de la Tournelle|"
    "rue des Écoles|route de Lyon|rue Émile-Zola|cours Mirabeau|rue du Château",
    "|",
)
# (city, postcode), the biggest first; Paris gets its arrondissements.
CITIES = _listed(
    "Paris 75|Marseille 13001|Lyon 69001|Toulouse 31000|Nice 06000|Nantes 44000|"
    "Montpellier 34000|Strasbourg 67000|Bordeaux 33000|Lille 59000|Rennes 35000|"
    "Reims 51100|Saint-Étienne 42000|Le Havre 76600|Toulon 83000|Grenoble 38000|"
    "Dijon 21000|Angers 49000|Nîmes 30000|Villeurbanne 69100|Clermont-Ferrand 63000|"
    "Le Mans 72000|Aix-en-Provence 13090|Brest 29200|Tours 37000|Amiens 80000|"
    "Limoges 87000|Annecy 74000|Perpignan 66000|Besançon 25000|Orléans 45000|Metz 57000|"
    "Rouen 76000|Mulhouse 68100|Caen 14000|Nancy 54000|Avignon 84000|Poitiers 86000|"
    "Pau 64000|La Rochelle 17000|Colmar 68000|Quimper 29000|Valence 26000|Béziers 34500|"
    "Chambéry 73000|Saint-Malo 35400|Créteil 94000|Vannes 56000|Lorient 56100|"
    "Épinal 88000|Châteauroux 36000|Mâcon 71000|Sète 34200|Brive-la-Gaillarde 19100|"
    "Aurillac 15000|Périgueux 24000|Montbéliard 25200|Saint-Nazaire 44600",
    "|",
)
MAIL_PROVIDERS = ("gmail.com", "orange.fr", "free.fr", "laposte.net", "wanadoo.fr", "sfr.fr")
NOTES = (
    "Rencontré au salon de Lyon.",
    "Rappeler en septembre, après les congés.",
    "Préfère être contacté par e-mail.",
    "Intéressé par l'offre Pro, devis envoyé.",
    "A quitté l'entreprise : vérifier le successeur.",
    "Décisionnaire pour les achats de matériel.",
)
ASCII_FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d"})

# ------------------------------------------------------------------- helpers


def _with(url: str, database: str, user: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        netloc = f"{user}@{netloc.rsplit('@', 1)[-1]}"
    return urlunsplit((parts.scheme, netloc, f"/{database}", parts.query, parts.fragment))


def ascii_word(text: str) -> str:
    """A name as it appears in an e-mail address or a domain: no accents, no spaces."""
    folded = normalise(text).translate(ASCII_FOLD)
    kept = "".join(c if c.isascii() and c.isalnum() else " " for c in folded)
    return "-".join(kept.split())


def siren(rng: random.Random) -> str:
    """Nine digits whose Luhn checksum is right, as every SIREN's is."""
    body = [rng.randrange(10) for _ in range(8)]
    total = 0
    for position, digit in enumerate(reversed(body), start=1):
        value = digit * 2 if position % 2 == 1 else digit
        total += value - 9 if value > 9 else value
    return "".join(map(str, body)) + str((10 - total % 10) % 10)


def uuid7_at(moment: float, rng: random.Random) -> uuid.UUID:
    """A UUIDv7 whose time part is ``moment``: ids stay the creation sort key."""
    rand = rng.getrandbits(74)
    value = (
        (int(moment * 1000) << 80)
        | (0x7 << 76)
        | ((rand >> 62) << 64)
        | (0b10 << 62)
        | (rand & ((1 << 62) - 1))
    )
    return uuid.UUID(int=value)


def _weighted(names: Sequence[str], flatness: int) -> tuple[list[str], list[float]]:
    """Names and cumulative weights falling with the rank (Zipf-like)."""
    weights = (1 / (rank + flatness) for rank in range(len(names)))
    return list(names), list(itertools.accumulate(weights))


def _tail_names() -> list[str]:
    parts = itertools.product(TAIL_STARTS, _listed(TAIL_MIDDLES), TAIL_ENDS)
    names = ("".join(p) for p in parts)
    return [n for n in names if not any(s in normalise(n) for s in RESERVED_SUBSTRINGS)]


class FrenchData:
    """Draws people and companies; every choice goes through one seeded Random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.first_f = FIRST_NAMES_F
        self.first_m = FIRST_NAMES_M
        self.last, self.last_weights = _weighted(LAST_NAMES, 30)
        self.tail = _tail_names()
        self.cities = [c.rsplit(" ", 1) for c in CITIES]
        self.city_weights = list(itertools.accumulate(1 / (r + 3) for r in range(len(CITIES))))
        self.brands = [a + b for a in _listed(BRAND_STARTS) for b in _listed(BRAND_ENDS)]

    def last_name(self) -> str:
        if self.rng.random() < 0.25:
            return self.rng.choice(self.tail)
        return self.rng.choices(self.last, cum_weights=self.last_weights)[0]

    def person(self) -> tuple[str, str]:
        firsts = self.first_f if self.rng.random() < 0.5 else self.first_m
        return self.rng.choice(firsts), self.last_name()

    def city(self) -> tuple[str, str]:
        name, postcode = self.rng.choices(self.cities, cum_weights=self.city_weights)[0]
        if postcode == "75":
            postcode = f"750{self.rng.randint(1, 20):02d}"
        return name, postcode

    def company(self) -> str:
        rng = self.rng
        pick = rng.random()
        if pick < 0.35:
            return f"{rng.choice(TRADES)} {self.last_name()}"
        if pick < 0.55:
            form = rng.choice(LEGAL_FORMS)
            return f"{form} {self.last_name()} & Fils".strip()
        if pick < 0.7:
            return f"{self.last_name()}-{self.last_name()} et Associés"
        if pick < 0.85:
            return f"{rng.choice(TRADES)} de {self.city()[0]}"
        return f"{rng.choice(self.brands)} {rng.choice(LEGAL_FORMS)}".strip()

    def mobile(self) -> str:
        digits = self.rng.randrange(10**8)
        pairs = f"{digits:08d}"
        return f"+33 {self.rng.choice('67')} " + " ".join(pairs[i : i + 2] for i in range(0, 8, 2))

    def landline(self) -> str:
        pairs = f"{self.rng.randrange(10**8):08d}"
        return f"+33 {self.rng.randint(1, 5)} " + " ".join(pairs[i : i + 2] for i in range(0, 8, 2))

    def email(self, first: str, last: str, domain: str | None) -> str:
        first_part, last_part = ascii_word(first), ascii_word(last)
        pick = self.rng.random()
        if pick < 0.6:
            local = f"{first_part}.{last_part}"
        elif pick < 0.85:
            local = f"{first_part[:1]}{last_part}"
        else:
            local = f"{first_part}.{last_part}{self.rng.randint(1, 99)}"
        return f"{local}@{domain or self.rng.choice(MAIL_PROVIDERS)}"


# ------------------------------------------------------------- the tenants


@dataclass
class SeededTenant:
    tenant_id: uuid.UUID
    slug: str
    admin_email: str
    users: list[uuid.UUID]
    contacts: int
    accounts: int
    since: float  # when its first record was created (epoch seconds)
    rare: int = 0  # contacts named RARE_NAME
    opportunities: int = 0
    activities: int = 0
    quotes: int = 0
    counts: Counter[tuple[str, uuid.UUID]] = field(default_factory=Counter)


def _signup(slug: str, company: str) -> SignupRequest:
    return SignupRequest(
        company_name=company,
        slug=slug,
        admin_email=f"admin@{slug}.fr",
        admin_password=PASSWORD,
        plan="entreprise" if slug == BIG_SLUG else "pro",
        admin_first_name="Hélène",
        admin_last_name="Lefèvre" if slug == BIG_SLUG else "Rousseau",
    )


async def sign_up_tenants(
    requests: Sequence[SignupRequest], concurrency: int
) -> dict[str, tuple[uuid.UUID, uuid.UUID]]:
    """{slug: (tenant id, admin id)}, through the real signup."""
    gate = asyncio.Semaphore(concurrency)
    created: dict[str, tuple[uuid.UUID, uuid.UUID]] = {}

    async def one(request: SignupRequest) -> None:
        async with gate:
            result = await provision_tenant(request, actor=Actor.system("bench-seed"))
            created[request.slug] = (result.tenant.id, result.admin.id)

    await asyncio.gather(*(one(r) for r in requests))
    return created


async def add_sales_team(
    tenant_id: uuid.UUID, admin_id: uuid.UUID, slug: str, data: FrenchData, size: int
) -> list[uuid.UUID]:
    actor = Actor(
        kind="user", id=admin_id, label=f"admin@{slug}.fr", tenant_id=tenant_id, role="admin"
    )
    ids = []
    for i in range(size):
        first, last = data.person()
        role = "key_user" if i < 3 else "end_user"
        email = f"{ascii_word(first)}.{ascii_word(last)}.{i}@{slug}.fr"
        person = NewPerson(email=email, role=role, first_name=first, last_name=last)
        ids.append((await add_user(tenant_id, person, actor=actor)).id)
    return ids


# ------------------------------------------------------------- the records


def _moments(rng: random.Random, count: int, since: float, until: float) -> list[float]:
    return sorted(rng.uniform(since, until) for _ in range(count))


def _stamp(moment: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(moment, dt.UTC)


def _updated(rng: random.Random, created: float, now: float) -> float:
    return created if rng.random() < 0.6 else rng.uniform(created, now)


@dataclass
class AccountRefs:
    """What contacts need of a tenant's accounts: id, name and web domain;
    what opportunities and activities need of its contacts."""

    ids: list[uuid.UUID] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    contact_ids: list[uuid.UUID] = field(default_factory=list)
    contact_accounts: list[int | None] = field(default_factory=list)
    contact_names: list[str] = field(default_factory=list)
    opportunity_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class PipelineRefs:
    """A tenant's provisioned stages and lost reasons."""

    open_stages: list[tuple[uuid.UUID, int]]  # (id, probability)
    won_stage: uuid.UUID
    lost_stage: uuid.UUID
    lost_reasons: list[uuid.UUID]


def account_rows(
    tenant: SeededTenant, data: FrenchData, now: float, refs: AccountRefs
) -> Iterator[tuple[float, dict[str, Any]]]:
    rng = data.rng
    searched = ACCOUNTS.searched
    for moment in _moments(rng, tenant.accounts, tenant.since, now):
        name = data.company()
        city, postcode = data.city()
        domain = f"{ascii_word(name)[:40].strip('-')}.fr"
        row: dict[str, Any] = {
            "id": uuid7_at(moment, rng),
            "tenant_id": tenant.tenant_id,
            "created_at": _stamp(moment),
            "updated_at": _stamp(_updated(rng, moment, now)),
            "owner_id": rng.choice(tenant.users),
            "name": name,
            "siren": siren(rng) if rng.random() < 0.8 else "",
            "industry": rng.choice(INDUSTRIES),
            "address": f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
            "postcode": postcode,
            "city": city,
            "website": f"https://www.{domain}" if rng.random() < 0.7 else "",
            "phone": data.landline(),
            "notes": rng.choice(NOTES) if rng.random() < 0.1 else "",
        }
        row["search_text"] = normalise(" ".join(str(row.get(n) or "") for n in searched))
        refs.ids.append(row["id"])
        refs.names.append(name)
        refs.domains.append(domain)
        tenant.counts["accounts", row["owner_id"]] += 1
        yield moment, row


def contact_rows(
    tenant: SeededTenant, data: FrenchData, now: float, refs: AccountRefs
) -> Iterator[tuple[float, dict[str, Any]]]:
    rng = data.rng
    searched = CONTACTS.searched
    moments = _moments(rng, tenant.contacts, tenant.since, now)
    rare_at = set(rng.sample(range(len(moments)), min(tenant.rare, len(moments))))
    for index, moment in enumerate(moments):
        first, last = RARE_NAME if index in rare_at else data.person()
        account = rng.randrange(len(refs.ids)) if refs.ids and rng.random() < 0.7 else None
        if account is not None:
            company, domain = refs.names[account], refs.domains[account]
        else:
            company, domain = (data.company() if rng.random() < 0.8 else ""), None
        row: dict[str, Any] = {
            "id": uuid7_at(moment, rng),
            "tenant_id": tenant.tenant_id,
            "created_at": _stamp(moment),
            "updated_at": _stamp(_updated(rng, moment, now)),
            "owner_id": rng.choice(tenant.users),
            "first_name": first,
            "last_name": last,
            "email": data.email(first, last, domain) if rng.random() < 0.9 else "",
            "phone": data.mobile() if rng.random() < 0.8 else "",
            "job_title": rng.choice(JOB_TITLES),
            "company_name": company,
            "account_id": refs.ids[account] if account is not None else None,
            "notes": rng.choice(NOTES) if rng.random() < 0.1 else "",
        }
        row["search_text"] = normalise(" ".join(str(row.get(n) or "") for n in searched))
        tenant.counts["contacts", row["owner_id"]] += 1
        refs.contact_ids.append(row["id"])
        refs.contact_accounts.append(account)
        refs.contact_names.append(f"{first} {last}")
        yield moment, row


PRODUCTS = _listed(
    "Licences;Maintenance annuelle;Formation;Audit;Déploiement;Renouvellement;Extension;"
    "Accompagnement;Migration;Support premium",
    ";",
)
ACTIVITY_KINDS = (("call", 35), ("email", 25), ("task", 20), ("meeting", 12), ("note", 8))
SUBJECTS = {
    "call": "Appeler {name}",
    "email": "Relancer {name} par e-mail",
    "task": "Préparer la proposition pour {company}",
    "meeting": "Rendez-vous avec {name}",
    "note": "Compte rendu {company}",
}


def opportunity_rows(
    tenant: SeededTenant, data: FrenchData, now: float, refs: AccountRefs, pipeline: PipelineRefs
) -> Iterator[tuple[float, dict[str, Any]]]:
    """Open deals spread over the open stages, a quarter won, the rest lost."""
    rng = data.rng
    searched = OPPORTUNITIES.searched
    for moment in _moments(rng, tenant.opportunities, tenant.since, now):
        account = rng.randrange(len(refs.ids)) if refs.ids else None
        company = refs.names[account] if account is not None else data.company()
        contact = rng.randrange(len(refs.contact_ids)) if refs.contact_ids else None
        draw = rng.random()
        closes = moment + rng.uniform(20, 200) * 86400
        row: dict[str, Any] = {
            "id": uuid7_at(moment, rng),
            "tenant_id": tenant.tenant_id,
            "created_at": _stamp(moment),
            "updated_at": _stamp(_updated(rng, moment, now)),
            "owner_id": rng.choice(tenant.users),
            "name": f"{company} — {rng.choice(PRODUCTS)}",
            "account_id": refs.ids[account] if account is not None else None,
            "contact_id": refs.contact_ids[contact] if contact is not None else None,
            "amount": Decimal(rng.randrange(50_000, 15_000_000)) / 100,
            "notes": rng.choice(NOTES) if rng.random() < 0.1 else "",
        }
        if draw < 0.6 or closes > now:
            stage, probability = rng.choice(pipeline.open_stages)
            row |= {"stage_id": stage, "probability": probability, "status": "open"}
            if closes < now:  # still open: pushed back into the coming months
                closes = now + rng.uniform(-30, 300) * 86400
        elif draw < 0.85:
            row |= {"stage_id": pipeline.won_stage, "probability": 100, "status": "won"}
            row |= {"won_at": _stamp(closes).date(), "closed_at": _stamp(closes)}
        else:
            row |= {"stage_id": pipeline.lost_stage, "probability": 0, "status": "lost"}
            row |= {"lost_reason_id": rng.choice(pipeline.lost_reasons)}
            row |= {"closed_at": _stamp(closes)}
        row["expected_close_date"] = _stamp(closes).date()
        row["search_text"] = normalise(" ".join(str(row.get(n) or "") for n in searched))
        tenant.counts["opportunities", row["owner_id"]] += 1
        refs.opportunity_ids.append(row["id"])
        yield moment, row


QUOTE_ITEMS = (
    ("Licence annuelle, par utilisateur", 120, 480),
    ("Journée de formation sur site", 900, 1400),
    ("Installation et paramétrage", 600, 2500),
    ("Maintenance préventive (forfait trimestriel)", 300, 900),
    ("Ouvrage de menuiserie sur mesure", 800, 6000),
    ("Déplacement", 60, 250),
    ("Audit préalable", 1200, 3500),
    ("Support premium (12 mois)", 900, 2400),
)
QUOTE_RATES = (Decimal("20"), Decimal("20"), Decimal("20"), Decimal("10"), Decimal("5.5"))


@dataclass
class QuoteLines:
    """The lines of the quotes generated, copied after them; the last number
    given per (tenant, year), for the sequences."""

    rows: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    last_numbers: Counter[tuple[uuid.UUID, int]] = field(default_factory=Counter)


def quote_rows(
    tenant: SeededTenant, data: FrenchData, now: float, refs: AccountRefs, lines: QuoteLines
) -> Iterator[tuple[float, dict[str, Any]]]:
    """Quotes of 1 to 8 lines: a third drafts, the others sent and numbered in
    order per year (some accepted, some rejected), with their totals computed
    by the quotes' own rules."""
    rng = data.rng
    searched = QUOTES.searched
    for moment in _moments(rng, tenant.quotes, tenant.since, now):
        quote_id = uuid7_at(moment, rng)
        contact = rng.randrange(len(refs.contact_ids)) if refs.contact_ids else None
        account = refs.contact_accounts[contact] if contact is not None else None
        company = refs.names[account] if account is not None else data.company()
        amounts = []
        for position in range(rng.randint(1, 8)):
            item, low, high = rng.choice(QUOTE_ITEMS)
            quantity = Decimal(rng.randint(1, 12))
            price = Decimal(rng.randrange(low * 100, high * 100)) / 100
            discount = Decimal(rng.choice((0, 0, 0, 5, 10, 15)))
            rate = rng.choice(QUOTE_RATES)
            line = line_amounts(quantity, price, discount, rate)
            amounts.append((rate, line))
            lines.rows.append(
                (
                    moment,
                    {
                        "id": uuid7_at(moment, rng),
                        "tenant_id": tenant.tenant_id,
                        "created_at": _stamp(moment),
                        "quote_id": quote_id,
                        "position": position,
                        "description": item,
                        "quantity": quantity,
                        "unit_price": price,
                        "discount_percent": discount,
                        "vat_rate": rate,
                        "total_net": line.net,
                        "total_vat": line.vat,
                    },
                )
            )
        total = quote_amounts(amounts)
        issued = _stamp(moment)
        row: dict[str, Any] = {
            "id": quote_id,
            "tenant_id": tenant.tenant_id,
            "created_at": issued,
            "updated_at": _stamp(_updated(rng, moment, now)),
            "owner_id": rng.choice(tenant.users),
            "title": f"{company} — {rng.choice(PRODUCTS)}",
            "account_id": refs.ids[account] if account is not None else None,
            "contact_id": refs.contact_ids[contact] if contact is not None else None,
            "valid_until": (issued + dt.timedelta(days=30)).date(),
            "payment_terms": "Paiement à 30 jours fin de mois, par virement.",
            "total_net": total.net,
            "total_vat": total.vat,
            "total_gross": total.gross,
        }
        draw = rng.random()
        if draw >= 0.33:
            lines.last_numbers[tenant.tenant_id, issued.year] += 1
            number = lines.last_numbers[tenant.tenant_id, issued.year]
            status = "sent" if draw < 0.6 else "accepted" if draw < 0.85 else "rejected"
            row |= {
                "number": f"D-{issued.year}-{number:05d}",
                "status": status,
                "issued_on": issued.date(),
                "sent_at": issued,
            }
        row["search_text"] = normalise(" ".join(str(row.get(n) or "") for n in searched))
        tenant.counts["quotes", row["owner_id"]] += 1
        yield moment, row


def activity_rows(
    tenant: SeededTenant, data: FrenchData, now: float, refs: AccountRefs
) -> Iterator[tuple[float, dict[str, Any]]]:
    """Calls, e-mails, tasks, meetings and notes, each due a few days after it
    was written; most past ones done, some left overdue, the recent ones due."""
    rng = data.rng
    searched = ACTIVITIES.searched
    kinds = [k for k, _ in ACTIVITY_KINDS]
    weights = [w for _, w in ACTIVITY_KINDS]
    for moment in _moments(rng, tenant.activities, tenant.since, now):
        kind = rng.choices(kinds, weights)[0]
        contact = rng.randrange(len(refs.contact_ids)) if refs.contact_ids else None
        account = refs.contact_accounts[contact] if contact is not None else None
        name = refs.contact_names[contact] if contact is not None else data.company()
        company = refs.names[account] if account is not None else name
        due = moment + rng.uniform(0, 14) * 86400
        done = due < now and rng.random() < 0.9
        row: dict[str, Any] = {
            "id": uuid7_at(moment, rng),
            "tenant_id": tenant.tenant_id,
            "created_at": _stamp(moment),
            "updated_at": _stamp(_updated(rng, moment, now)),
            "owner_id": rng.choice(tenant.users),
            "kind": kind,
            "subject": SUBJECTS[kind].format(name=name, company=company),
            "body": rng.choice(NOTES) if rng.random() < 0.3 else "",
            "due_at": _stamp(due),
            "ends_at": _stamp(due + 3600) if kind == "meeting" else None,
            "done_at": _stamp(min(due + rng.uniform(0, 2) * 86400, now)) if done else None,
            "contact_id": refs.contact_ids[contact] if contact is not None else None,
            "account_id": refs.ids[account] if account is not None else None,
            "opportunity_id": (
                rng.choice(refs.opportunity_ids)
                if refs.opportunity_ids and rng.random() < 0.2
                else None
            ),
        }
        row["search_text"] = normalise(" ".join(str(row.get(n) or "") for n in searched))
        tenant.counts["activities", row["owner_id"]] += 1
        yield moment, row


def _python_default(column: Any) -> Any:
    value = column.get_default_value()
    if isinstance(value, Default):
        return value.python()
    return value() if callable(value) else value


async def column_plan(
    connection: asyncpg.Connection, table: type[Table], generated: Iterable[str]
) -> tuple[list[str], Callable[[dict[str, Any]], tuple[Any, ...]]]:
    """The columns to COPY, as the database has them, and a row maker: generated
    values first, else the table class's default. A NOT NULL column without a
    default that neither knows stops the seed."""
    name = table._meta.tablename
    rows = await connection.fetch(
        "SELECT column_name, is_nullable, column_default FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        name,
    )
    declared = {c._meta.db_column_name: c for c in table._meta.columns}
    known = set(generated)
    columns: list[str] = []
    defaults: dict[str, Any] = {}
    for row in rows:
        column = row["column_name"]
        if column in declared:
            # Rows may leave out what they do not set (a lost reason on an open deal).
            defaults[column] = _python_default(declared[column])
        if column in known or column in declared:
            columns.append(column)
        elif row["is_nullable"] == "NO" and row["column_default"] is None:
            raise SystemExit(f"{name}.{column} is NOT NULL, has no default and no table class")
    missing = sorted(set(declared) - {r["column_name"] for r in rows})
    if missing:
        print(f"  note: {name} has no column {', '.join(missing)} yet (migration not applied?)")

    def make(values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values[c] if c in values else defaults[c] for c in columns)

    return columns, make


async def copy_rows(
    connection: asyncpg.Connection,
    table: type[Table],
    streams: Sequence[Iterator[tuple[float, dict[str, Any]]]],
) -> int:
    """COPY the rows of every tenant into ``table``, interleaved by creation
    time as they would have been written."""
    merged = heapq.merge(*streams, key=lambda item: item[0])
    first = next(merged, None)
    if first is None:
        return 0
    columns, make = await column_plan(connection, table, first[1])
    loaded = 0

    def records() -> Iterator[tuple[Any, ...]]:
        nonlocal loaded
        for _, values in itertools.chain([first], merged):
            loaded += 1
            yield make(values)

    await connection.copy_records_to_table(
        table._meta.tablename, records=records(), columns=columns
    )
    return loaded


async def secondary_indexes(connection: asyncpg.Connection, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of ``table`` that back no constraint."""
    rows = await connection.fetch(
        "SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = $1::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
        "ORDER BY c.relname",
        table,
    )
    return [(r["name"], r["definition"]) for r in rows]


async def rebuild_indexes(owner_url: str, definitions: Sequence[str], workers: int) -> None:
    """Build the indexes again, ``workers`` at a time."""
    queue = list(definitions)

    async def worker() -> None:
        connection = await asyncpg.connect(owner_url)
        try:
            await connection.execute("SET maintenance_work_mem = '512MB'")
            while queue:
                await connection.execute(queue.pop(0))
        finally:
            await connection.close()

    await asyncio.gather(*(worker() for _ in range(workers)))


async def write_record_counts(tenants: Sequence[SeededTenant], concurrency: int) -> int:
    """The counts the services keep (``record_counts``), written by the service
    that keeps them: one bump per tenant, kind and owner, in the tenant's scope."""
    gate = asyncio.Semaphore(concurrency)

    async def one(tenant: SeededTenant) -> None:
        async with gate, tenant_scope(tenant.tenant_id) as scope:
            for (kind, owner), count in sorted(tenant.counts.items(), key=str):
                await counters.bump(scope, kind, owner, count)

    await asyncio.gather(*(one(t) for t in tenants))
    return sum(len(t.counts) for t in tenants)


# ------------------------------------------------------------------ the run


class Steps:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.last = self.started

    def done(self, label: str) -> None:
        now = time.perf_counter()
        print(f"  {label:58} {now - self.last:7.1f} s", flush=True)
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.started


async def create_database(admin_url: str, database: str, fresh: bool) -> None:
    role = app_role_name()
    admin = await asyncpg.connect(admin_url)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
            await admin.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS')
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if exists and not fresh:
            raise SystemExit(f"Database {database} exists: pass --fresh to drop and re-create it.")
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()


async def sign_up(
    args: argparse.Namespace, data: FrenchData, steps: Steps, now: float
) -> list[SeededTenant]:
    """Every tenant through the real signup; the big one gets a sales team."""
    rng = data.rng
    three_years_ago = now - YEARS * 365.25 * 86400
    requests = [_signup(BIG_SLUG, "Grand Compte Lefèvre & Associés")]
    for i in range(1, args.tenants):
        requests.append(_signup(SMALL_SLUG_FORMAT.format(i), f"{data.company()} ({i})"))
    created = await sign_up_tenants(requests, args.concurrency)
    steps.done(f"{len(created)} tenants signed up ({args.concurrency} at a time)")
    big_id, big_admin = created[BIG_SLUG]
    team = await add_sales_team(big_id, big_admin, BIG_SLUG, data, SALES_TEAM)
    steps.done(f"{len(team)} users added to {BIG_SLUG}")
    tenants = [
        SeededTenant(
            tenant_id=big_id,
            slug=BIG_SLUG,
            admin_email=requests[0].admin_email,
            users=[big_admin, *team],
            contacts=args.contacts,
            accounts=args.accounts,
            since=three_years_ago,
            rare=RARE_IN_BIG,
            opportunities=args.opportunities,
            activities=args.activities,
            quotes=args.quotes,
        )
    ]
    for request in requests[1:]:
        tenant_id, admin_id = created[request.slug]
        tenants.append(
            SeededTenant(
                tenant_id=tenant_id,
                slug=request.slug,
                admin_email=request.admin_email,
                users=[admin_id],
                contacts=rng.randint(args.small_contacts // 3, args.small_contacts * 5 // 3),
                accounts=rng.randint(args.small_accounts // 3, args.small_accounts * 5 // 3),
                since=rng.uniform(three_years_ago, now - 30 * 86400),
                rare=1 if request.slug == SMALL_SLUG_FORMAT.format(1) else 0,
                opportunities=rng.randint(
                    args.small_opportunities // 3, args.small_opportunities * 5 // 3
                ),
                activities=rng.randint(args.small_activities // 3, args.small_activities * 5 // 3),
                quotes=rng.randint(2, 8),
            )
        )
    return tenants


async def pipelines(owner: asyncpg.Connection) -> dict[uuid.UUID, PipelineRefs]:
    """Every tenant's provisioned stages and lost reasons."""
    stages: dict[uuid.UUID, list[asyncpg.Record]] = {}
    for row in await owner.fetch(
        "SELECT tenant_id, id, probability, is_won, is_lost FROM pipeline_stages ORDER BY position"
    ):
        stages.setdefault(row["tenant_id"], []).append(row)
    reasons: dict[uuid.UUID, list[uuid.UUID]] = {}
    for row in await owner.fetch("SELECT tenant_id, id FROM lost_reasons"):
        reasons.setdefault(row["tenant_id"], []).append(row["id"])
    return {
        tenant: PipelineRefs(
            open_stages=[
                (r["id"], r["probability"]) for r in rows if not (r["is_won"] or r["is_lost"])
            ],
            won_stage=next(r["id"] for r in rows if r["is_won"]),
            lost_stage=next(r["id"] for r in rows if r["is_lost"]),
            lost_reasons=reasons[tenant],
        )
        for tenant, rows in stages.items()
    }


async def load_records(
    owner_url: str, tenants: Sequence[SeededTenant], data: FrenchData, steps: Steps, now: float
) -> None:
    """Accounts, contacts, opportunities then activities by COPY as the owner,
    their secondary indexes dropped first and built again afterwards (faster
    than keeping them up to date row by row; the definitions are read from the
    database)."""
    owner = await asyncpg.connect(owner_url)
    tables: tuple[type[Table], ...] = (Account, Contact, Opportunity, Activity, Quote, QuoteLine)
    try:
        await owner.execute("SET synchronous_commit = off")
        dropped: list[str] = []
        for table in tables:
            for name, definition in await secondary_indexes(owner, table._meta.tablename):
                await owner.execute(f'DROP INDEX "{name}"')
                dropped.append(definition)
        steps.done(f"{len(dropped)} secondary indexes of the loaded tables dropped")
        refs = {t.tenant_id: AccountRefs() for t in tenants}
        pipeline = await pipelines(owner)
        loaded = await copy_rows(
            owner, Account, [account_rows(t, data, now, refs[t.tenant_id]) for t in tenants]
        )
        steps.done(f"{loaded:,} accounts copied")
        loaded = await copy_rows(
            owner, Contact, [contact_rows(t, data, now, refs[t.tenant_id]) for t in tenants]
        )
        steps.done(f"{loaded:,} contacts copied")
        loaded = await copy_rows(
            owner,
            Opportunity,
            [
                opportunity_rows(t, data, now, refs[t.tenant_id], pipeline[t.tenant_id])
                for t in tenants
            ],
        )
        steps.done(f"{loaded:,} opportunities copied")
        await owner.execute(rebuild_sql(postgres=True))
        steps.done("the pipeline's figures summed (opportunity_totals)")
        loaded = await copy_rows(
            owner, Activity, [activity_rows(t, data, now, refs[t.tenant_id]) for t in tenants]
        )
        steps.done(f"{loaded:,} activities copied")
        lines = QuoteLines()
        loaded = await copy_rows(
            owner, Quote, [quote_rows(t, data, now, refs[t.tenant_id], lines) for t in tenants]
        )
        loaded_lines = await copy_rows(owner, QuoteLine, [iter(lines.rows)])
        await copy_rows(
            owner,
            QuoteSequence,
            [
                iter(
                    (0.0, {"id": uuid.uuid4(), "tenant_id": t, "year": y, "last_number": n})
                    for (t, y), n in sorted(lines.last_numbers.items(), key=str)
                )
            ],
        )
        steps.done(f"{loaded:,} quotes with {loaded_lines:,} lines copied")
        await owner.executemany(
            "INSERT INTO company_profiles (id, tenant_id, legal_name, legal_form, address, "
            "postcode, city, siren, vat_number, quote_validity_days, payment_terms) "
            "VALUES ($1, $2, $3, 'SAS', '12 rue de la République', '69002', 'Lyon', "
            "'732829320', 'FR44732829320', 30, 'Paiement à 30 jours, par virement.')",
            [
                (uuid.uuid4(), t.tenant_id, f"{t.slug.replace('-', ' ').title()} SAS")
                for t in tenants
            ],
        )
        steps.done("a company profile for every tenant")
    finally:
        await owner.close()
    await rebuild_indexes(owner_url, dropped, workers=2)
    steps.done(f"{len(dropped)} indexes built again (2 at a time)")


async def run(args: argparse.Namespace, admin_url: str) -> None:
    steps = Steps()
    data = FrenchData(random.Random(args.seed))
    now = time.time()
    database = args.database
    owner_url, app_url = _with(admin_url, database), _with(admin_url, database, app_role_name())
    print(
        f"Seeding {database}: {args.tenants} tenants, {BIG_SLUG} with {args.contacts:,} "
        f"contacts, {args.accounts:,} accounts, {args.opportunities:,} opportunities and "
        f"{args.activities:,} activities"
    )
    await create_database(admin_url, database, args.fresh)
    steps.done("database created")

    os.environ["DATABASE_URL"] = app_url
    engine = build_engine(app_url)
    set_engine(engine)
    await migrate(owner_url)
    steps.done("migrated (as the owner)")
    await start_pool(engine, max_size=args.concurrency + 2)
    try:
        tenants = await sign_up(args, data, steps, now)
        await load_records(owner_url, tenants, data, steps, now)
        rows = await write_record_counts(tenants, args.concurrency)
        steps.done(f"{rows:,} record_counts rows (through the counters service)")
    finally:
        await close_pool(engine)

    owner = await asyncpg.connect(owner_url)
    try:
        for table in (Account, Contact, Opportunity, Activity, Quote, QuoteLine, RecordCount):
            await owner.execute(f"VACUUM (ANALYZE) {table._meta.tablename}")
        await owner.execute("ANALYZE")
    finally:
        await owner.close()
    steps.done("VACUUM ANALYZE")
    print(f"  {'total':58} {steps.total():7.1f} s")
    print(f"Big tenant: /w/{BIG_SLUG}/, admin {tenants[0].admin_email}, password {PASSWORD}")
    print(f"Small tenant that bench/lists.py measures: /w/{SMALL_SLUG_FORMAT.format(1)}/")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    parser.add_argument("--tenants", type=int, default=1000, help="tenants in all (default 1000)")
    parser.add_argument("--contacts", type=int, default=1_000_000, help="of the big tenant")
    parser.add_argument("--accounts", type=int, default=200_000, help="of the big tenant")
    parser.add_argument("--opportunities", type=int, default=300_000, help="of the big tenant")
    parser.add_argument("--activities", type=int, default=1_000_000, help="of the big tenant")
    parser.add_argument("--small-contacts", type=int, default=36, help="average per small tenant")
    parser.add_argument("--small-accounts", type=int, default=12, help="average per small tenant")
    parser.add_argument("--quotes", type=int, default=50_000, help="of the big tenant")
    parser.add_argument("--small-opportunities", type=int, default=10, help="average per small")
    parser.add_argument("--small-activities", type=int, default=40, help="average per small")
    parser.add_argument("--concurrency", type=int, default=8, help="signups at once")
    parser.add_argument("--seed", type=int, default=2026, help="of the random data")
    args = parser.parse_args(argv)
    if args.tenants < 2 or args.contacts < 1 or args.accounts < 1 or args.concurrency < 1:
        parser.error("--tenants must be at least 2; --contacts, --accounts, --concurrency 1")
    check = random.Random(0)
    assert all(luhn_valid(siren(check)) for _ in range(100)), "siren() must pass luhn_valid()"
    admin_url = os.environ.get("COMPTOIR_BENCH_DATABASE_URL", DEFAULT_URL)
    try:
        asyncio.run(run(args, admin_url))
    except (OSError, asyncpg.PostgresError) as error:
        print(f"PostgreSQL is not usable at {admin_url}: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
