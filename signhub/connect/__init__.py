"""Connecting provider accounts the way each provider expects.

OAuth 2.0 authorization code (with PKCE where the provider supports it) behind a
"Connect with <provider>" button, the Bitrix24 application install endpoint, the public URLs
an administrator registers with the provider, and "Test connection" with a short deadline.
A connector opts in by setting `connect_flow` to a `flows.ConnectFlow` subclass.
"""
