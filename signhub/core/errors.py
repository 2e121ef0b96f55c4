"""One error type that carries intent: what went wrong in plain words, and what to do next."""


class ConnectorError(Exception):
    """A provider call failed.

    `retryable`: worth trying again (429, 5xx, timeouts, malformed bodies).
    `refresh`: the access token expired; refreshing it may fix the call.
    `needs_reconnect`: credentials are no longer usable; an administrator must act.
    `retry_after`: seconds the provider asked us to wait, when it said.
    Messages are shown to users: plain words, never a token or a full URL.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "error",
        retryable: bool = False,
        refresh: bool = False,
        needs_reconnect: bool = False,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable
        self.refresh = refresh
        self.needs_reconnect = needs_reconnect
        self.status = status
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message


class NotFound(ConnectorError):
    def __init__(self, message: str, **kwargs) -> None:
        kwargs.setdefault("code", "not_found")
        kwargs.setdefault("status", 404)
        super().__init__(message, **kwargs)
