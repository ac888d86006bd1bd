import shutil
import tempfile
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from boundaries.embedded import free_port
from service.cli import main


def test_embedded_database_lifecycle(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Not pytest's tmp_path: its mode-700 parents keep the postgres user out.
    tmp_path = Path(tempfile.mkdtemp(prefix="parkgeo-cli-"))
    tmp_path.chmod(0o755)
    monkeypatch.delenv("PARKGEO_DATABASE_URL", raising=False)
    monkeypatch.setenv("PARKGEO_DATA_DIR", str(tmp_path / "db"))
    monkeypatch.setenv("PARKGEO_EMBEDDED_PORT", str(free_port()))
    try:
        assert main(["db", "status"]) == 0
        assert "not initialised" in capsys.readouterr().out
        assert main(["db", "up"]) == 0
        assert "running" in capsys.readouterr().out
        assert main(["load"]) == 0
        assert "7 parks, 4 sections, 34 radiation points" in capsys.readouterr().out
        assert main(["load"]) == 0
        assert "0 parks, 0 sections, 0 radiation points" in capsys.readouterr().out
        assert main(["db", "down"]) == 0
        assert "stopped" in capsys.readouterr().out
    finally:
        main(["db", "down"])
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_external_url_manages_nothing_locally(
    db_url: URL, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PARKGEO_DATABASE_URL", db_url.render_as_string(hide_password=False))
    assert main(["db", "up"]) == 0
    assert "manages none locally" in capsys.readouterr().out


def test_unreachable_database_is_a_message_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PARKGEO_DATABASE_URL", f"postgresql://x:y@127.0.0.1:{free_port()}/none")
    assert main(["load"]) == 1
    err = capsys.readouterr().err
    assert "database" in err.lower() and "Traceback" not in err
