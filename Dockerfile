# Production image: gunicorn as a non-root user, static files from whitenoise,
# configured only by environment variables (README.md, "Configuration").
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# pg_dump/pg_restore for the backup and restore commands, version 17 from the
# PostgreSQL project's Debian repository (Debian's own is 15): pg_dump refuses
# to dump a server newer than itself, and hosted PostgreSQL runs 16 and 17.
# postgresql-common ships the repository's signing key and the script that adds it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends postgresql-client-17 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings that load; these values exist only during the build.
RUN SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --noinput

RUN useradd --system --uid 10001 --home-dir /app todo && chown -R todo /app/staticfiles
USER todo

EXPOSE 8000
# /metrics (when METRICS_TOKEN is set) sums the request counters of all gunicorn
# workers through files in this folder; it is emptied at each start.
ENV PROMETHEUS_MULTIPROC_DIR=/tmp/todo-metrics
# Behind a TLS-terminating proxy, let gunicorn trust its X-Forwarded-* headers
# by setting FORWARDED_ALLOW_IPS to the proxy's address.
CMD ["sh", "-c", "rm -rf \"$PROMETHEUS_MULTIPROC_DIR\" && mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" \
     && exec gunicorn todo_site.wsgi --bind 0.0.0.0:8000 --workers 3 --access-logfile - \
     --max-requests 2000 --max-requests-jitter 200"]
