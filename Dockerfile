# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=kompetence.settings.production

# WeasyPrint needs Pango and fonts; gettext compiles the translations; pysaml2 signs,
# checks and decrypts SAML messages with the xmlsec1 program.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 gettext xmlsec1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY kompetence ./kompetence
COPY profiles ./profiles
COPY mus ./mus
COPY catalogue ./catalogue
COPY annualcycle ./annualcycle
RUN pip install --no-cache-dir .
COPY . .

# Build-time settings only: collectstatic and compilemessages need no real secret or database.
RUN SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        python manage.py collectstatic --noinput -v 0 \
    && SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        python manage.py compilemessages -v 0 \
    && useradd --system --uid 10001 kompetence \
    && mkdir -p /app/media && chown kompetence /app/media

USER kompetence
EXPOSE 8000
CMD ["gunicorn", "kompetence.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
