"""`token show|rotate`: the bearer token senders put on their posts to the daemon's listener."""

from __future__ import annotations

import typer

from leadchase.cli import common

token_app = typer.Typer(
    help="The listener's bearer token: show it to set up a sender, rotate it if it leaked.",
    no_args_is_help=True,
)


@token_app.command()
def show() -> None:
    """Print the token that `POST /leads` needs (Authorization: Bearer TOKEN).

    Only this command prints it: keep it out of shared documents and chat.
    """
    from leadchase.listener.token import read_token

    with common.open_workspace() as context:
        root = context.settings.workspace.root
    # Plain print: the token must come out whole, never wrapped or styled.
    typer.echo(read_token(root))


@token_app.command()
def rotate() -> None:
    """Make a new token; the old one stops working at once, also in a running daemon.

    A workspace made before the listener existed gets its first token this way.
    """
    from leadchase.display import markup
    from leadchase.listener.token import rotate_token, token_path

    with common.open_workspace() as context:
        root = context.settings.workspace.root
    rotate_token(root)
    common.out.print(
        f"New token written to [bold]{markup(token_path(root))}[/] (mode 0600). Give it to each "
        "sender: [bold]leadchase token show[/]."
    )


def register(app: typer.Typer) -> None:
    app.add_typer(token_app, name="token")
