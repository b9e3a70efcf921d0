"""A contact's fields through the API: each rule answers 422 naming the field;
consent dates follow consent; interests round-trip as a list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from tests.support.fixtures import Workspace


async def _create(client: httpx.AsyncClient, ws: Workspace, **fields: Any) -> httpx.Response:
    return await client.post(
        "/api/v1/contacts", headers=ws.headers, json={"last_name": "Lefèvre", **fields}
    )


def _messages(response: httpx.Response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def _tomorrow() -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("preferred_channel", "pigeon"),
        ("gender", "unknown"),
        ("family_situation", "complicated"),
        ("profession_category", "9"),
        ("children", -1),
        ("children", 21),
        ("birth_date", "1899-12-31"),
        ("birth_date", "tomorrow"),
        ("interests", ["ok", "a,b"]),
        ("interests", ["x" * 41]),
        ("interests", [f"tag{i}" for i in range(21)]),
        ("mobile", "0" * 41),
        ("postcode", "1" * 11),
        ("marketing_consent", "maybe"),
    ],
)
async def test_each_rule_names_its_field(
    client: httpx.AsyncClient, workspace: Workspace, field: str, value: Any
) -> None:
    if value == "tomorrow":
        value = _tomorrow()
    response = await _create(client, workspace, **{field: value})
    assert response.status_code in (400, 422), response.text
    assert field in response.text


async def test_a_birth_date_in_the_future_is_refused(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    response = await _create(client, workspace, birth_date=_tomorrow())
    assert response.status_code == 422
    assert _messages(response)["birth_date"] == "cannot be in the future"
    old = await _create(client, workspace, birth_date="1899-12-31")
    assert _messages(old)["birth_date"] == "cannot be before 1900"


async def test_every_field_round_trips(client: httpx.AsyncClient, workspace: Workspace) -> None:
    sent = {
        "first_name": "Camille",
        "phone": "01 42 00 00 00",
        "mobile": "06 12 34 56 78",
        "address": "12 rue des Lilas",
        "postcode": "69003",
        "city": "Lyon",
        "country": "France",
        "preferred_channel": "phone",
        "birth_date": "1984-05-17",
        "gender": "female",
        "family_situation": "married",
        "children": 2,
        "profession_category": "3",
        "interests": ["vin", " cyclisme ", "vin", "jardinage"],
        "consent_source": "salon",
    }
    created = await _create(client, workspace, **sent)
    assert created.status_code == 201, created.text
    contact = created.json()
    for name, value in sent.items():
        if name != "interests":
            assert contact[name] == value, name
    assert contact["interests"] == ["vin", "cyclisme", "jardinage"]
    assert contact["marketing_consent"] is False and contact["consent_at"] is None
    read = await client.get(f"/api/v1/contacts/{contact['id']}", headers=workspace.headers)
    assert read.json() == contact
    listed = await client.get(
        "/api/v1/contacts", params={"city": "Lyon"}, headers=workspace.headers
    )
    assert [c["interests"] for c in listed.json()["items"]] == [["vin", "cyclisme", "jardinage"]]
    cleared = await client.patch(
        f"/api/v1/contacts/{contact['id']}", headers=workspace.headers, json={"interests": []}
    )
    assert cleared.json()["interests"] == []


@pytest.mark.parametrize("code", ["", "1", "2", "3", "4", "5", "6", "7", "8"])
async def test_pcs_groups_are_the_insee_ones(
    client: httpx.AsyncClient, workspace: Workspace, code: str
) -> None:
    created = await _create(client, workspace, profession_category=code)
    assert created.status_code == 201, created.text
    assert created.json()["profession_category"] == code


async def test_consent_dates_follow_consent(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    h = workspace.headers
    before = dt.datetime.now(dt.UTC)
    created = await _create(client, workspace, marketing_consent=True, consent_source="web form")
    contact = created.json()
    given_at = dt.datetime.fromisoformat(contact["consent_at"])
    assert before - dt.timedelta(seconds=5) <= given_at <= dt.datetime.now(dt.UTC)
    assert contact["consent_withdrawn_at"] is None
    url = f"/api/v1/contacts/{contact['id']}"

    unrelated = await client.patch(url, headers=h, json={"city": "Nantes"})
    assert unrelated.json()["consent_at"] == contact["consent_at"]

    withdrawn = (await client.patch(url, headers=h, json={"marketing_consent": False})).json()
    assert withdrawn["marketing_consent"] is False
    assert withdrawn["consent_withdrawn_at"] is not None
    assert withdrawn["consent_at"] == contact["consent_at"]  # when it had been given

    again = (
        await client.patch(
            url,
            headers=h,
            json={"marketing_consent": True, "consent_at": "2026-03-02T10:00:00+00:00"},
        )
    ).json()
    assert again["consent_withdrawn_at"] is None
    assert dt.datetime.fromisoformat(again["consent_at"]) == dt.datetime(
        2026, 3, 2, 10, tzinfo=dt.UTC
    )


async def test_consent_given_at_creation_keeps_its_date(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    created = await _create(
        client, workspace, marketing_consent=True, consent_at="2025-06-01T08:30:00Z"
    )
    assert dt.datetime.fromisoformat(created.json()["consent_at"]) == dt.datetime(
        2025, 6, 1, 8, 30, tzinfo=dt.UTC
    )
    without = await _create(client, workspace, consent_at="2025-06-01T08:30:00Z")
    assert without.json()["consent_at"] is None


async def test_list_filters_by_consent(client: httpx.AsyncClient, workspace: Workspace) -> None:
    await _create(client, workspace, first_name="Oui", marketing_consent=True)
    await _create(client, workspace, first_name="Non")
    h = workspace.headers

    async def names(value: str) -> list[str]:
        r = await client.get("/api/v1/contacts", params={"marketing_consent": value}, headers=h)
        assert r.status_code == 200, r.text
        return [c["first_name"] for c in r.json()["items"]]

    assert await names("true") == ["Oui"]
    assert await names("false") == ["Non"]
    refused = await client.get("/api/v1/contacts", params={"marketing_consent": "yes"}, headers=h)
    assert refused.status_code == 422 and "marketing_consent" in refused.text


async def test_a_consent_date_without_consent_is_ignored(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    contact = (await _create(client, workspace)).json()
    url = f"/api/v1/contacts/{contact['id']}"
    dated = await client.patch(
        url, headers=workspace.headers, json={"consent_at": "2025-01-01T00:00:00Z"}
    )
    assert dated.status_code == 200 and dated.json()["consent_at"] is None
    corrected = await client.patch(
        url,
        headers=workspace.headers,
        json={"marketing_consent": True, "consent_at": "2025-01-01T00:00:00Z"},
    )
    moved = await client.patch(
        url, headers=workspace.headers, json={"consent_at": "2025-02-01T00:00:00Z"}
    )
    assert corrected.json()["consent_at"].startswith("2025-01-01")
    assert moved.json()["consent_at"].startswith("2025-02-01")  # a given consent's date may move
