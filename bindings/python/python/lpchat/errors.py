"""The exceptions of lpchat: one hierarchy under :class:`LpchatError`.

Each class also subclasses the builtin a caller would catch without knowing lpchat
(``ValueError``, ``ConnectionError``, ``TimeoutError``, ``PermissionError``,
``RuntimeError``), and carries a stable ``code`` (the table in docs/errors.md, shared with
the Node package) and ``status`` (the HTTP status, or ``None``). Messages never carry a
secret or a response body.
"""

from __future__ import annotations

from typing import Optional

__all__ = [
    "LpchatError",
    "ConfigError",
    "TransportError",
    "RequestTimeoutError",
    "ApiError",
    "AuthError",
    "DecodeError",
    "CommandError",
    "OutcomeUnknownError",
    "RequestFailedError",
    "NotReadyError",
    "ClosedError",
    "SessionLostError",
    "ForkedError",
    "RuntimeMisuseError",
]


class LpchatError(Exception):
    """The base of every lpchat exception."""

    code: str = "LPCHAT_API"

    def __init__(
        self,
        message: str = "",
        *,
        status: Optional[int] = None,
        reason: Optional[str] = None,
        kind: Optional[str] = None,
        endpoint: Optional[str] = None,
        resource: Optional[str] = None,
        format: Optional[str] = None,
        path: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.reason = reason
        self.kind = kind
        self.endpoint = endpoint
        self.resource = resource
        self.format = format
        self.path = path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Keeps the attributes across pickling (multiprocessing, pytest-xdist).
        return (_rebuild, (type(self), self.message, self._attrs()))

    def _attrs(self) -> dict:
        names = ("status", "reason", "kind", "endpoint", "resource", "format", "path")
        return {n: getattr(self, n) for n in names}


def _rebuild(cls: type, message: str, attrs: dict) -> LpchatError:
    return cls(message, **attrs)


class ConfigError(LpchatError, ValueError):
    """A bad setting or argument value (a malformed URL, proxy, certificate, state name)."""

    code = "LPCHAT_CONFIG"


class TransportError(LpchatError, ConnectionError):
    """A request got no readable response. ``kind``: ``connect_failed``, ``timeout``,
    ``connection_dropped`` or ``body_truncated``."""

    code = "LPCHAT_TRANSPORT"


class RequestTimeoutError(TransportError, TimeoutError):
    """No response came in time."""

    code = "LPCHAT_TIMEOUT"


class ApiError(LpchatError):
    """The server answered with an error status (``status``), or something the client could
    not use."""

    code = "LPCHAT_API"


class AuthError(ApiError, PermissionError):
    """401: the credentials, bearer, session or signature were refused."""

    code = "LPCHAT_UNAUTHORIZED"


class DecodeError(LpchatError, ValueError):
    """A body could not be decoded into its model. ``resource``, ``format`` and ``path``
    (where in the body) say where; no value of the body is shown."""

    code = "LPCHAT_DECODE"


class CommandError(LpchatError):
    """A queued command (line, end, transfer, accept) failed. ``reason``: ``rejected`` (with
    ``status``), ``gave_up``, ``unknown_chat``, ``chat_ended``, ``closed``,
    ``session_lost``, ``invalid_request`` or ``nothing_to_do``."""

    code = "LPCHAT_COMMAND"


class OutcomeUnknownError(CommandError):
    """A state-changing request (a line, an end, a transcript request ...) may or may not
    have taken effect, and was not sent again. Read the server's state before sending it
    again. ``endpoint`` names the endpoint where known."""

    code = "LPCHAT_OUTCOME_UNKNOWN"


class RequestFailedError(LpchatError, ConnectionError):
    """A request was given up by the session (``endpoint``, ``status``)."""

    code = "LPCHAT_REQUEST_FAILED"


class NotReadyError(LpchatError, RuntimeError):
    """The session is not logged in yet, or no longer."""

    code = "LPCHAT_NOT_READY"


class ClosedError(LpchatError, RuntimeError):
    """The session or chat is closed."""

    code = "LPCHAT_CLOSED"


class SessionLostError(LpchatError, ConnectionError):
    """The session or chat was lost for good. ``reason``: ``bad_credentials``,
    ``unauthorized``, ``unreachable``, ``refused`` or ``outcome_unknown``."""

    code = "LPCHAT_SESSION_LOST"


class ForkedError(LpchatError, RuntimeError):
    """lpchat was used in a process forked after its runtime started."""

    code = "LPCHAT_FORKED"


class RuntimeMisuseError(LpchatError, RuntimeError):
    """A blocking call from a thread of lpchat's runtime (or the runtime failed)."""

    code = "LPCHAT_RUNTIME"
