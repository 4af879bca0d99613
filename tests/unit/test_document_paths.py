"""No input decides where output goes: a municipality or school code shaped like a path becomes one safe
path component, and the writer refuses any file outside the year's output folder."""
from __future__ import annotations

from pathlib import Path

import pytest

from edu_quality.documents import paths, writer


@pytest.mark.parametrize("code", ["/srv/x", "../../x", "../2017/MO01", "..", ".", "MO 01", "MO01/../..", "a\x00b"])
def test_a_path_shaped_code_becomes_one_component_inside_the_year(tmp_path, code):
    folder = paths.municipality_folder(tmp_path, 2026, code)
    assert folder.parent == tmp_path / "2026" and "/" not in folder.name and folder.name not in (".", "..")
    assert paths.inside(tmp_path / "2026", folder / "x.html")


def test_ordinary_codes_are_kept_and_different_codes_never_share_a_folder():
    assert paths.part("MO01") == "MO01" and paths.part("ОО-01_а") == "ОО-01_а"
    assert paths.part("../x") != paths.part("/x") != paths.part("x")


def test_the_writer_refuses_a_file_outside_the_year(tmp_path):
    doc = writer.Document(kind="municipal_report", unit_code="x", template="municipal_report.html.j2", context={},
                          stem=tmp_path / "2026" / ".." / ".." / "escaped", formats=("html",), root=tmp_path / "2026")
    with pytest.raises(paths.UnsafePath):
        writer.write(doc)
    assert not list(Path(tmp_path).parent.glob("escaped*"))
