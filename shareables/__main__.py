"""`python -m shareables` is the `shareables` command."""

from .cli import main

main()
