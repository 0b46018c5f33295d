"""CLI commands for: Network analytics: measures, cells, key players, paths."""
import typer

app = typer.Typer(help="Network analytics: measures, cells, key players, paths.", no_args_is_help=True)
