"""A readable file, chunk by chunk: prepared and validated by its suite, with the failures of each row.
Used by the load (pipeline.ingest) and by `edu-quality validate`, so both judge a file the same way."""
from __future__ import annotations

import time
from collections.abc import Iterator

from edu_quality.sources.files import FileShape, iter_chunks
from edu_quality.sources.registry import source_by_name
from edu_quality.validation.frame import Context, Prepared
from edu_quality.validation.gx_runner import RowFailure, SuiteRunner, group_failures
from edu_quality.validation.prepare import prepare

CHUNK_ROWS = 100_000


def validate_chunks(shape: FileShape, source_name: str, ctx: Context, runner: SuiteRunner,
                    stats=None) -> Iterator[tuple[Prepared, dict[int, list[RowFailure]]]]:
    """Each chunk of a readable file, prepared and validated: (prepared frame, failures by row).
    With `stats`, the time of each phase is added to `stats.seconds`."""
    source = source_by_name(source_name)
    timed = stats.timed if stats is not None else (lambda phase, started: None)
    chunks = iter_chunks(shape, CHUNK_ROWS)
    while True:
        started = time.perf_counter()
        chunk = next(chunks, None)
        timed("read", started)
        if chunk is None:
            return
        started = time.perf_counter()
        prepared = prepare(chunk, shape, source, ctx)
        timed("prepare", started)
        started = time.perf_counter()
        failures, _ = runner.validate(source_name, prepared.frame, prepared.extra_expectations)
        timed("validate", started)
        yield prepared, group_failures(failures)


def describe_shape(shape: FileShape) -> str:
    if shape.format == "csv":
        names = {";": "«;»", ",": "«,»", "\t": "табуляция"}
        return (f"{shape.encoding}, разделитель {names.get(shape.delimiter, repr(shape.delimiter))}, "
                f"заголовок в строке {shape.header_row}")
    return f"XLSX, заголовок в строке {shape.header_row}"
