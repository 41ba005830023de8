"""`python -m scratchpong` runs the same CLI as the `scratchpong` command."""

from scratchpong.commands.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
