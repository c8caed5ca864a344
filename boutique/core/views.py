from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health, metrics
from .problems import problem_response


@never_cache
@require_GET
def healthz(request):
    """Liveness and database reachability, for load balancers and `make run`."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse(
            {"status": "error", "database": "unreachable", "detail": exc.__class__.__name__},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor})


@never_cache
@require_GET
def readyz(request):
    """Readiness: database, cache and (when configured) the Celery broker. 503
    names what failed, so a load balancer stops sending traffic here."""
    ready, checks = health.readiness()
    if ready:
        return JsonResponse({"status": "ok", "checks": checks})
    failed = [name for name, result in checks.items() if result.startswith("error")]
    return JsonResponse({"status": "error", "failed": failed, "checks": checks}, status=503)


@never_cache
@require_GET
def prometheus_metrics(request):
    """Prometheus exposition; see boutique.core.metrics for who may scrape."""
    if not metrics.metrics_enabled():
        raise Http404
    if not metrics.metrics_allowed(request):
        return HttpResponseForbidden("Not allowed to read metrics.", content_type="text/plain")
    return HttpResponse(metrics.metrics_payload(), content_type=metrics.CONTENT_TYPE)


# Error pages: problem+json under /api/, the shop's own pages elsewhere.
_ERROR_TITLES = {
    400: ("bad_request", "The request could not be understood"),
    403: ("permission_denied", "You are not allowed to do this"),
    404: ("not_found", "Not found"),
    500: ("server_error", "Something went wrong on our side"),
}


def _api_problem(request, status: int):
    if not request.path.startswith("/api/"):
        return None
    code, title = _ERROR_TITLES[status]
    return problem_response(status=status, code=code, title=title, instance=request.path)


def bad_request(request, exception):
    return _api_problem(request, 400) or defaults.bad_request(request, exception)


def permission_denied(request, exception):
    return _api_problem(request, 403) or defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    return _api_problem(request, 404) or defaults.page_not_found(request, exception)


def server_error(request):
    return _api_problem(request, 500) or defaults.server_error(request)
