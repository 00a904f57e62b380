"""``python -m bench``: see :func:`bench.runs.main`."""

from bench.runs import main

main()
