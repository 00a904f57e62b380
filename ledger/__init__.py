"""Write side of the engagement ledger.

Events, validation, rules, the event-sourced application and the hash chain.
"""
