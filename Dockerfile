# Airflow image for the education-quality monitor: the official Airflow 3.3.2 image plus the
# project's pinned Python dependencies. Built by docker-compose.yml (`docker compose build`).
#
# The official constraints file is not used: requirements.txt already pins the whole resolved set,
# including apache-airflow==3.3.2 itself, so pip cannot silently move Airflow to another version.
FROM apache/airflow:3.3.2-python3.11

# The PDFs (ReportLab, documents/pdf.py) need the DejaVu fonts, found through fontconfig.
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      fonts-dejavu-core fonts-dejavu-extra fontconfig \
 && apt-get autoremove -yqq --purge \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/*

# pip must run as the airflow user in the official image (it installs into the user site).
USER airflow
COPY --chown=airflow:0 requirements.txt /requirements.txt

# requirements.txt pins the whole tested set, the Celery provider (CeleryExecutor, `celery worker`,
# flower) and its celery/kombu/redis included: `make celery-demo` runs the DAG with it locally.
RUN pip install --no-cache-dir -r /requirements.txt

# The project itself, so `edu-quality` (and `python -m edu_quality`) exists in every container, e.g.
# `docker compose run --rm airflow-cli edu-quality db migrate`. Installed in place (editable) at
# /opt/airflow, the layout docker-compose mounts the repository's folders onto: the product finds sql/,
# include/ and expectations/ beside plugins/, and the mounted code is the code that runs. --no-deps: every
# dependency is already pinned above.
COPY --chown=airflow:0 pyproject.toml /opt/airflow/pyproject.toml
COPY --chown=airflow:0 plugins /opt/airflow/plugins
COPY --chown=airflow:0 sample_region /opt/airflow/sample_region
RUN pip install --no-cache-dir --no-deps -e /opt/airflow && edu-quality --help >/dev/null
