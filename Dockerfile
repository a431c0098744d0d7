# A slim, non-root image: runs the migrations, then uvicorn (`sus serve` does both).
# Build: docker build -t sus .   Run: docker run -p 8000:8000 -v sus-data:/data sus
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
RUN python -m venv /venv
# Dependencies first, so code changes don't reinstall them.
COPY pyproject.toml README.md LICENSE ./
RUN mkdir app && touch app/__init__.py && /venv/bin/pip install . && /venv/bin/pip uninstall -y sus
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY alembic.ini ./
# Editable install: the app finds templates, static files and migrations beside its package.
RUN /venv/bin/pip install --no-deps -e . && find /app -name '__pycache__' -prune -exec rm -rf {} +

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PATH=/venv/bin:$PATH \
    SUS_VAR_DIR=/data
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin sus \
    && mkdir /data && chown sus:sus /data
WORKDIR /app
COPY --from=build /venv /venv
COPY --from=build /app /app
USER sus
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
# Set SUS_SECRET_KEY, SUS_BASE_URL and (for PostgreSQL) SUS_DATABASE_URL at run time.
CMD ["sus", "serve", "--host", "0.0.0.0", "--port", "8000"]
