"""The users page says what "Send an invitation" and "Add now" each do."""

from __future__ import annotations

from tests.support.pages import sign_in


async def test_the_two_ways_to_add_someone_are_explained(client, workspace) -> None:
    await sign_in(client, workspace, english=False)
    client.cookies.set("lang", "fr", domain="testserver.local", path="/")
    page = await client.get(f"/w/{workspace.slug}/admin/users")
    assert page.status_code == 200
    html = page.text
    assert "n'occupe aucun siège" in html and "révoquer l'invitation" in html
    assert "Le compte est créé tout de suite" in html
    # Each button points at its explanation.
    assert 'value="invite" class="btn btn-secondary" aria-describedby="mode-invite-help"' in html
    assert 'value="add" class="btn btn-primary" aria-describedby="mode-add-help"' in html
    assert 'id="mode-invite-help"' in html and 'id="mode-add-help"' in html
