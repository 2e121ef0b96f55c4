""" "Test connection" with a deadline: one attempt, a short connect and read timeout.

The admin waits for the answer, so an unreachable or silent host must fail in seconds, not
after the sync policy's 30 s timeout and retries. The connector and its error words are the
same as in a sync; only its HttpClient's patience is cut.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from signhub.core.errors import ConnectorError
from signhub.core.http.patience import interactive_timeouts, make_interactive
from signhub.core.models import ProviderAccount

from .flows import flow_class

logger = logging.getLogger("signhub.connect")


@dataclass
class Probe:
    ok: bool
    message: str
    code: str = ""
    seconds: float = 0.0


def test_connection(account: ProviderAccount) -> Probe:
    started = time.monotonic()
    if account.awaiting_connect:
        flow = flow_class(account)
        how = f"press Connect with {flow.name}" if flow else "complete its credentials"
        return Probe(False, f"Not connected yet: {how} first.", code="not_connected")
    _, read = interactive_timeouts()
    connector = None
    try:
        connector = account.connector()
        make_interactive(connector.http)
        message = connector.check_connection()
    except ConnectorError as exc:
        text = exc.message
        if exc.code == "timeout":
            text = (
                f"{connector.http.name if connector else 'The provider'} did not answer within "
                f"{read:g} s: check the base URL and that the host is reachable from signhub"
            )
        return Probe(False, text, code=exc.code, seconds=time.monotonic() - started)
    except Exception:
        logger.exception("Test connection of account %s crashed", account.pk)
        return Probe(
            False,
            "signhub hit an internal error while testing; the details are in the server log.",
            code="internal_error",
            seconds=time.monotonic() - started,
        )
    finally:
        if connector is not None:
            connector.http.close()
    return Probe(True, message, seconds=time.monotonic() - started)
