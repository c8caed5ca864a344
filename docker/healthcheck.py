"""The container's health check: GET /healthz on the local gunicorn, with a Host
the production settings allow (the first of ALLOWED_HOSTS)."""

import os
import sys
import urllib.request

first = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0]
host = first.strip().lstrip(".*") or "localhost"  # ".example.com" / "*" → a usable name
request = urllib.request.Request(
    "http://127.0.0.1:8000/healthz",
    headers={"Host": host, "X-Forwarded-Proto": "https"},
)
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 (fixed local URL)
        sys.exit(0 if response.status == 200 else 1)
except Exception:
    sys.exit(1)
