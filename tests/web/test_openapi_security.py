"""The API browser tells public routes from those that need a bearer token."""

from __future__ import annotations

from litestar.routes import HTTPRoute

from comptoir.platform.features import PERMISSION


def test_public_api_routes_need_no_token_in_the_openapi_document() -> None:
    from comptoir.platform.app import create_app

    app = create_app()
    schema = app.openapi_schema.to_schema()
    assert schema["security"] == [{"bearer": []}]
    public = set()
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/"):
            for handler in route.route_handlers:
                if handler.opt.get(PERMISSION, "") is None:
                    public.add(route.path)
    assert "/api/v1/signup" in public
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            if path in public:
                assert operation.get("security") == [], f"{method} {path} shows a padlock"
            else:
                assert "security" not in operation, f"{method} {path} drops the bearer token"


def test_request_schemas_refuse_unknown_fields_as_the_api_does() -> None:
    from comptoir.platform.app import create_app

    components = create_app().openapi_schema.to_schema()["components"]["schemas"]
    for name in ("UserCreate", "InvitationCreate", "SignupIn", "ContactFields"):
        assert components[name]["additionalProperties"] is False, name
    assert "additionalProperties" not in components["UserOut"]
    email = components["UserCreate"]["properties"]["email"]
    assert email["maxLength"] == 254 and email["pattern"].startswith("^")
