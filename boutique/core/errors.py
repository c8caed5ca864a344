"""Domain errors: every rule a service refuses to break has a stable `code`.

Each transport turns a DomainError into a response in one place: the API into
RFC 9457 problem+json, the storefront into a form error or message.
"""


class DomainError(Exception):
    code = "domain_error"
    status = 400
    title = "The request cannot be carried out"

    def __init__(self, detail: str | None = None, *, field_errors: dict | None = None):
        self.detail = detail or self.title
        self.field_errors = field_errors or {}
        super().__init__(self.detail)


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 422
    title = "Some fields are not valid"


class NotFound(DomainError):
    code = "not_found"
    status = 404
    title = "Not found"


class Conflict(DomainError):
    code = "conflict"
    status = 409
    title = "Conflict with the current state"


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    title = "You are not allowed to do this"


class Throttled(DomainError):
    code = "throttled"
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int | None = None):
        super().__init__(detail)
        self.retry_after = retry_after


def validation_errors_from_django(exc) -> dict[str, list[str]]:
    """Flatten a django ValidationError into {field: [messages]}."""
    if hasattr(exc, "message_dict"):
        return {field: list(messages) for field, messages in exc.message_dict.items()}
    return {"__all__": list(exc.messages)}
