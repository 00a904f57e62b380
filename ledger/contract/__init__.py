"""The event contract: envelopes, per-type data, field types, vocabularies and their validation."""
