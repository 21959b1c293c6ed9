"""lpchat: a client for LivePerson's legacy chat REST APIs (Chat Agent API, Server Chat API,
Login Service, Domain API), over one native Rust core.

Two faces over the same core: :class:`Client` (sync; calls block with the GIL released and
answer Ctrl-C) and :class:`AsyncClient` (asyncio; calls are awaitables). See docs/python.md.
"""

from __future__ import annotations

import asyncio as _asyncio
import atexit as _atexit
import inspect as _inspect
import logging as _logging

from . import errors
from ._lpchat import (
    A2aTransfer,
    AcceptFailed,
    AgentCredentials,
    AgentInfoRead,
    AgentSession,
    AgentSessionStarted,
    ApiKey,
    AsyncAgentSession,
    AsyncClient,
    AsyncVisitor,
    AsyncVisitorChat,
    AvailabilityChanged,
    AvailabilityForced,
    Bearer,
    ChatAccepted,
    ChatEnded,
    ChatEvent,
    ChatOffered,
    ChatStarted,
    Client,
    Closed,
    EventStream,
    InfoUpdated,
    Jwt,
    Line,
    LineDelivered,
    LineFailed,
    LoggedIn,
    LoginSettings,
    Model,
    OfferWithdrawn,
    Options,
    RetryPolicy,
    SessionError,
    SessionLost,
    SessionRenewed,
    SessionStats,
    StateChange,
    TransferDone,
    TransferFailed,
    TransportConfig,
    UnknownEvent,
    UrlPushed,
    UserPassword,
    Visitor,
    VisitorChat,
    close_all as _close_all,
    cursor_positions,
    decode,
    dropped_log_records,
    refresh_log_level,
    resources_list as _resources_list,
)
from .errors import (
    ApiError,
    AuthError,
    ClosedError,
    CommandError,
    ConfigError,
    DecodeError,
    ForkedError,
    LpchatError,
    NotReadyError,
    OutcomeUnknownError,
    RequestFailedError,
    RequestTimeoutError,
    RuntimeMisuseError,
    SessionLostError,
    TransportError,
)

__version__ = "0.1.0"

# Sessions and chats still open at exit are closed (the agent sessions end and log out),
# within 5 s, rather than left to time out on the server.
_atexit.register(_close_all, 5.0)

#: The logger the Rust client's log records go to (``lpchat`` and ``lpchat.<module>``).
logger = _logging.getLogger("lpchat")


def _call_handler(func, *args):  # type: ignore[no-untyped-def]
    """Runs an asyncio session's handler on its loop; a coroutine function's coroutine is
    scheduled as a task (its exceptions go to the loop's exception handler)."""
    result = func(*args)
    if _inspect.isawaitable(result):
        _asyncio.ensure_future(result)


def resources() -> dict[str, str]:
    """The resource names :func:`decode` knows, each with the endpoints answering with it."""
    return dict(_resources_list())


__all__ = [
    "A2aTransfer",
    "AcceptFailed",
    "AgentCredentials",
    "AgentInfoRead",
    "AgentSession",
    "AgentSessionStarted",
    "ApiError",
    "ApiKey",
    "AsyncAgentSession",
    "AsyncClient",
    "AsyncVisitor",
    "AsyncVisitorChat",
    "AuthError",
    "AvailabilityChanged",
    "AvailabilityForced",
    "Bearer",
    "ChatAccepted",
    "ChatEnded",
    "ChatEvent",
    "ChatOffered",
    "ChatStarted",
    "Client",
    "Closed",
    "ClosedError",
    "CommandError",
    "ConfigError",
    "DecodeError",
    "EventStream",
    "ForkedError",
    "InfoUpdated",
    "Jwt",
    "Line",
    "LineDelivered",
    "LineFailed",
    "LoggedIn",
    "LoginSettings",
    "LpchatError",
    "Model",
    "NotReadyError",
    "OfferWithdrawn",
    "Options",
    "OutcomeUnknownError",
    "RequestFailedError",
    "RequestTimeoutError",
    "RetryPolicy",
    "RuntimeMisuseError",
    "SessionError",
    "SessionLost",
    "SessionLostError",
    "SessionRenewed",
    "SessionStats",
    "StateChange",
    "TransferDone",
    "TransferFailed",
    "TransportConfig",
    "TransportError",
    "UnknownEvent",
    "UrlPushed",
    "UserPassword",
    "Visitor",
    "VisitorChat",
    "cursor_positions",
    "decode",
    "dropped_log_records",
    "errors",
    "logger",
    "refresh_log_level",
    "resources",
]
