"""The health score of a tenant: one number, 0 to 100, to find the customers
at risk early. Documented on the console page and in ``adoption/README.md``.

Five components, each from 0 to 1, over the 30 days ending today (weight):

- seat activation (30): MAU / seats, at most 1;
- stickiness (20): mean DAU/MAU / 0.5, at most 1 (half the monthly users on
  an average day is excellent for a work tool);
- data completeness (20): the completeness score of the tenant's records;
- training (15): the mean share of assigned training steps completed;
- trend (15): (t + 1) / 2 where t = (WAU - WAU a week before) /
  max(WAU a week before, 1), kept within -1..1 (flat is 0.5).

score = round(100 * sum(weight * component) / sum(weight)), over the
components that have data: a tenant without expected fields, without
training or without seats is scored on the others. Bands: 70 and above
*healthy*, 40 to 69 *watch*, below 40 *at risk*; no data at all scores 0."""

from __future__ import annotations

from dataclasses import dataclass

WEIGHTS = {"activation": 30, "stickiness": 20, "completeness": 20, "training": 15, "trend": 15}
STICKINESS_TARGET = 0.5
HEALTHY, WATCH = 70, 40


@dataclass(frozen=True)
class HealthInputs:
    seats: int
    mau: int
    stickiness: float | None
    completeness: float | None
    training: float | None
    wau: int
    wau_week_before: int

    @property
    def seat_activation(self) -> float | None:
        return self.mau / self.seats if self.seats else None

    @property
    def trend(self) -> float:
        """Change of weekly active users over a week, within -1..1."""
        change = (self.wau - self.wau_week_before) / max(self.wau_week_before, 1)
        return max(-1.0, min(1.0, change))


def components(inputs: HealthInputs) -> dict[str, float | None]:
    activation = inputs.seat_activation
    return {
        "activation": min(1.0, activation) if activation is not None else None,
        "stickiness": (
            min(1.0, inputs.stickiness / STICKINESS_TARGET)
            if inputs.stickiness is not None
            else None
        ),
        "completeness": inputs.completeness,
        "training": inputs.training,
        "trend": (inputs.trend + 1) / 2 if inputs.seats else None,
    }


def health_score(inputs: HealthInputs) -> int:
    parts = {name: value for name, value in components(inputs).items() if value is not None}
    if not parts:
        return 0
    weight = sum(WEIGHTS[name] for name in parts)
    return round(100 * sum(WEIGHTS[name] * value for name, value in parts.items()) / weight)


def band(score: int) -> str:
    if score >= HEALTHY:
        return "healthy"
    return "watch" if score >= WATCH else "at_risk"
