"""The event store: recorders, hash chain, idempotency ids, subject keys, sealing, tokens,
and reading the log back."""
