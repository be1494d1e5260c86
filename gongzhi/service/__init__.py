"""三单制 — resident orders, branch dispatches, member takes the order."""
