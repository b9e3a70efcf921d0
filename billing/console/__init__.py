"""Billing in the ops console: figures, a tenant's billing history, staff actions."""
