from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from maps.interactive import remote_resources
from service.cli import main


@pytest.fixture(autouse=True)
def _use_test_database(db_url: URL, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARKGEO_DATABASE_URL", db_url.render_as_string(hide_password=False))


def test_standalone_map_file_needs_no_network(tmp_path: Path) -> None:
    out = tmp_path / "layout.html"
    assert main(["map", "layout", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert remote_resources(html) == []
    assert "<script src=" not in html  # everything inlined


def test_figure_command_writes_svg(tmp_path: Path) -> None:
    out = tmp_path / "gaoxin.svg"
    assert main(["figure", "park", "gaoxin", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_bad_requests_exit_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["map", "poster", "-o", str(tmp_path / "x.html")]) == 2
    assert "layout or industry" in capsys.readouterr().err
    assert main(["figure", "overview", "-o", str(tmp_path / "x.docx")]) == 2
    assert ".png, .svg or .pdf" in capsys.readouterr().err
    assert main(["figure", "park", "nowhere", "-o", str(tmp_path / "x.png")]) == 2
    assert "nowhere" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
