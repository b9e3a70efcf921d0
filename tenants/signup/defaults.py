"""What every new workspace starts with."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

PLANS = ("essentiel", "pro", "entreprise")
TRIAL_DAYS = 14
# Price of each plan, in euros per seat (active user) and per month, excluding VAT.
PLAN_PRICES: dict[str, Decimal] = {
    "essentiel": Decimal("19"),
    "pro": Decimal("35"),
    "entreprise": Decimal("59"),
}


@dataclass(frozen=True)
class StageDefault:
    key: str
    name: str
    probability: int
    is_won: bool = False
    is_lost: bool = False


PIPELINE_STAGES = (
    StageDefault("prospecting", "Prospection", 10),
    StageDefault("qualification", "Qualification", 25),
    StageDefault("proposal", "Proposition", 50),
    StageDefault("negotiation", "Négociation", 75),
    StageDefault("won", "Gagnée", 100, is_won=True),
    StageDefault("lost", "Perdue", 0, is_lost=True),
)

# Why deals are lost, in the tenant's language; an admin edits the list.
LOST_REASONS = (
    "Prix trop élevé",
    "Concurrent retenu",
    "Pas de budget",
    "Projet abandonné ou reporté",
    "Besoin non couvert",
    "Sans réponse du client",
)

# priority: (first response, resolution), in minutes
TICKET_SLAS = {
    "urgent": (60, 4 * 60),
    "high": (4 * 60, 24 * 60),
    "normal": (8 * 60, 3 * 24 * 60),
    "low": (24 * 60, 7 * 24 * 60),
}

ROLES = {
    "admin": ("Administrateur", "Manages users, settings, subscription and API tokens."),
    "key_user": ("Utilisateur clé", "Champions the CRM and trains end-users."),
    "end_user": ("Utilisateur", "Works the CRM day to day."),
}
