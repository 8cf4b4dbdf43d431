"""`svcq dashboard` refuses in plain words before starting a server it cannot start."""

from __future__ import annotations

import socket

from typer.testing import CliRunner

from cli.main import EXIT_FAILED, app

runner = CliRunner()


def test_a_port_in_use_is_said_in_chinese(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(
            app, ["dashboard", "--port", str(port), "--db", str(tmp_path / "x.duckdb")]
        )
    assert result.exit_code == EXIT_FAILED
    assert f"連接埠 {port} 已被其他程式使用" in result.output and "Traceback" not in result.output


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all", encoding="utf-8")
    result = runner.invoke(app, ["dashboard", "--db", str(text)])
    assert result.exit_code == EXIT_FAILED
    assert "不是 DuckDB 資料庫檔" in result.output and "Traceback" not in result.output
