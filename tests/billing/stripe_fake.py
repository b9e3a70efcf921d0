"""A local HTTP fake of the few Stripe endpoints Comptoir uses, for tests.

The real ``stripe`` library is pointed at it (``api_base``): customers,
Checkout Sessions in setup mode, setup intents, payment methods and payment
intents, answered with Stripe-shaped JSON (errors too: a declined card is a
402 ``card_error`` carrying the payment intent). It honours ``Idempotency-Key``
on POST like Stripe (the same key replays the first answer) and can be told to
decline the next N charges. ``complete_checkout`` plays the customer filling in
Checkout's card form; ``event`` and ``signature`` build webhook deliveries
signed exactly as Stripe signs them (``t=...,v1=HMAC-SHA256(secret, "t.payload")``)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

CARDS = {
    "visa": ("visa", "4242", 12, 2030),
    "mastercard": ("mastercard", "4444", 8, 2031),
    "amex": ("amex", "8431", 3, 2029),
}


def signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe would send with ``payload``."""
    t = int(time.time()) if timestamp is None else timestamp
    signed = f"{t}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def _nested(form: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (``metadata[invoice_id]=...``, ``expand[0]=...``)
    back into a dict, one level of brackets (all the library sends here)."""
    out: dict[str, Any] = {}
    for key, value in form:
        if "[" in key and key.endswith("]"):
            outer, inner = key[:-1].split("[", 1)
            holder = out.setdefault(outer, {})
            if isinstance(holder, dict):
                holder[inner.split("][")[0]] = value
        else:
            out[key] = value
    for key, value in list(out.items()):
        if isinstance(value, dict) and value and all(k.isdigit() for k in value):
            out[key] = [value[k] for k in sorted(value, key=int)]
    return out


@dataclass
class StripeFake:
    """The fake's state, shared with the HTTP thread (guarded by ``lock``)."""

    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    setup_intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    payment_methods: dict[str, dict[str, Any]] = field(default_factory=dict)
    payment_intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotent: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    declines_left: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_test_{next(self._ids):06d}"

    def decline_next(self, count: int = 1) -> None:
        """The next ``count`` payment intents are declined (card_declined)."""
        with self.lock:
            self.declines_left = count

    def reset(self) -> None:
        with self.lock:
            for table in (
                self.customers,
                self.sessions,
                self.setup_intents,
                self.payment_methods,
                self.payment_intents,
                self.idempotent,
            ):
                table.clear()
            self.requests.clear()
            self.declines_left = 0

    def charges(self) -> list[dict[str, Any]]:
        """Payment intents created, oldest first."""
        with self.lock:
            return list(self.payment_intents.values())

    # ---- what the customer and Stripe do outside the API -----------------------

    def complete_checkout(self, session_id: str, card: str = "visa") -> dict[str, Any]:
        """The customer enters a card on the Checkout page: a payment method
        is attached to the customer, the setup intent succeeds, the session
        completes. Returns the ``checkout.session.completed`` event."""
        with self.lock:
            session = self.sessions[session_id]
            method = self._payment_method(card, session["customer"])
            intent = self.setup_intents[session["setup_intent"]]
            intent.update(status="succeeded", payment_method=method["id"])
            session.update(status="complete")
            return self.event("checkout.session.completed", dict(session))

    def detach(self, payment_method_id: str) -> dict[str, Any]:
        """The customer removes the card (in Stripe's dashboard): the
        ``payment_method.detached`` event."""
        with self.lock:
            method = self.payment_methods[payment_method_id]
            method["customer"] = None
            return self.event("payment_method.detached", dict(method))

    def event(
        self, kind: str, obj: dict[str, Any], *, event_id: str | None = None
    ) -> dict[str, Any]:
        return {
            "id": event_id or self.new_id("evt"),
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "type": kind,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": {"object": obj},
        }

    # ---- the API --------------------------------------------------------------------

    def _payment_method(self, card: str, customer: str | None) -> dict[str, Any]:
        brand, last4, month, year = CARDS[card]
        method: dict[str, Any] = {
            "id": self.new_id("pm"),
            "object": "payment_method",
            "type": "card",
            "customer": customer,
            "card": {"brand": brand, "last4": last4, "exp_month": month, "exp_year": year},
            "created": int(time.time()),
            "livemode": False,
            "metadata": {},
        }
        self.payment_methods[method["id"]] = method
        return method

    def handle(self, method: str, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        parts = [part for part in path.split("/") if part]
        if not parts or parts[0] != "v1":
            return _error(404, "invalid_request_error", f"Unrecognized request URL ({path}).")
        resource, rest = parts[1:2], parts[2:]
        if parts[1:3] == ["checkout", "sessions"]:
            resource, rest = ["checkout/sessions"], parts[3:]
        name = resource[0] if resource else ""
        handler = getattr(self, f"_{method.lower()}_{name.replace('/', '_')}", None)
        if handler is None:
            return _error(404, "invalid_request_error", f"Unrecognized request URL ({path}).")
        result: tuple[int, dict[str, Any]] = handler(rest, params)
        return result

    def _post_customers(
        self, rest: list[str], params: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if rest:
            customer = self.customers.get(rest[0])
            if customer is None:
                return _missing("customer", rest[0])
            customer.update({k: v for k, v in params.items() if k in ("email", "name")})
            return 200, customer
        customer = {
            "id": self.new_id("cus"),
            "object": "customer",
            "email": params.get("email"),
            "name": params.get("name"),
            "metadata": params.get("metadata", {}),
            "created": int(time.time()),
            "livemode": False,
        }
        self.customers[customer["id"]] = customer
        return 200, customer

    def _get_customers(self, rest: list[str], params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        customer = self.customers.get(rest[0]) if rest else None
        return (200, customer) if customer else _missing("customer", rest[0] if rest else "")

    def _post_checkout_sessions(
        self, rest: list[str], params: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if params.get("mode") != "setup":
            return _error(400, "invalid_request_error", "Only setup mode is faked.", "mode")
        customer = str(params.get("customer"))
        if customer not in self.customers:
            return _missing("customer", str(customer))
        for required in ("success_url", "cancel_url"):
            if not params.get(required):
                return _error(400, "invalid_request_error", f"Missing {required}.", required)
        session_id = self.new_id("cs")
        intent = {
            "id": self.new_id("seti"),
            "object": "setup_intent",
            "customer": customer,
            "status": "requires_payment_method",
            "payment_method": None,
            "usage": "off_session",
            "metadata": params.get("metadata", {}),
        }
        self.setup_intents[intent["id"]] = intent
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "setup",
            "status": "open",
            "customer": customer,
            "setup_intent": intent["id"],
            "client_reference_id": params.get("client_reference_id"),
            "success_url": params["success_url"],
            "cancel_url": params["cancel_url"],
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "metadata": params.get("metadata", {}),
            "currency": params.get("currency"),
            "livemode": False,
        }
        self.sessions[session_id] = session
        return 200, session

    def _get_checkout_sessions(
        self, rest: list[str], params: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        session = self.sessions.get(rest[0]) if rest else None
        if session is None:
            return _missing("checkout.session", rest[0] if rest else "")
        answer = dict(session)
        if "setup_intent" in (params.get("expand") or []):
            answer["setup_intent"] = self.setup_intents[session["setup_intent"]]
        return 200, answer

    def _get_setup_intents(
        self, rest: list[str], params: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        intent = self.setup_intents.get(rest[0]) if rest else None
        return (200, intent) if intent else _missing("setup_intent", rest[0] if rest else "")

    def _get_payment_methods(
        self, rest: list[str], params: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        method = self.payment_methods.get(rest[0]) if rest else None
        return (200, method) if method else _missing("payment_method", rest[0] if rest else "")

    def _get_payment_intents(
        self, rest: list[str], params: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        intent = self.payment_intents.get(rest[0]) if rest else None
        return (200, intent) if intent else _missing("payment_intent", rest[0] if rest else "")

    def _post_payment_intents(
        self, rest: list[str], params: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if rest:
            return _error(400, "invalid_request_error", "Updating intents is not faked.")
        try:
            amount = int(params.get("amount", ""))
        except ValueError:
            return _error(400, "invalid_request_error", "Invalid integer: amount", "amount")
        method = self.payment_methods.get(str(params.get("payment_method")))
        if method is None:
            return _missing("payment_method", str(params.get("payment_method")))
        if method["customer"] != params.get("customer"):
            return _error(
                400,
                "invalid_request_error",
                "The provided PaymentMethod is not attached to this customer.",
                "payment_method",
            )
        intent: dict[str, Any] = {
            "id": self.new_id("pi"),
            "object": "payment_intent",
            "amount": amount,
            "amount_received": 0,
            "currency": params.get("currency"),
            "customer": params.get("customer"),
            "payment_method": method["id"],
            "description": params.get("description"),
            "metadata": params.get("metadata", {}),
            "confirmation_method": "automatic",
            "created": int(time.time()),
            "livemode": False,
            "last_payment_error": None,
        }
        self.payment_intents[intent["id"]] = intent
        if self.declines_left > 0:
            self.declines_left -= 1
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = {
                "type": "card_error",
                "code": "card_declined",
                "decline_code": "insufficient_funds",
                "message": "Your card has insufficient funds.",
            }
            status, body = _error(
                402,
                "card_error",
                "Your card has insufficient funds.",
                code="card_declined",
                decline_code="insufficient_funds",
            )
            body["error"]["payment_intent"] = dict(intent)
            return status, body
        intent.update(status="succeeded", amount_received=amount)
        return 200, intent


def _error(
    status: int,
    kind: str,
    message: str,
    param: str | None = None,
    *,
    code: str | None = None,
    decline_code: str | None = None,
) -> tuple[int, dict[str, Any]]:
    error: dict[str, Any] = {"type": kind, "message": message}
    if param:
        error["param"] = param
    if code:
        error["code"] = code
    if decline_code:
        error["decline_code"] = decline_code
    return status, {"error": error}


def _missing(kind: str, ident: str) -> tuple[int, dict[str, Any]]:
    return _error(
        404, "invalid_request_error", f"No such {kind}: '{ident}'", "id", code="resource_missing"
    )


def _handler_for(fake: StripeFake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
            return

        def _answer(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            form = parse_qsl(parts.query, keep_blank_values=True)
            form += parse_qsl(body, keep_blank_values=True)
            params = _nested(form)
            headers = {k.lower(): v for k, v in self.headers.items()}
            key = headers.get("idempotency-key")
            with fake.lock:
                fake.requests.append((method, parts.path, params, headers))
                if not headers.get("authorization", "").startswith("Bearer sk_"):
                    status, answer = _error(401, "invalid_request_error", "Invalid API Key.")
                elif method == "POST" and key and key in fake.idempotent:
                    status, answer = fake.idempotent[key]
                else:
                    status, answer = fake.handle(method, parts.path, params)
                    if method == "POST" and key:
                        fake.idempotent[key] = (status, answer)
                data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_{fake.new_id('r')}")
            if key:
                self.send_header("Idempotency-Key", key)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def do_DELETE(self) -> None:
            self._answer("DELETE")

    return Handler


@contextmanager
def running_stripe_fake() -> Iterator[StripeFake]:
    """Serve a fresh fake on 127.0.0.1 (a free port) in a thread."""
    fake = StripeFake()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(fake))
    fake.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, name="stripe-fake", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
