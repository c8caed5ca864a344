"""Benchmark settings: config.settings.production unchanged, plus the
query-count middleware when BENCH_QUERY_COUNT=1. Only `make bench` uses this
module; production never loads the middleware."""

from config.settings.production import *  # noqa: F403
from config.settings.production import MIDDLEWARE, env

if env.bool("BENCH_QUERY_COUNT", default=False):
    MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
