class DomainError(Exception):
    """A refused action: the message is shown to the user as is (already translated)."""

    def __init__(self, message, *, code: str = "invalid", details=None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.details = details


class StaleEdit(DomainError):
    def __init__(self, message, **kwargs):
        super().__init__(message, code="stale", **kwargs)
