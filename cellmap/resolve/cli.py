"""CLI commands for: Entity resolution: candidates, review, judgements, clusters."""
import typer

app = typer.Typer(help="Entity resolution: candidates, review, judgements, clusters.", no_args_is_help=True)
