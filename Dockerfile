# Boutique's app image: gunicorn serving config.wsgi under the production settings.
# The same image runs the Celery worker and beat (compose.yaml overrides the command).
# It mirrors `make cluster`; see docs/operations.md.

# --- build: a virtualenv with the runtime dependencies, pinned by requirements.lock ---
FROM python:3.11-slim AS build
ARG UV_VERSION=0.13.9
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m pip install "uv==${UV_VERSION}" && python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml requirements.lock ./
# requirements.lock also pins the development tools (pytest, Playwright, ...): resolve
# only the runtime dependencies, held to the lock's exact versions.
RUN uv pip compile pyproject.toml --constraint requirements.lock -o /tmp/runtime.txt \
 && uv pip install --python /opt/venv/bin/python --no-cache -r /tmp/runtime.txt

# --- runtime: the virtualenv, the code and the collected static files, as a non-root user ---
FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    MEDIA_ROOT=/data/media \
    PRIVATE_MEDIA_ROOT=/data/private \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    WEB_CONCURRENCY=2
# PROMETHEUS_MULTIPROC_DIR: gunicorn's workers share their counters there, so each
# /metrics scrape sees the whole container, not one worker (empty in a new container).
RUN groupadd --system --gid 10001 boutique \
 && useradd --system --uid 10001 --gid boutique --home-dir /app --shell /usr/sbin/nologin boutique \
 && mkdir -p /app/var /data/media /data/private /tmp/prometheus \
 && chown -R boutique:boutique /app /data /tmp/prometheus
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=boutique:boutique . .
# Static files are collected (hashed and compressed for WhiteNoise) into the image;
# the key exists only for this command.
RUN SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput \
 && chown -R boutique:boutique /app/var
USER boutique
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "docker/healthcheck.py"]
# Workers come from WEB_CONCURRENCY (gunicorn reads it); see docs/operations.md for sizing.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", "--forwarded-allow-ips", "*", "--timeout", "30", \
     "--graceful-timeout", "30", "--max-requests", "2000", "--max-requests-jitter", "200"]
