# Production image: gunicorn for web, the same image runs the Celery worker and beat.
# The front-end build is the one `make assets static` runs (docs/frontend.md).
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
# KERN's CSS without the rules no template can use: PurgeCSS reads the templates and the
# Python code that could emit markup, in every app (frontend/purgecss.config.js). The whole
# context (.dockerignore keeps local state out), so a new app needs no line here.
COPY . .
RUN rm -rf static/vendor && mkdir -p static/vendor/kern \
 && node_modules/.bin/purgecss --config frontend/purgecss.config.js --output static/vendor/kern/ \
 && test -s static/vendor/kern/kern.min.css

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_DEBUG=0
WORKDIR /app
RUN useradd --system --create-home --home-dir /home/portal portal
# The Debian packages the portal needs to run, from the one list .ci/system-packages
# (e.g. Pango for WeasyPrint); the tests' packages stay out of the image.
COPY .ci/system-deps .ci/system-packages .ci/
RUN bash .ci/system-deps run && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
COPY --from=assets /src/static/vendor/kern static/vendor/kern
COPY --from=assets /src/node_modules/@kern-ux/native/dist/fonts node_modules/@kern-ux/native/dist/fonts
# Web fonts subset with fontTools, the PDF renderer's faces copied whole (both by
# frontend/subset_fonts.py); collectstatic writes hashed names and gzip/Brotli copies.
RUN python frontend/subset_fonts.py && rm -rf node_modules \
 && pybabel compile -d locale -D django \
 && SECRET_KEY=build-only ALLOWED_HOSTS=localhost PAYMENTS_SANDBOX=0 python manage.py collectstatic --noinput \
 && mkdir -p /app/media && chown -R portal /app/media
USER portal
EXPOSE 8000
# gunicorn.conf.py (read from /app) keeps query strings out of the access log.
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
