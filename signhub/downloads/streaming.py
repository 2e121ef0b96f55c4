"""Opening a provider file so that errors surface before the first byte is sent.

Connectors often send their HTTP request lazily, when the chunk iterator is first pulled.
`open_primed` pulls that first chunk inside the view, so "not found", "timeout" or
"refused link" become a clear error page instead of a 200 with a broken body.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from signhub.core.connector import Connector, FileStream
from signhub.core.errors import ConnectorError


class DownloadAborted(Exception):
    """The provider stream broke after bytes were sent: the transfer must end unclean."""


@dataclass
class PrimedStream:
    stream: FileStream
    first: bytes

    def chunks(self) -> Iterator[bytes]:
        if self.first:
            yield self.first
        for chunk in self.stream.chunks:
            if chunk:
                yield chunk


def open_primed(connector: Connector, document, file_key: str) -> PrimedStream:
    """Open a file and read its first chunk. Raises ConnectorError (stream closed)."""
    stream = connector.open_file(document, file_key)
    try:
        first = b""
        for chunk in stream.chunks:
            if chunk:
                first = chunk
                break
    except ConnectorError:
        stream.close()
        raise
    except Exception as exc:
        stream.close()
        raise ConnectorError(
            f"{connector.label} sent an unreadable file ({type(exc).__name__})",
            code="stream_error",
        ) from None
    return PrimedStream(stream, first)
