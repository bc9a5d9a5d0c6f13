"""``kmspair.client()``: an in-process KMS client that behaves like botocore's, without HTTP.

Code written against ``boto3.client("kms")`` runs unchanged: the same snake_case methods taking
CamelCase keyword arguments, botocore's own client-side parameter validation, the same response
keys with ``ResponseMetadata``, and errors raised as the very exception classes botocore builds
for KMS (``client.exceptions.NotFoundException``, a ``botocore.exceptions.ClientError``).

It skips what only matters on the wire (JSON, base64, signing), which is what makes it fast;
:func:`kmspair.boto3_client` is the variant that keeps all of it.
"""

from __future__ import annotations

import datetime
import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.errorfactory import ClientExceptionsFactory
from botocore.exceptions import NoRegionError, OperationNotPageableError
from botocore.paginate import Paginator
from botocore.utils import parse_timestamp, parse_to_aware_datetime, validate_region_name
from botocore.validate import validate_parameters

from .arn import partition_of
from .botocore_acceptance import accepts
from .errors import KMSError
from .model import operation_model, operation_names, paginator_configs, service_model
from .response_metadata import http_date, new_request_id
from .service import OPERATIONS, LocalKMS, open_local_kms

_CONTENT_TYPE = "application/x-amz-json-1.1"


def client(
    region_name: str | None = None,
    account_id: str = "111122223333",
    home: str | os.PathLike[str] | None = None,
) -> KMSClient:
    """Open the local KMS in ``home`` (else ``$KMSPAIR_HOME``, else the per-user data directory)
    and return a client acting as ``account_id`` in ``region_name``.

    Without ``region_name``, the region comes from botocore's configuration (``AWS_REGION``,
    ``AWS_DEFAULT_REGION``, the config file), and ``NoRegionError`` is raised without one, as
    ``boto3.client("kms")`` does.
    """
    region = resolve_region(region_name)
    kms = open_local_kms(region=region, account_id=account_id, home=home)
    return KMSClient(kms, region_name=region, account_id=account_id)


def resolve_region(region_name: str | None) -> str:
    """``region_name``, or the region botocore's configuration names, or ``NoRegionError``;
    ``InvalidRegionError`` for a name botocore would refuse (``"bad region"``), as creating a
    boto3 client refuses it, before it can become part of a key's ARN."""
    region = region_name or botocore.session.get_session().get_config_variable("region")
    if not region:
        raise NoRegionError()
    validate_region_name(str(region))
    return str(region)


class ClientMeta:
    """The part of botocore's ``client.meta`` that has a meaning without HTTP."""

    def __init__(self, region_name: str) -> None:
        self.region_name = region_name
        self.service_model: Any = service_model()
        self.partition = partition_of(region_name)
        self.method_to_api_mapping: dict[str, str] = dict(_METHOD_TO_API)


class KMSClient:
    """A botocore-compatible KMS client served in process by a :class:`LocalKMS`.

    Every operation the local KMS implements is a method named as botocore names it
    (``generate_data_key_pair``), taking the API's CamelCase keyword arguments.
    """

    def __init__(self, kms: LocalKMS, *, region_name: str, account_id: str) -> None:
        self._kms = kms
        self._account_id = account_id
        self.meta = ClientMeta(region_name)
        self.exceptions: Any = _client_exceptions()

    if TYPE_CHECKING:
        # The operation methods are attached below, one per operation LocalKMS implements.
        def __getattr__(self, name: str) -> Callable[..., dict[str, Any]]: ...

    def __repr__(self) -> str:
        return (
            f"<kmspair.KMSClient region_name={self.meta.region_name!r} "
            f"account_id={self._account_id!r}>"
        )

    def can_paginate(self, operation_name: str) -> bool:
        """Whether ``operation_name`` (the method name, e.g. ``'list_keys'``) can be paginated."""
        return _METHOD_TO_API.get(operation_name) in paginator_configs()

    def get_paginator(self, operation_name: str) -> Any:
        """A botocore ``Paginator`` for ``operation_name`` (the method name, e.g. ``'list_keys'``).

        Raises ``OperationNotPageableError`` for an operation that cannot be paginated.
        """
        if not self.can_paginate(operation_name):
            raise OperationNotPageableError(operation_name=operation_name)
        api_name = _METHOD_TO_API[operation_name]
        return Paginator(
            getattr(self, operation_name), paginator_configs()[api_name], operation_model(api_name)
        )

    def close(self) -> None:
        """Release the keystore connection this client holds."""
        self._kms.store.close()

    def _make_api_call(self, operation_name: str, api_params: dict[str, Any]) -> dict[str, Any]:
        input_shape = operation_model(operation_name).input_shape
        params = api_params
        if input_shape is not None:
            if not accepts(operation_name, api_params):
                validate_parameters(api_params, input_shape)
            params = _to_native(input_shape, api_params)
        request_id = new_request_id()
        try:
            result = self._kms.call(operation_name, params)
        except KMSError as error:
            raise self._client_error(error, operation_name, request_id) from None
        output_shape = operation_model(operation_name).output_shape
        response = dict(result) if output_shape is None else _in_model_order(output_shape, result)
        response["ResponseMetadata"] = _response_metadata(request_id, 200)
        return response

    def _client_error(self, error: KMSError, operation_name: str, request_id: str) -> Exception:
        # The same dict botocore's JSON parser builds from an error response, including the
        # modeled ``message`` member it copies to the top level when the body has one.
        error_response: dict[str, Any] = {
            "Error": {"Message": error.message or "", "Code": error.code},
            "ResponseMetadata": _response_metadata(request_id, error.status),
        }
        if error.message is not None and _error_has_message_member(error.code):
            error_response["message"] = error.message
        exception_class = self.exceptions.from_code(error.code)
        exception: Exception = exception_class(error_response, operation_name)
        return exception


def _response_metadata(request_id: str, status: int) -> dict[str, Any]:
    return {
        "RequestId": request_id,
        "HTTPStatusCode": status,
        "HTTPHeaders": {
            "x-amzn-requestid": request_id,
            "content-type": _CONTENT_TYPE,
            "date": http_date(),
        },
        "RetryAttempts": 0,
    }


@functools.lru_cache(maxsize=1)
def _client_exceptions() -> Any:
    # One set of classes per process, so ``except client.exceptions.X`` catches X raised by any
    # kmspair client, as botocore's classes are shared between clients of one session.
    return ClientExceptionsFactory().create_client_exceptions(service_model())


@functools.cache
def _error_has_message_member(code: str) -> bool:
    for shape in service_model().error_shapes:
        if shape.name == code:
            return "message" in shape.members
    return False


def _to_native(shape: Any, value: Any) -> Any:
    """Turn what botocore's validator accepts into what the operations expect.

    botocore's serializer takes ``str`` (encoded as UTF-8), ``bytearray`` and file objects for
    blobs, and datetimes, ISO strings or epoch numbers for timestamps; the operations see only
    ``bytes`` and tz-aware ``datetime``.
    """
    type_name = shape.type_name
    if type_name == "blob":
        if isinstance(value, str):
            return value.encode("utf-8")
        if hasattr(value, "read"):
            return bytes(value.read())
        return bytes(value)
    if type_name == "timestamp":
        parsed: datetime.datetime = parse_to_aware_datetime(value)
        return parsed
    if type_name == "structure":
        return {name: _to_native(shape.members[name], item) for name, item in value.items()}
    if type_name == "list":
        return [_to_native(shape.member, item) for item in value]
    if type_name == "map":
        return {key: _to_native(shape.value, item) for key, item in value.items()}
    return value


def _in_model_order(shape: Any, value: Any) -> Any:
    """``value`` with every structure's members in the service model's order, as botocore's
    parser builds a response (it walks the model's members), so what prints, in the CLI too,
    comes in the order the same call against AWS gives; and timestamps in the local time zone,
    as botocore's parser makes them."""
    return _orderer(shape)(value)


_Orderer = Callable[[Any], Any]
# Shapes whose values the walk changes: containers are reordered, timestamps made local.
_CONVERTED = frozenset({"structure", "list", "map", "timestamp"})
_orderers: dict[str, _Orderer] = {}


def _orderer(shape: Any) -> _Orderer:
    """The reordering function of a shape, made once per shape: this runs on every response."""
    found = _orderers.get(shape.name)
    if found is None:
        found = _orderers[shape.name] = _make_orderer(shape)
    return found


def _make_orderer(shape: Any) -> _Orderer:
    type_name = shape.type_name
    if type_name == "structure":
        plan = tuple(
            (name, member if member.type_name in _CONVERTED else None)
            for name, member in shape.members.items()
        )
        if all(member is None for _, member in plan):
            names = tuple(name for name, _ in plan)
            return lambda value: {name: value[name] for name in names if name in value}
        return lambda value: {
            name: value[name] if member is None else _orderer(member)(value[name])
            for name, member in plan
            if name in value
        }
    if type_name == "list":
        member = shape.member
        if member.type_name not in _CONVERTED:
            return list
        return lambda value: [_orderer(member)(item) for item in value]
    if type_name == "map":
        value_shape = shape.value
        if value_shape.type_name not in _CONVERTED:
            return dict
        return lambda value: {key: _orderer(value_shape)(item) for key, item in value.items()}
    if type_name == "timestamp":
        return _as_botocore_parses
    return _same


def _as_botocore_parses(value: datetime.datetime) -> datetime.datetime:
    """The instant as botocore's parser gives it from the wire's epoch seconds: in the local
    time zone (``tzlocal()``), so that it prints as boto3's does."""
    parsed: datetime.datetime = parse_timestamp(value.timestamp())
    return parsed


def _same(value: Any) -> Any:
    return value


def _operation_method(operation_name: str, method_name: str) -> Callable[..., dict[str, Any]]:
    def api_call(self: KMSClient, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # botocore's own methods reject positional arguments with this message.
        if args:
            raise TypeError(f"{method_name}() only accepts keyword arguments.")
        return self._make_api_call(operation_name, kwargs)

    api_call.__name__ = method_name
    api_call.__qualname__ = f"KMSClient.{method_name}"
    api_call.__doc__ = f"Call KMS ``{operation_name}`` (keyword arguments as in the AWS API)."
    return api_call


# One method per operation LocalKMS implements, named as botocore names it; an operation it
# lacks is an AttributeError here rather than a call that can only fail.
_METHOD_TO_API: dict[str, str] = {
    botocore.xform_name(name): name for name in operation_names() if name in OPERATIONS
}
for _method_name, _operation_name in _METHOD_TO_API.items():
    setattr(KMSClient, _method_name, _operation_method(_operation_name, _method_name))
