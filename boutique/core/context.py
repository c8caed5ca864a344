"""Per-request context (request id, acting user) readable by services and audit."""

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# The request being served, so the audit log can name the signed-in actor when a
# caller (e.g. one of Django's own forms) cannot pass it explicitly.
current_request_var: ContextVar[object | None] = ContextVar("current_request", default=None)
