"""`svcq dashboard`: open the Streamlit dashboard on a database."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources
from typing import Annotated

import typer

from cli import output
from cli.common import DbOption, check_database, database_path

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
    output.say(f"儀表板：http://{host}:{port}（資料庫 {target}）。按 Ctrl+C 結束。")
    command = [sys.executable, "-m", "streamlit", "run", str(app_file),
               "--server.port", str(port), "--server.address", address]  # fmt: skip
    try:
        completed = subprocess.run(command, env=env, check=False)
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
    raise typer.Exit(completed.returncode)
