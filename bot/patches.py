"""Fixes to Rasa Open Source 3.6 internals, applied when any `bot` module is imported.

RemoteAction._validate_action_result calls `jsonschema.validate(result, schema)` for every custom
action response. That function re-checks the schema itself against the JSON-Schema metaschema on
each call: measured here at 44 ms per action call, more than half of a whole conversation turn.
We validate against the same schema with a validator built once, so every response is still checked
and a malformed response still raises the same ValidationError.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


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
