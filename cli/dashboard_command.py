"""`svcq dashboard`: open the Streamlit dashboard on a database."""

from __future__ import annotations

import os
import socket
import sys
from importlib import resources
from typing import Annotated

import typer

from cli import output
from cli.common import DbOption, check_database, database_path
from cli.errors import EXIT_FAILED, CliError

DEFAULT_PORT = 8501


def dashboard(
    port: Annotated[int, typer.Option(help="連接埠")] = DEFAULT_PORT,
    address: Annotated[
        str, typer.Option(help="監聽位址；127.0.0.1 僅本機可用，0.0.0.0 開放區網")
    ] = "127.0.0.1",
    db_path: DbOption = None,
) -> None:
    """開啟儀表板（瀏覽器連到 http://localhost:8501）。Open the dashboard."""
    target = database_path(db_path).resolve()
    check_database(target, must_exist=False)
    if not target.exists():
        output.warn(
            f"找不到資料庫 {target}；儀表板會提示如何載入資料（svcq sample 或 svcq load）。"
        )
    app_file = resources.files("dashboard").joinpath("app.py")
    env = {**os.environ, "SVCQ_DB": str(target)}
    host = "localhost" if address in ("127.0.0.1", "localhost") else address
    if not _port_free(address, port):
        raise CliError(
            f"連接埠 {port} 已被其他程式使用；請關閉它，或以 --port 指定其他連接埠（如 --port 8502）。",
            EXIT_FAILED,
        )
    output.say(f"儀表板：http://{host}:{port}（資料庫 {target}）。按 Ctrl+C 結束。")
    command = [sys.executable, "-m", "streamlit", "run", str(app_file),
               "--server.port", str(port), "--server.address", address]  # fmt: skip
    # Streamlit takes this process's place: Ctrl+C and a service manager's SIGTERM reach it
    # directly, and no server is left behind when this command is stopped.
    os.execve(sys.executable, command, env)


def _port_free(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((address, port))
        except OSError:
            return False
    return True
