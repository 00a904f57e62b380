"""The ``ledger`` command line (SPEC §8), the outermost layer.

It imports ``api``, ``projections`` and ``ledger``; nothing imports it.
"""
