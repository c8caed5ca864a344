import json
import re
import uuid

from django.conf import settings
from django.http import HttpResponse

from .context import current_request_var, request_id_var
from .problems import PROBLEM_CONTENT_TYPE, problem_response

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Give every request an id (taken from X-Request-ID when sane), echo it back
    and make it visible to the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        request_token = current_request_var.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request_var.reset(request_token)
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class ApiBodySizeMiddleware:
    """Refuse an API request whose body (not a multipart upload) is larger than
    DATA_UPLOAD_MAX_MEMORY_SIZE with 413 problem+json, before anything reads it:
    django-ninja would otherwise turn Django's RequestDataTooBig into a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            multipart = request.content_type == "multipart/form-data"
            if length > limit and not multipart:
                return _too_large(request, limit)
        return self.get_response(request)


def _too_large(request, limit: int) -> HttpResponse:
    body = {
        "type": "/problems/request_too_large",
        "title": "Request too large",
        "status": 413,
        "code": "request_too_large",
        "detail": f"The request body is larger than {limit} bytes.",
        "instance": request.path,
    }
    return HttpResponse(json.dumps(body), status=413, content_type="application/problem+json")


class ApiMethodNotAllowedMiddleware:
    """An API path answers a method it does not declare (TRACE, PUT on a read-only
    resource, …) with 405 problem+json and its Allow header: django-ninja's router
    refuses it before any handler runs, with an empty text/html 405."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or not request.path.startswith("/api/"):
            return response
        if response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE):
            return response
        allow = response.get("Allow", "")
        return problem_response(
            status=405,
            code="method_not_allowed",
            title="Method not allowed",
            detail=f"{request.method} is not allowed here; allowed: {allow or 'none'}.",
            instance=request.path,
            headers={"Allow": allow},
        )
