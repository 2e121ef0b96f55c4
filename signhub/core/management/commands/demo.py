"""python manage.py demo — a populated dashboard through the real connectors, in one command.

Migrates, creates demo logins, adds one sandbox account per connector that ships a sandbox
(fake provider API served by this same Django under /sandbox/<provider>/), starts the web
server and a task worker, syncs every demo account over HTTP, then keeps serving.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from signhub.core.accounts import AccountInput, create_account
from signhub.core.models import ProviderAccount
from signhub.persist.demo import seed_chains
from signhub.sandbox.registry import sandbox_modules

DEMO_USERS = [
    # (username, password, superuser?)
    ("admin", "signhub-admin", True),
    ("reviewer", "signhub-review", False),
]
REVIEWERS_GROUP = "HR reviewers"


def wait_for_port(host: str, port: int, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.2)
    return False


class Command(BaseCommand):
    help = "Run the dashboard with demo data from the built-in provider sandboxes."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="set up and sync, then stop the server and exit"
        )

    def handle(self, *args, **opts):
        host, port = opts["host"], opts["port"]
        call_command("migrate", interactive=False, verbosity=0)
        self.setup_users()
        accounts = self.setup_accounts(f"http://{host}:{port}")

        env = {**os.environ, "DEBUG": "1", "SIGNHUB_SANDBOX_ENABLED": "1"}
        manage = [sys.executable, "manage.py"]
        with socket.socket() as sock:
            if sock.connect_ex((host, port)) == 0:
                raise CommandError(f"Port {port} is busy: stop what runs there or use --port.")
        children = [
            subprocess.Popen([*manage, "runserver", "--noreload", f"{host}:{port}"], env=env),
            subprocess.Popen([*manage, "db_worker", "--interval", "1", "--no-reload"], env=env),
        ]
        try:
            if not wait_for_port(host, port):
                raise CommandError("The web server did not start; see its output above.")
            self.stdout.write(f"Syncing {len(accounts)} demo account(s) from the sandbox...")
            try:
                call_command("sync", *[f"--account={a.name}" for a in accounts], "--full")
            except SystemExit:
                self.stderr.write("Some demo accounts failed to sync; the dashboard shows why.")
            seed_chains()  # persisted signature chains for the signature viewer
            self.stdout.write(
                self.style.SUCCESS(
                    f"\nsignhub is running at http://{host}:{port}/\n"
                    + "".join(f"  log in as {u} / {p}\n" for u, p, _ in DEMO_USERS)
                    + "Press Ctrl-C to stop."
                )
            )
            if not opts["no_serve"]:
                children[0].wait()
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
            for child in children:
                try:
                    child.wait(10)
                except subprocess.TimeoutExpired:
                    child.kill()

    def setup_users(self) -> None:
        group, _ = Group.objects.get_or_create(name=REVIEWERS_GROUP)
        for username, password, is_super in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_superuser = user.is_staff = is_super
            user.set_password(password)
            user.save()
            if not is_super:
                user.groups.add(group)

    def setup_accounts(self, server: str) -> list[ProviderAccount]:
        group = Group.objects.get(name=REVIEWERS_GROUP)
        accounts = []
        for provider, module in sandbox_modules().items():
            name = f"{provider}-demo"
            account = ProviderAccount.objects.filter(name=name).first()
            if account is None:
                demo = module.demo_account()
                try:
                    account = create_account(
                        AccountInput(
                            provider=provider,
                            name=name,
                            base_url=f"{server}/sandbox/{provider}",
                            credentials=demo.get("credentials", {}),
                            options=demo.get("options", {}),
                        )
                    )
                except ValidationError as exc:
                    self.stderr.write(f"Skipping {provider}: {' '.join(exc.messages)}")
                    continue
            account.visible_to.add(group)
            accounts.append(account)
        return accounts
