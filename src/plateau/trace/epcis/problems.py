"""The exceptions of the EPCIS REST binding, as domain errors with an RFC 7807 ``type``.

Every error the ``/epcis`` routes answer is one of these (or a plain DomainError of another
package, mapped by status in :func:`problem_of`), rendered as ``application/problem+json``
with ``type`` ``epcisException:…`` as the OpenAPI of the binding lists them.
"""

from __future__ import annotations

from typing import Any

from plateau.errors import DomainError
from plateau.i18n import _, lazy

VALIDATION = "epcisException:ValidationException"
QUERY_PARAMETER = "epcisException:QueryParameterException"
QUERY_VALIDATION = "epcisException:QueryValidationException"
QUERY_TOO_LARGE = "epcisException:QueryTooLargeException"
SECURITY = "epcisException:SecurityException"
NO_SUCH_NAME = "epcisException:NoSuchNameException"
ALREADY_EXISTS = "epcisException:ResourceAlreadyExistsException"
CAPTURE_LIMIT = "epcisException:CaptureLimitExceededException"
NOT_ACCEPTABLE = "epcisException:NotAcceptableException"
UNSUPPORTED_MEDIA_TYPE = "epcisException:UnsupportedMediaTypeException"
SUBSCRIPTION_CONTROLS = "epcisException:SubscriptionControlsException"
IMPLEMENTATION = "epcisException:ImplementationException"
URI_TOO_LONG = "epcisException:URITooLongException"

# Short titles, translated when the problem is rendered.
TITLES: dict[str, str] = {
    VALIDATION: lazy("The EPCIS document is not valid"),
    QUERY_PARAMETER: lazy("The query has a wrong parameter"),
    QUERY_VALIDATION: lazy("The query is not valid"),
    QUERY_TOO_LARGE: lazy("The query result is too large"),
    SECURITY: lazy("Access denied"),
    NO_SUCH_NAME: lazy("No such resource"),
    ALREADY_EXISTS: lazy("The resource already exists"),
    CAPTURE_LIMIT: lazy("The capture payload is too large"),
    NOT_ACCEPTABLE: lazy("The requested format or version is not available"),
    UNSUPPORTED_MEDIA_TYPE: lazy("Unsupported media type"),
    SUBSCRIPTION_CONTROLS: lazy("The subscription is not valid"),
    IMPLEMENTATION: lazy("The repository could not do this"),
    URI_TOO_LONG: lazy("The URI is too long"),
}

_BY_STATUS = {
    400: VALIDATION,
    401: SECURITY,
    403: SECURITY,
    404: NO_SUCH_NAME,
    406: NOT_ACCEPTABLE,
    409: ALREADY_EXISTS,
    413: CAPTURE_LIMIT,
    414: URI_TOO_LONG,
    415: UNSUPPORTED_MEDIA_TYPE,
    422: VALIDATION,
}


class EpcisError(DomainError):
    """An EPCIS exception: its ``kind`` is the problem ``type`` of the REST binding."""

    def __init__(
        self,
        kind: str,
        message: str,
        status_code: int = 400,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, status_code, kind)
        self.kind = kind
        self.headers = headers or {}


def validation_error(message: str) -> EpcisError:
    return EpcisError(VALIDATION, message, 400)


def query_parameter_error(message: str) -> EpcisError:
    return EpcisError(QUERY_PARAMETER, message, 400)


def not_found(message: str) -> EpcisError:
    return EpcisError(NO_SUCH_NAME, message, 404)


def kind_of_status(status: int) -> str:
    """Return the EPCIS exception the binding uses for an HTTP status."""
    return IMPLEMENTATION if status >= 500 else _BY_STATUS.get(status, VALIDATION)


def problem_of(exc: DomainError) -> dict[str, Any]:
    """Return the RFC 7807 body of a domain error, typed as the REST binding types it."""
    kind = exc.kind if isinstance(exc, EpcisError) else kind_of_status(exc.status_code)
    body: dict[str, Any] = {
        "type": kind,
        "title": _(TITLES[kind]),
        "status": exc.status_code,
        "detail": exc.message,
    }
    if exc.errors:
        body["errors"] = [e.as_dict() for e in exc.errors]
    return body


def problem(kind: str, status: int, detail: str) -> dict[str, Any]:
    """Return an RFC 7807 body of one EPCIS exception."""
    return {"type": kind, "title": _(TITLES[kind]), "status": status, "detail": detail}
