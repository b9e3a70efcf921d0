"""A quote's amounts: each line rounded half-up to the cent, then summed; VAT per rate."""

from __future__ import annotations

from decimal import Decimal as D

import httpx

from comptoir.tenants.quotes.totals import line_amounts, quote_amounts
from tests.quotes.support import new_quote
from tests.support.fixtures import Workspace


def test_a_line_rounds_half_up_to_the_cent() -> None:
    assert line_amounts(D("0.5"), D("0.25"), D("0"), D("20")).net == D("0.13")  # 0.125
    assert line_amounts(D("3"), D("0.415"), D("0"), D("20")).net == D("1.25")  # 1.245
    half = line_amounts(D("1"), D("0.05"), D("50"), D("10"))  # 0.025 -> 0.03
    assert half.net == D("0.03") and half.vat == D("0.00")
    vat = line_amounts(D("1"), D("10.25"), D("0"), D("20"))  # VAT 2.05
    assert vat.vat == D("2.05")
    reduced = line_amounts(D("1"), D("0.90"), D("0"), D("5.5"))  # VAT 0.0495
    assert reduced.vat == D("0.05")
    discounted = line_amounts(D("3"), D("19.99"), D("15"), D("20"))  # 50.9745
    assert discounted.net == D("50.97") and discounted.vat == D("10.19")  # 10.194


def test_the_quote_sums_rounded_lines_and_breaks_vat_down() -> None:
    lines = [
        (D("20"), line_amounts(D("1"), D("0.25"), D("50"), D("20"))),
        (D("20"), line_amounts(D("1"), D("0.25"), D("50"), D("20"))),
        (D("5.5"), line_amounts(D("2"), D("3.33"), D("0"), D("5.5"))),
        (D("2.1"), line_amounts(D("1"), D("100"), D("10"), D("2.1"))),
    ]
    amounts = quote_amounts(lines)
    # 0.13 + 0.13 (not round(0.25)), 6.66, 90.00
    assert amounts.net == D("96.92")
    assert [(s.rate, s.base, s.vat) for s in amounts.breakdown] == [
        ("20", D("0.26"), D("0.06")),
        ("5.5", D("6.66"), D("0.37")),
        ("2.1", D("90.00"), D("1.89")),
    ]
    assert amounts.vat == D("2.32") and amounts.gross == D("99.24")


async def test_the_api_answers_amounts_as_decimal_strings(
    client: httpx.AsyncClient, workspace: Workspace
) -> None:
    lines = [
        {"description": "Baguettes", "quantity": "3", "unit_price": "0.415", "vat_rate": "5.5"},
        {
            "description": "Conseil",
            "quantity": "1.5",
            "unit_price": "80",
            "discount_percent": "12.5",
        },
        {"description": "Livraison", "quantity": "0.5", "unit_price": "0.25", "vat_rate": "20"},
        {"description": "Presse", "quantity": "2", "unit_price": "1.10", "vat_rate": "2.1"},
        {"description": "Repas", "quantity": "1", "unit_price": "20", "vat_rate": "10"},
    ]
    refused = await client.post(
        "/api/v1/quotes", headers=workspace.headers, json={"title": "T", "lines": lines}
    )
    assert refused.status_code == 422  # 0.415 has more than 2 decimals
    assert [e["field"] for e in refused.json()["errors"]] == ["lines[0].unit_price"]
    lines[0]["unit_price"] = "0.42"
    quote = await new_quote(client, workspace, lines=lines)
    got = [(line["total_net"], line["total_vat"], line["vat_rate"]) for line in quote["lines"]]
    assert got == [
        ("1.26", "0.07", "5.5"),
        ("105.00", "21.00", "20"),
        ("0.13", "0.03", "20"),
        ("2.20", "0.05", "2.1"),
        ("20.00", "2.00", "10"),
    ]
    assert (quote["total_net"], quote["total_vat"], quote["total_gross"]) == (
        "128.59",
        "23.15",
        "151.74",
    )
    assert quote["vat_breakdown"][0] == {"rate": "20", "base": "105.13", "vat": "21.03"}
    assert quote["status"] == "draft" and quote["number"] == ""


async def test_bad_lines_and_links_are_named(
    client: httpx.AsyncClient, workspace: Workspace, other_workspace: Workspace
) -> None:
    from tests.quotes.support import new_account

    elsewhere = await new_account(client, other_workspace)
    bad = {
        "title": "Devis",
        "account_id": elsewhere,
        "contact_id": "0193a0b0-0000-7000-8000-000000000001",
        "lines": [
            {"description": "", "quantity": "0", "unit_price": "-1", "vat_rate": "19.6"},
            {"description": "Ok", "quantity": "1", "unit_price": "1", "discount_percent": "101"},
        ],
    }
    refused = await client.post("/api/v1/quotes", headers=workspace.headers, json=bad)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {
        "account_id",
        "contact_id",
        "lines[0].description",
        "lines[0].quantity",
        "lines[0].unit_price",
        "lines[0].vat_rate",
        "lines[1].discount_percent",
    }
    listed = await client.get("/api/v1/quotes", headers=workspace.headers)
    assert listed.json()["items"] == []
