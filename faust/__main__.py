"""``python -m faust``: the ``faust`` program."""

from __future__ import annotations


def main() -> None:
    """Run the ``faust`` command line."""
    from faust.cli.faust import cli

    cli(prog_name="faust")


if __name__ == "__main__":  # pragma: no cover
    main()
