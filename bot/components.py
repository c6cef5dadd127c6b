"""Custom NLU components for the Chinese pipeline (see bot/config.yml).

TextNormalizer runs first so that every later component -- jieba, spaCy, the featurizers, DIET --
sees simplified Chinese with common typos fixed, in training and at run time alike.
SafetyGuard runs last: whatever DIET thought, wording that signals danger becomes the
`emergency` intent with full confidence, so the safety reply can never be out-voted.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.normalize import normalize
from knowledge.safety import detect

EMERGENCY = "emergency"


class _Stateless(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self.process_one(message)
        return messages

    def process_one(self, message: Message) -> None:
        raise NotImplementedError


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TextNormalizer(_Stateless):
    """Traditional -> simplified, width folding, control characters out, known typos fixed."""

    def process_one(self, message: Message) -> None:
        text = message.get(TEXT)
        if text:
            message.set(TEXT, normalize(text) or text)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyGuard(_Stateless):
    """Force the emergency intent when the lexicon in knowledge/safety.py recognises danger."""

    def process_one(self, message: Message) -> None:
        text = message.get(TEXT)
        if not text or message.get(INTENT, {}).get("name") == EMERGENCY:
            return
        category = detect(text)
        if category:
            message.set(INTENT, {"name": EMERGENCY, "confidence": 1.0, "safety": category},
                        add_to_output=True)
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != EMERGENCY]
            message.set(INTENT_RANKING_KEY, [{"name": EMERGENCY, "confidence": 1.0}, *ranking],
                        add_to_output=True)
