"""Accounts: sign-up, sign-in, password reset and per-reader preferences."""
