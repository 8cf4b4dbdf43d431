"""The `svcq` command line: the commands, wired to their modules, behind one guard that
turns every failure into a plain message and an exit code (``cli.errors``)."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from cli import data_commands, load_commands, output
from cli.dashboard_command import dashboard
from cli.errors import (
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    begin,
    debugging,
    describe,
)
from cli.metrics_command import metrics_command

__all__ = ["EXIT_FAILED", "EXIT_INTERNAL", "EXIT_OK", "EXIT_PARTIAL", "EXIT_USAGE", "app"]

# The heading of a failure message, by command.
HEADINGS = {"load": "載入失敗", "sample": "載入失敗", "metrics": "無法計算"}


class GuardedGroup(TyperGroup):
    """Runs a command; any exception becomes ``cli.errors.describe``'s message and exit
    code, printed without a traceback (``SVCQ_DEBUG=1`` lets it through)."""

    def invoke(self, ctx: typer.Context) -> Any:
        situation = begin("")
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # Typer's own: usage errors, exits
            raise
        except (Exception, KeyboardInterrupt) as exc:
            if debugging():
                raise
            situation.command = ctx.invoked_subcommand or ""
            failure = describe(exc, situation)
            output.error(HEADINGS.get(situation.command, "錯誤"), failure.message)
            raise typer.Exit(failure.code) from None


app = typer.Typer(
    cls=GuardedGroup,
    help="svcq：服務品質分析（人民陳情、滿意度調查、電話禮貌測試）。Service-quality analytics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
load_app = typer.Typer(
    help="載入檔案到資料庫（CSV／Excel，任何編碼）。Load export files.", no_args_is_help=True
)
app.add_typer(load_app, name="load")

load_app.command("petitions")(load_commands.load_petitions)
load_app.command("surveys")(load_commands.load_surveys)
load_app.command("phone-tests")(load_commands.load_phone_tests)
load_app.command("calendar")(load_commands.load_calendar)
load_app.command("population")(load_commands.load_population)
load_app.command("deadline-policy")(load_commands.load_deadline_policy)
app.command("rejects")(data_commands.rejects)
app.command("batches")(data_commands.batches)
app.command("sample")(load_commands.sample)
app.command("summary")(data_commands.summary)
app.command("metrics")(metrics_command)
app.command("dashboard")(dashboard)


def main() -> None:  # pragma: no cover
    app()
