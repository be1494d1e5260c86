class Open311Error(Exception):
    """A request GeoReport answers with an error body: 400 (bad request), 403 (API key),
    404 (no such service, request or token), 429 (a key over its rate limit). `messages` become one
error element each; `headers` go on the answer (Retry-After)."""

    def __init__(self, status: int, *messages, headers: dict | None = None):
        super().__init__("; ".join(str(m) for m in messages))
        self.status = status
        self.messages = [str(m) for m in messages]
        self.headers = headers or {}


def bad_request(*messages) -> Open311Error:
    return Open311Error(400, *messages)


def not_found(*messages) -> Open311Error:
    return Open311Error(404, *messages)
