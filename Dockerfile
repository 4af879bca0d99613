# Airflow image for the education-quality monitor: the official Airflow 3.3.2 image plus the
# project's pinned Python dependencies. Built by docker-compose.yml (`docker compose build`).
#
# The official constraints file is not used: requirements.txt already pins the whole resolved set,
# including apache-airflow==3.3.2 itself, so pip cannot silently move Airflow to another version.
FROM apache/airflow:3.3.2-python3.11

# WeasyPrint (PDF reports) needs Pango/HarfBuzz from the OS; they are not in the Airflow image.
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && apt-get autoremove -yqq --purge \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/*

# pip must run as the airflow user in the official image (it installs into the user site).
USER airflow
COPY --chown=airflow:0 requirements.txt /requirements.txt

# requirements.txt pins the whole tested set, the Celery provider (CeleryExecutor, `celery worker`,
# flower) and its celery/kombu/redis included: `make celery-demo` runs the DAG with it locally.
RUN pip install --no-cache-dir -r /requirements.txt
