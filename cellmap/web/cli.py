"""CLI commands for: The workbench (web application)."""
import typer

app = typer.Typer(help="The workbench (web application).", no_args_is_help=True)
