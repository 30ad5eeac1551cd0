"""Command-line tools: `flask translate …` and `flask demo`."""

from __future__ import annotations

import json
import subprocess
import sys

import click
from flask import Flask, current_app

from portal.config import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"


def _pybabel(*args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=PROJECT_ROOT)
    if result.returncode:
        raise click.ClickException(f"pybabel {args[0]} failed")


@click.group()
def translate() -> None:
    """Extract, update and compile translations."""


@translate.command()
def extract() -> None:
    """Collect every translatable text into translations/messages.pot."""
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output",
             "--omit-header", "-o", str(POT), ".")


@translate.command()
def update() -> None:
    """Extract, then merge new texts into every language's .po file."""
    extract.callback()
    _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching", "--ignore-obsolete")


@translate.command()
def compile() -> None:  # noqa: A001 - the pybabel verb
    """Build the .mo files the app reads."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


@translate.command()
@click.argument("lang")
def init(lang: str) -> None:
    """Start a new language."""
    extract.callback()
    _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", lang)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print sign-ins and fresh private links as JSON.")
def demo(as_json: bool) -> None:
    """Load demo data (idempotent) and print the sign-ins and fresh private links."""
    from portal.demo import load_demo_data

    if current_app.config["PRODUCTION"]:
        raise click.ClickException("flask demo refuses to run in production: it makes accounts with known passwords.")
    result = load_demo_data()
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"My Review portal demo at {result['base_url']}")
    click.echo("Staff sign-ins:")
    for person in result["staff"]:
        click.echo(f"  {person['role']:8} {person['email']:32} password: {person['password']}")
    click.echo("Private links (fresh each time):")
    for link in result["links"]:
        extra = " ".join(f"{k}={v}" for k, v in link.items() if k not in {"kind", "url"})
        click.echo(f"  {link['kind']:10} {extra:24} {link['url']}")


def register(app: Flask) -> None:
    app.cli.add_command(translate)
    app.cli.add_command(demo)
    from portal.outbox.cli import outbox

    app.cli.add_command(outbox)
    from portal.pictures import pictures_cli

    app.cli.add_command(pictures_cli)
