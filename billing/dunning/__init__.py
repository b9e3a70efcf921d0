"""Dunning: failed and overdue payments, retries, reminders, suspension."""
