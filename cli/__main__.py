"""``python -m cli``: the ``ledger`` command line."""

from cli.app import main

main()
