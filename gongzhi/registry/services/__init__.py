"""Writes to the registry: one function per action, keyword-only `actor=`, one transaction, an audit
row in it. Callers fetch the objects they pass through gongzhi.registry.permissions (404 outside the
caller's scope); the services check the scope again, so a command or task cannot write around it."""
