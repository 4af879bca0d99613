import sys

from edu_quality.cli import main

# Airflow imports every module under plugins/ when it looks for plugins: run only as `python -m`.
if __name__ == "__main__":
    sys.exit(main())
