"""Stripe webhooks: signed deliveries, recorded once, processed by a job."""
