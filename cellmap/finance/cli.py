"""CLI commands for: The war chest: ledger, burn rate, runway."""
import typer

app = typer.Typer(help="The war chest: ledger, burn rate, runway.", no_args_is_help=True)
