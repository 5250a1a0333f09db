"""``storyfuse outlets``: list the outlet directory and edit the user's outlet file."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from storyfuse.stories.outlets import (
    KINDS,
    USER_FILE_ENV,
    OutletDirectory,
    OutletError,
    default_user_file,
    edit_outlet,
    format_outlets,
    merge,
    name_key,
    read_user_file,
)

_FILE_HELP = (
    f"The user's outlet file (default: ${USER_FILE_ENV}, "
    "else outlets.csv in the user data directory)."
)


def _user_file(path: str | None) -> Path:
    return Path(path) if path else default_user_file()


def _load(path: Path) -> OutletDirectory:
    try:
        return OutletDirectory.load(path)
    except OutletError as error:
        raise click.ClickException(str(error)) from None


@click.group("outlets")
def outlets_group() -> None:
    """Who the outlets are: the bundled directory and your file that overrides it.

    \b
    Example:
        storyfuse outlets list --kind "wire service"
        storyfuse outlets show cleveland
        storyfuse outlets set "Quellbrook Gazette" --domains quellbrook.example \\
            --country "United Kingdom" --kind local
    """


@outlets_group.command("list")
@click.option("--kind", type=click.Choice(KINDS), help="Only outlets of this kind.")
@click.option("--country", help="Only outlets of this country.")
@click.option("--json", "as_json", is_flag=True, help="Print the entries as JSON.")
@click.option("--file", "path", help=_FILE_HELP)
def list_outlets(kind: str | None, country: str | None, as_json: bool, path: str | None) -> None:
    """List the directory (bundled entries overridden by the user's file)."""
    directory = _load(_user_file(path))
    shown = [
        o
        for o in directory.outlets
        if (not kind or o.kind == kind)
        and (not country or o.country.casefold() == country.casefold())
    ]
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(o) for o in shown], indent=2, ensure_ascii=False))
        return
    for o in shown:
        click.echo(f"{o.name}  [{o.kind or '?'}, {o.country or '?'}]  {' '.join(o.domains)}")
    noun = "outlet" if len(shown) == 1 else "outlets"
    click.echo(
        f"storyfuse: {len(shown)} {noun}; {directory.user_entries} from {directory.user_file}",
        err=True,
    )


@outlets_group.command("show")
@click.argument("name")
@click.option("--file", "path", help=_FILE_HELP)
def show_outlet(name: str, path: str | None) -> None:
    """Show the entry for an outlet's name, site name or domain."""
    directory = _load(_user_file(path))
    found = directory.find(name, f"https://{name}/" if "." in name and " " not in name else None)
    if found is None:
        raise click.ClickException(f"{name!r} is not in the outlet directory")
    for field, value in dataclasses.asdict(found).items():
        shown = " ".join(value) if isinstance(value, tuple | list) else value
        click.echo(f"{field}: {shown}")


@outlets_group.command("set")
@click.argument("name")
@click.option("--domains", help="Space-separated domains (replaces the entry's).")
@click.option("--country")
@click.option("--language")
@click.option("--kind", type=click.Choice(KINDS))
@click.option("--owner")
@click.option("--source", help="Where the facts can be checked (a URL).")
@click.option("--rename", help="A new name for the entry.")
@click.option("--file", "path", help=_FILE_HELP)
def set_outlet(
    name: str,
    domains: str | None,
    country: str | None,
    language: str | None,
    kind: str | None,
    owner: str | None,
    source: str | None,
    rename: str | None,
    path: str | None,
) -> None:
    """Add an outlet to your file, or override a bundled entry with changed fields."""
    user_file = _user_file(path)
    directory = _load(user_file)
    base = directory.find(name)
    changes = {
        "domains": domains,
        "country": country,
        "language": language,
        "kind": kind,
        "owner": owner,
        "source": source,
        "name": rename,
    }
    try:
        outlet = edit_outlet(base, name, changes)
        user = read_user_file(user_file)
    except OutletError as error:
        raise click.ClickException(str(error)) from None
    replaced = {name_key(name), name_key(base.name) if base else ""}
    user = [o for o in user if name_key(o.name) not in replaced]
    user_file.parent.mkdir(parents=True, exist_ok=True)
    user_file.write_text(format_outlets(merge(user, [outlet])), encoding="utf-8")
    verb = "overrides" if base else "adds"
    click.echo(f"storyfuse: {user_file}: {verb} {outlet.name}", err=True)


@outlets_group.command("unset")
@click.argument("name")
@click.option("--file", "path", help=_FILE_HELP)
def unset_outlet(name: str, path: str | None) -> None:
    """Remove an outlet from your file (a bundled entry it overrode comes back)."""
    user_file = _user_file(path)
    try:
        user = read_user_file(user_file)
    except OutletError as error:
        raise click.ClickException(str(error)) from None
    kept = [o for o in user if name_key(o.name) != name_key(name)]
    if len(kept) == len(user):
        raise click.ClickException(f"{name!r} is not in {user_file}")
    user_file.write_text(format_outlets(kept), encoding="utf-8")
    click.echo(f"storyfuse: {user_file}: removed {name}", err=True)
