"""CLI commands for: Disruption and recovery: strike curves, succession, tenure."""
import typer

app = typer.Typer(help="Disruption and recovery: strike curves, succession, tenure.", no_args_is_help=True)
