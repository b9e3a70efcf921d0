"""Payment gateways: one interface, a Stripe implementation and the bank transfer default."""
