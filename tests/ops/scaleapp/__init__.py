"""A tiny connector app for the scale-out test's subprocesses (loaded via SIGNHUB_EXTRA_APPS).

Test-registered connectors live only in the pytest process; gunicorn and the task workers
are separate processes, so they load this app instead. It talks to a loopback fake
provider the test runs, with expiring access tokens and single-use refresh tokens.
"""
