"""python manage.py demo — a populated dashboard through the real connectors, in one command.

Migrates, creates demo logins, adds one sandbox account per connector that ships a sandbox
(fake provider API served by this same Django under /sandbox/<provider>/), starts the web
server and a task worker, syncs every demo account over HTTP, then keeps serving.

Quiet by default: the server's banner and access log and the worker's chatter stay out of
the terminal (errors still show), so the logins are the last lines. `-v 2` shows it all;
every console line is scrubbed of secrets either way (settings.LOGGING).
"""

from __future__ import annotations

import logging
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
from django.test.utils import override_settings

from signhub.core.accounts import AccountInput, create_account
from signhub.core.models import ProviderAccount
from signhub.persist.demo import seed_chains
from signhub.sandbox.registry import sandbox_modules

DEMO_USERS = [
    # (username, password, superuser?, what they are)
    ("admin", "signhub-admin", True, "administrator: accounts, credentials, the admin"),
    ("reviewer", "signhub-review", False, "HR reviewer: sees the demo accounts"),
]
REVIEWERS_GROUP = "HR reviewers"


def wait_for_port(host: str, port: int, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.1)
    return False


def logins_banner(url: str) -> str:
    width = max(len(u) for u, *_ in DEMO_USERS)
    pwidth = max(len(p) for _, p, *_ in DEMO_USERS)
    lines = [f"signhub demo is running at {url}", ""]
    lines += [f"  {u:<{width}}  /  {p:<{pwidth}}   {what}" for u, p, _, what in DEMO_USERS]
    lines += ["", "Press Ctrl-C to stop the server and the worker."]
    rule = "=" * max(len(line) for line in lines)
    return "\n".join(["", rule, *lines, rule])


class Command(BaseCommand):
    help = "Run the dashboard with demo data from the built-in provider sandboxes."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
        parser.add_argument(
            "--no-serve", action="store_true", help="set up and sync, then stop the server and exit"
        )

    def handle(self, *args, **opts):
        host, port = opts["host"], opts["port"]
        verbose = opts["verbosity"] >= 2
        with socket.socket() as sock:
            if sock.connect_ex((host, port)) == 0:
                raise CommandError(f"Port {port} is busy: stop what runs there or use PORT=….")
        env = {
            **os.environ,
            "DEBUG": "1",
            "SIGNHUB_SANDBOX_ENABLED": "1",
            "SIGNHUB_SANDBOX_RELATIVE_DATES": "1",  # demo data ends today
        }
        if not verbose:
            env.update(LOG_LEVEL="ERROR", ACCESS_LOG_LEVEL="ERROR")
        quiet = {} if verbose else {"stdout": subprocess.DEVNULL}
        manage = [sys.executable, "manage.py"]
        # devserver: runserver without the 40 ms Nagle wait per kept-alive request. It starts
        # while this process migrates (its start-up touches no table); the worker polls the
        # task table, so it starts after.
        server = [*manage, "devserver", "--noreload", "--skip-checks", f"{host}:{port}"]
        worker = [*manage, "db_worker", "--interval", "1", "--no-reload"]
        if not verbose:
            worker += ["--verbosity", "0"]
        children = [subprocess.Popen(server, env=env, **quiet)]
        try:
            call_command("migrate", interactive=False, verbosity=0)
            self.setup_users()
            accounts = self.setup_accounts(f"http://{host}:{port}")
            children.append(subprocess.Popen(worker, env=env, **quiet))
            if not wait_for_port(host, port):
                raise CommandError("The web server did not start; see its output above.")
            self.stdout.write(f"Syncing {len(accounts)} demo account(s) from the sandboxes...")
            self.sync(accounts, verbose)
            seed_chains()  # persisted signature chains for the signature viewer
            self.stdout.write(self.style.SUCCESS(logins_banner(f"http://{host}:{port}/")))
            self.stdout.flush()
            if not opts["no_serve"]:
                children[0].wait()
        except KeyboardInterrupt:
            pass
        finally:
            # SIGTERM, not SIGINT: a child still importing would print a KeyboardInterrupt
            # traceback; both stop gracefully on SIGTERM once running.
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(10)
                except subprocess.TimeoutExpired:
                    child.kill()

    def sync(self, accounts: list[ProviderAccount], verbose: bool) -> None:
        """The first full sync of each sandbox account. No client-side rate limit: the
        sandboxes are this signhub's own fakes (JSign's 10 requests a second made its 240
        detail calls take 22 s); the summary lines stay, the INFO log lines do not."""
        root = logging.getLogger()
        level = root.level
        if not verbose:
            root.setLevel(logging.WARNING)
        try:
            with override_settings(SIGNHUB_CLIENT_THROTTLE=False):
                call_command("sync", *[f"--account={a.name}" for a in accounts], "--full")
        except CommandError:
            self.stderr.write("Some demo accounts failed to sync; the dashboard shows why.")
        finally:
            root.setLevel(level)

    def setup_users(self) -> None:
        group, _ = Group.objects.get_or_create(name=REVIEWERS_GROUP)
        for username, password, is_super, _ in DEMO_USERS:
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
