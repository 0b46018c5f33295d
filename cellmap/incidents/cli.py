"""CLI commands for: Incidents: trends, places, attribution, command-and-control coherence."""
import typer

app = typer.Typer(help="Incidents: trends, places, attribution, command-and-control coherence.", no_args_is_help=True)
