"""The cluster's X-Served-By header (boutique.core.served_by): names the app
server when SERVED_BY is set, adds nothing otherwise."""

from boutique.core.served_by import served_by


def _app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def _headers(app) -> list:
    seen = []
    body = app({}, lambda status, headers, exc_info=None: seen.extend(headers))
    assert list(body) == [b"ok"]
    return seen


def test_wrapped_app_names_the_server_after_the_apps_own_headers():
    assert _headers(served_by(_app, "app1:8481")) == [
        ("Content-Type", "text/plain"),
        ("X-Served-By", "app1:8481"),
    ]


def test_without_served_by_the_django_application_is_unwrapped(monkeypatch):
    import importlib

    import boutique.core.served_by as module
    from config.wsgi import application

    monkeypatch.delenv("SERVED_BY", raising=False)
    assert importlib.reload(module).application is application
