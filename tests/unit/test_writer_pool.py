"""The writer's pool of processes (documents/writer.py): a `shared_pool` block serves every `write_many` inside it
with the same workers, and each call outside one has its own."""
from __future__ import annotations

import os

import pytest
from jinja2 import DictLoader, Environment

from edu_quality.documents import writer


@pytest.fixture
def pid_template(monkeypatch):
    # The page says which process wrote it: os.getpid is pickled by name and called in the worker.
    env = Environment(loader=DictLoader({"pid.html.j2": "{{ pid() }}"}))
    monkeypatch.setattr(writer, "environment", lambda: env)


def _writers(tmp_path, name: str) -> set[int]:
    documents = [writer.Document(kind="t", unit_code=str(i), template="pid.html.j2", context={"pid": os.getpid},
                                 stem=tmp_path / f"{name}{i}", formats=("html",)) for i in range(6)]
    records = [r for written in writer.write_many(documents, workers=2) for r in written]
    assert [r[1] for r in records] == [str(i) for i in range(6)]  # in order, one record each
    return {int((tmp_path / f"{name}{i}.html").read_text()) for i in range(6)}


def test_a_shared_pool_serves_every_call_in_its_block_with_the_same_workers(pid_template, tmp_path):
    with writer.shared_pool():
        first = _writers(tmp_path, "a")
        pool = writer._SharedPool.executor
        with writer.shared_pool():  # a nested block shares the outer one's pool
            second = _writers(tmp_path, "b")
        assert writer._SharedPool.executor is pool is not None
        assert os.getpid() not in first
        assert len(first | second) <= 2  # the block's two workers wrote both calls' documents
    assert writer._SharedPool.executor is None  # closed with its block


def test_an_error_in_the_block_closes_the_pool_without_writing_what_is_queued(pid_template, tmp_path):
    documents = [writer.Document(kind="t", unit_code=str(i), template="pid.html.j2", context={"pid": os.getpid},
                                 stem=tmp_path / f"q{i}", formats=("html",)) for i in range(1000)]
    with pytest.raises(RuntimeError), writer.shared_pool():
        for _ in writer.write_many(documents, workers=2):
            raise RuntimeError("the parent fails after the first document")
    assert writer._SharedPool.executor is None
    assert len(list(tmp_path.glob("q*.html"))) < 1000


def test_outside_a_block_each_call_has_its_own_workers(pid_template, tmp_path):
    assert _writers(tmp_path, "a").isdisjoint(_writers(tmp_path, "b"))
