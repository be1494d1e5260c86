"""Writes to cases, one module per concept. Every write is one function with a keyword-only
`actor`, one transaction, a row lock on the case, a timeline row and an audit row; e-mail, SMS
and tasks go out only after commit."""
