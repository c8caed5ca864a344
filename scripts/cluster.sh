#!/usr/bin/env bash
# A cluster on one machine (issue 12): two gunicorn app servers, nginx balancing
# between them, one Celery worker and one beat, against the local PostgreSQL
# (database boutique_cluster) and Redis. Loopback only. Pid files, logs, the
# rendered nginx.conf and the emails sent (files) live in var/cluster/.
#
#   scripts/cluster.sh start            # `make cluster`
#   scripts/cluster.sh stop             # `make cluster-stop`
#   scripts/cluster.sh status
#   scripts/cluster.sh start-app 1|2    # one app server (the cluster test restarts one)
#   scripts/cluster.sh env              # the environment every process gets
#
# Ports and URLs can be changed through the environment (CLUSTER_HTTP_PORT,
# CLUSTER_APP1_PORT, CLUSTER_APP2_PORT, CLUSTER_DATABASE_URL, CLUSTER_REDIS_URL,
# CLUSTER_BROKER_URL, CLUSTER_APP_WORKERS).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=$ROOT/.venv/bin
DIR=$ROOT/var/cluster

HTTP_PORT=${CLUSTER_HTTP_PORT:-8480}
APP1_PORT=${CLUSTER_APP1_PORT:-8481}
APP2_PORT=${CLUSTER_APP2_PORT:-8482}
APP_WORKERS=${CLUSTER_APP_WORKERS:-2}
DATABASE_URL_=${CLUSTER_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/boutique_cluster}
REDIS_URL_=${CLUSTER_REDIS_URL:-redis://127.0.0.1:6379/10}
BROKER_URL_=${CLUSTER_BROKER_URL:-redis://127.0.0.1:6379/11}

cluster_env() {
  # The production settings, as on a real host, except what loopback HTTP needs:
  # no HTTPS redirect, no Secure-only cookies, no HSTS.
  mkdir -p "$DIR"
  [ -s "$DIR/secret_key" ] || (umask 077 && "$BIN/python" -c \
    "import secrets; print(secrets.token_urlsafe(50))" >"$DIR/secret_key")
  export DJANGO_SETTINGS_MODULE=config.settings.production
  export SECRET_KEY; SECRET_KEY=$(cat "$DIR/secret_key")
  export DEBUG=false
  export ALLOWED_HOSTS=127.0.0.1,localhost
  export CSRF_TRUSTED_ORIGINS="http://127.0.0.1:$HTTP_PORT,http://localhost:$HTTP_PORT"
  export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
  export SECURE_HSTS_SECONDS=0
  export TRUSTED_PROXY_COUNT=1  # nginx appends the client's address to X-Forwarded-For
  export DATABASE_URL=$DATABASE_URL_ REDIS_URL=$REDIS_URL_ CELERY_BROKER_URL=$BROKER_URL_
  export EMAIL_URL="filemail:///$DIR/mail"  # four slashes: an absolute path
  export SITE_URL="http://127.0.0.1:$HTTP_PORT"
  export METRICS_ALLOWED_IPS=127.0.0.1
  export LOG_LEVEL=${LOG_LEVEL:-WARNING}
}

pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_http() {  # url, seconds
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "no answer from $1 after $2 s" >&2
  return 1
}

install_nginx() {
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] && return 0
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    sudo -n true 2>/dev/null && sudo="sudo -n" || {
      echo "nginx is missing and apt-get needs root: apt-get install nginx-light" >&2
      return 1
    }
  fi
  echo "== installing nginx (Debian package)"
  ($sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends nginx-light) >"$DIR/logs/apt.log" 2>&1 \
    || { echo "could not install nginx (see $DIR/logs/apt.log)" >&2; return 1; }
}

prepare_database() {
  local name=${DATABASE_URL_##*/} admin=${DATABASE_URL_%/*}/postgres
  name=${name%%\?*}
  if [ "$(psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" != 1 ]; then
    psql "$admin" -qc "CREATE DATABASE \"$name\"" >/dev/null
    echo "== created database $name"
  fi
  "$BIN/python" manage.py migrate --noinput -v 0
  "$BIN/python" manage.py collectstatic --noinput -v 0
}

start_app() {  # 1|2
  local n=$1 port
  port=$([ "$n" = 1 ] && echo "$APP1_PORT" || echo "$APP2_PORT")
  if pid_alive "$DIR/app$n.pid"; then return 0; fi
  SERVED_BY="app$n:$port" "$BIN/gunicorn" boutique.core.served_by:application \
    --bind "127.0.0.1:$port" --workers "$APP_WORKERS" --timeout 30 --graceful-timeout 10 \
    --daemon --pid "$DIR/app$n.pid" \
    --error-logfile "$DIR/logs/app$n.log" --access-logfile "$DIR/logs/app$n-access.log"
  wait_http "http://127.0.0.1:$port/healthz" 30
  echo "app$n: gunicorn on 127.0.0.1:$port (pid $(cat "$DIR/app$n.pid"))"
}

start_celery() {
  if ! pid_alive "$DIR/worker.pid"; then
    "$BIN/celery" -A config worker --detach --concurrency 2 -n "boutique-cluster@%h" \
      --pidfile "$DIR/worker.pid" --logfile "$DIR/logs/worker.log" --loglevel INFO
  fi
  if ! pid_alive "$DIR/beat.pid"; then
    "$BIN/celery" -A config beat --detach --schedule "$DIR/celerybeat-schedule" \
      --pidfile "$DIR/beat.pid" --logfile "$DIR/logs/beat.log" --loglevel INFO
  fi
  echo "celery: worker and beat (broker $BROKER_URL_)"
}

start_nginx() {
  mkdir -p "$DIR/nginx-tmp"
  local user_line=""
  [ "$(id -u)" = 0 ] && user_line="user root;"  # workers read var/ as its owner does
  CLUSTER_DIR=$DIR HTTP_PORT=$HTTP_PORT APP1_PORT=$APP1_PORT APP2_PORT=$APP2_PORT \
    FAIL_TIMEOUT=2s MEDIA_ROOT=${MEDIA_ROOT:-$ROOT/var/media} NGINX_USER_LINE=$user_line \
    envsubst '${CLUSTER_DIR} ${HTTP_PORT} ${APP1_PORT} ${APP2_PORT} ${FAIL_TIMEOUT} ${MEDIA_ROOT} ${NGINX_USER_LINE}' \
    <deploy/nginx.conf >"$DIR/nginx.conf"
  local nginx; nginx=$(command -v nginx || echo /usr/sbin/nginx)
  "$nginx" -t -q -p "$DIR" -c "$DIR/nginx.conf"
  if pid_alive "$DIR/nginx.pid"; then
    "$nginx" -p "$DIR" -c "$DIR/nginx.conf" -s reload
  else
    "$nginx" -p "$DIR" -c "$DIR/nginx.conf"
  fi
  wait_http "http://127.0.0.1:$HTTP_PORT/healthz" 15
  echo "nginx: http://127.0.0.1:$HTTP_PORT/ round-robin over :$APP1_PORT and :$APP2_PORT"
}

stop_pidfile() {  # file, name
  local file=$1 pid i
  pid_alive "$file" || { rm -f "$file"; return 0; }
  pid=$(cat "$file")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 75; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && { echo "$2 (pid $pid) did not stop in 15 s: SIGKILL"; kill -KILL "$pid"; }
  rm -f "$file"
  echo "$2 stopped"
}

cmd=${1:-start}
mkdir -p "$DIR/logs" "$DIR/mail"
cluster_env
case "$cmd" in
  start)
    install_nginx
    prepare_database
    start_app 1
    start_app 2
    start_celery
    start_nginx
    echo "cluster up: http://127.0.0.1:$HTTP_PORT/  (make cluster-test, make cluster-stop)"
    ;;
  start-app) start_app "${2:?1 or 2}" ;;
  stop)
    stop_pidfile "$DIR/nginx.pid" nginx
    stop_pidfile "$DIR/app1.pid" app1
    stop_pidfile "$DIR/app2.pid" app2
    stop_pidfile "$DIR/beat.pid" "celery beat"
    stop_pidfile "$DIR/worker.pid" "celery worker"
    ;;
  status)
    for p in nginx app1 app2 worker beat; do
      if pid_alive "$DIR/$p.pid"; then echo "$p: running (pid $(cat "$DIR/$p.pid"))"
      else echo "$p: stopped"; fi
    done
    ;;
  env) env | grep -E '^(DJANGO_SETTINGS_MODULE|DEBUG|ALLOWED_HOSTS|CSRF_TRUSTED_ORIGINS|SECURE_|SESSION_COOKIE_SECURE|CSRF_COOKIE_SECURE|TRUSTED_PROXY_COUNT|DATABASE_URL|REDIS_URL|CELERY_BROKER_URL|EMAIL_URL|SITE_URL|METRICS_ALLOWED_IPS|LOG_LEVEL)=' | sort
    echo "CLUSTER_HTTP_PORT=$HTTP_PORT"; echo "CLUSTER_APP1_PORT=$APP1_PORT"; echo "CLUSTER_APP2_PORT=$APP2_PORT"
    ;;
  *) echo "usage: $0 start|stop|status|start-app N|env" >&2; exit 2 ;;
esac
