"""Per-request context (request id, acting user) readable by services and audit."""

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
