import json
import re
import uuid

from django.conf import settings
from django.http import HttpResponse

from .context import current_request_var, request_id_var

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
