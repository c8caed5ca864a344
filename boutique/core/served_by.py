"""The WSGI application with an `X-Served-By` response header naming the app
server (the SERVED_BY environment variable), for `make cluster`: the cluster
test proves which server behind nginx answered each request. Without
SERVED_BY it is config.wsgi's application, untouched.

    SERVED_BY=app1 gunicorn boutique.core.served_by:application
"""

import os

from config.wsgi import application as django_application


def served_by(app, name: str):
    header = ("X-Served-By", name)

    def wrapped(environ, start_response):
        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, header], exc_info)

        return app(environ, start)

    return wrapped


_name = os.environ.get("SERVED_BY", "")
application = served_by(django_application, _name) if _name else django_application
