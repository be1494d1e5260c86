from django.db import models


class Datatype(models.TextChoices):
    """GeoReport v2 attribute datatypes."""

    STRING = "string", "string"
    NUMBER = "number", "number"
    DATETIME = "datetime", "datetime"
    TEXT = "text", "text"
    SINGLE = "singlevaluelist", "singlevaluelist"
    MULTI = "multivaluelist", "multivaluelist"


LIST_TYPES = frozenset({Datatype.SINGLE, Datatype.MULTI})


class Status(models.TextChoices):
    """GeoReport v2 request status."""

    OPEN = "open", "open"
    CLOSED = "closed", "closed"
