"""Fixes to Rasa Open Source 3.6 internals, applied when any `bot` module is imported.

RemoteAction._validate_action_result calls `jsonschema.validate(result, schema)` for every custom
action response. That function re-checks the schema itself against the JSON-Schema metaschema on
each call: measured here at 44 ms per action call, more than half of a whole conversation turn.
We validate against the same schema with a validator built once, so every response is still checked
and a malformed response still raises the same ValidationError.

Event.resolve_by_type walks the whole Event class tree (with inspect.isabstract on each class) for every
event it reads back from the tracker store, and a tracker is read back at every turn: about 5 % of the
Rasa server's CPU under 20 conversations. The type names are mapped once; a name not found (an event
class imported later, or the legacy "topic") falls through to Rasa's own lookup.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Optional, Text, Type

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses


@lru_cache(maxsize=1)
def _response_validator():
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    try:
        _response_validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (". Failed to validate Action server response from API, make sure your response "
                      f"from the Action endpoint is valid. For more information about the format visit "
                      f"{DOCS_BASE_URL}/custom-actions")
        raise e


RemoteAction._validate_action_result = _validate_action_result


_resolve_by_type = Event.resolve_by_type
_EVENT_TYPES: Dict[Text, Type[Event]] = {}


def _cached_resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    if not _EVENT_TYPES:
        for cls in reversed(all_subclasses(Event)):  # the first in Rasa's order wins, as in its loop
            _EVENT_TYPES[cls.type_name] = cls
    found = _EVENT_TYPES.get(type_name)
    return found if found is not None else _resolve_by_type(type_name, default)


Event.resolve_by_type = staticmethod(_cached_resolve_by_type)
