"""The love bank's writes: one function per action, keyword-only `actor`, one transaction, an
audit row; every id arriving in a request checked against the actor's scope here."""
