"""`python -m scratchpong` runs the same CLI as the `scratchpong` command."""

from scratchpong.cli import main

raise SystemExit(main())
