#!/usr/bin/env bash
# Every test tier this machine can run. SQLite always; PostgreSQL when a server
# is reachable (mandatory when CI=true). The two database suites run in parallel.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var/test-logs

echo "== lint (ruff)"
$BIN/ruff check . || exit 1
$BIN/ruff format --check . || exit 1

echo "== migrations are up to date"
$BIN/python manage.py makemigrations --check --dry-run --settings=config.settings.test >/dev/null \
  || { echo "missing migrations: run manage.py makemigrations"; exit 1; }

echo "== dependency audit (pip-audit against PyPI's vulnerability data)"
# A known vulnerability in a pinned package fails the run. When PyPI cannot be
# reached the audit is skipped with a note, except under CI=true.
audit_log=var/test-logs/pip-audit.log
$BIN/pip-audit -r requirements.lock --no-deps --disable-pip --progress-spinner off >"$audit_log" 2>&1
audit_rc=$?
if grep -qE "ConnectionError|NameResolutionError|Max retries exceeded|Temporary failure in name resolution|timed out" "$audit_log"; then
  if [ "${CI:-}" = "true" ]; then
    cat "$audit_log"; echo "CI=true and the vulnerability service could not be reached: failing."; exit 1
  fi
  echo "PyPI's vulnerability data could not be reached: dependency audit skipped (mandatory under CI; see $audit_log)."
elif [ "$audit_rc" != 0 ]; then
  cat "$audit_log"; echo "pip-audit found known vulnerabilities in requirements.lock (or failed): fix the pins."; exit 1
else
  skipped=$(grep -c "could not be audited" "$audit_log")
  pinned=$(grep -cE "^[A-Za-z0-9_.-]+==" requirements.lock)
  if [ "$skipped" -ge "$pinned" ]; then
    # pip-audit reads https://pypi.org/pypi/<name>/<version>/json; a registry
    # proxy that does not serve it leaves every package unaudited.
    echo "dependency audit NOT RUN: no vulnerability data for any of the $pinned pinned packages (the package index here does not serve PyPI's per-version JSON API; see $audit_log)"
  else
    echo "no known vulnerabilities$( [ "$skipped" != 0 ] && echo " ($skipped of $pinned packages have no PyPI record and could not be audited: see $audit_log)")"
  fi
fi

PG_URL="${TEST_DATABASE_URL:-${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}}"
case "$PG_URL" in postgres*) ;; *) PG_URL="postgres://postgres@127.0.0.1:5432/test" ;; esac
pg_ok=0
if $BIN/python scripts/pg_reachable.py "$PG_URL"; then pg_ok=1; fi
if [ "$pg_ok" = 0 ] && [ "${CI:-}" = "true" ]; then
  echo "CI=true and no PostgreSQL server is reachable at $PG_URL: the PostgreSQL suite is mandatory."
  exit 1
fi

run_suite() {  # name, log, env...
  local name=$1 log=$2; shift 2
  env "$@" $BIN/pytest "${PYTEST_ARGS[@]}" >"$log" 2>&1
}
PYTEST_ARGS=("$@")

# Browser tier: Debian's Chromium, installed with apt when missing and we may
# (root, or sudo without a password). Under CI a failed install stops the run;
# elsewhere the browser tests are skipped with a note.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    sudo -n true 2>/dev/null && SUDO="sudo -n"
  fi
  if [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; then
    echo "== installing Chromium for the browser tests"
    ($SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium) \
      >var/test-logs/apt.log 2>&1 || echo "could not install chromium (see var/test-logs/apt.log)"
  fi
fi
if [ ! -x /usr/bin/chromium ]; then
  if [ "${CI:-}" = "true" ]; then echo "CI needs /usr/bin/chromium"; exit 1; fi
  echo "== no /usr/bin/chromium: browser tests will be skipped"
fi

echo "== pytest on SQLite$( [ "$pg_ok" = 1 ] && echo ' and PostgreSQL (in parallel)')"
run_suite sqlite var/test-logs/sqlite.log DATABASE_URL= &
sqlite_pid=$!
if [ "$pg_ok" = 1 ]; then
  # The browser tier runs once, in the SQLite suite.
  PYTEST_ARGS_PG=(-m "not browser" "${PYTEST_ARGS[@]}")
  env DATABASE_URL="$PG_URL" $BIN/pytest "${PYTEST_ARGS_PG[@]}" >var/test-logs/postgres.log 2>&1 &
  pg_pid=$!
fi
wait $sqlite_pid; sqlite_rc=$?
pg_rc=0
if [ "$pg_ok" = 1 ]; then wait $pg_pid; pg_rc=$?; fi

echo "---------------- SQLite suite ----------------"
cat var/test-logs/sqlite.log
if [ "$pg_ok" = 1 ]; then
  echo "---------------- PostgreSQL suite ----------------"
  cat var/test-logs/postgres.log
else
  echo "PostgreSQL not reachable at $PG_URL: PostgreSQL suite skipped (mandatory under CI)."
fi
echo "SQLite exit $sqlite_rc; PostgreSQL exit $pg_rc"
# One closing line over both suites, in the plain "N passed, N failed" form.
$BIN/python scripts/summarise.py var/test-logs/sqlite.log $( [ "$pg_ok" = 1 ] && echo var/test-logs/postgres.log )
[ "$sqlite_rc" = 0 ] && [ "$pg_rc" = 0 ]
