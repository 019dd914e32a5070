"""``faust livecheck`` and ``faust worker --pidfile`` with app doubles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from faust.cli import call_command


def run(*argv: str, app: Any) -> tuple[int, str, str]:
    code, out, err = call_command(argv[0], list(argv[1:]), app=app)
    return code, out.getvalue(), err.getvalue()  # type: ignore[attr-defined]


def test_livecheck_runs_a_worker_for_the_livecheck_app(app_factory: Any) -> None:
    app = app_factory()
    app.livecheck = app_factory(id="livecheck-fake")
    code, _, err = run("livecheck", "-p", "7000", "--without-web", app=app)
    assert code == 0, err
    app.livecheck.Worker.assert_called_once()
    app.Worker.assert_not_called()
    assert app.livecheck.conf.web_port == 7000
    assert app.livecheck.conf.web_enabled is False
    assert app.conf.web_port == 6066  # the tested app is left alone
    app.livecheck.finalize.assert_called_with()


def test_livecheck_without_livecheck_app(app: Any) -> None:
    app.livecheck = None
    code, _, err = run("livecheck", app=app)
    assert code == 2
    assert "App 'fake' is not associated with LiveCheck" in err
    assert "app.LiveCheck()" in err
    app.Worker.assert_not_called()


def test_worker_pidfile_and_colors_reach_the_worker(app: Any, tmp_path: Path) -> None:
    pidfile = str(tmp_path / "w.pid")
    code, _, err = run("--no-color", "worker", "--pidfile", pidfile, app=app)
    assert code == 0, err
    kwargs = app.Worker.call_args.kwargs
    assert kwargs["pidfile"] == pidfile
    assert kwargs["log_color"] is False


def test_worker_passes_no_extra_keywords_by_default(app: Any) -> None:
    code, _, err = run("worker", app=app)
    assert code == 0, err
    kwargs = app.Worker.call_args.kwargs
    assert "pidfile" not in kwargs and "log_color" not in kwargs
