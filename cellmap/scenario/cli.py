"""CLI commands for: The built-in synthetic scenario."""
import typer

app = typer.Typer(help="The built-in synthetic scenario.", no_args_is_help=True)
