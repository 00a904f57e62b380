"""``python -m api.bench``: see :func:`api.bench.runs.main`."""

from api.bench.runs import main

main()
