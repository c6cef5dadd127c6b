"""Custom NLU components for the Chinese pipeline (see bot/config.yml).

TextNormalizer runs first so that every later component -- jieba, spaCy, the featurizers, DIET --
sees simplified Chinese with common typos fixed, in training and at run time alike.
CodeRouter runs after the fallback classifier: a message that names a booking code (8 characters)
or a case code (AJ + 8) with words about it, or that is only the code (and the phone's last four
digits), goes to the booking or case action, however DIET read the rest (a phone tail such as
「尾号5678」 in 「查询我的预约 K7M3Q2PY 尾号5678」 often made it fall back).
SafetyGuard runs last: whatever DIET thought, wording that signals danger becomes the
`emergency` intent with full confidence, so the safety reply can never be out-voted.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List, Optional, Text

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


def _force_intent(message: Message, name: Text, **extra: Any) -> None:
    message.set(INTENT, {"name": name, "confidence": 1.0, **extra}, add_to_output=True)
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
    message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": 1.0}, *ranking], add_to_output=True)


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
            _force_intent(message, EMERGENCY, safety=category)


# Codes as appdb.models.CODE_ALPHABET writes them (no 0/O/1/I); lookarounds, not \b, because a code
# often touches Chinese characters (「预约K7M3Q2PY改时间」).
_CASE_CODE = re.compile(r"(?<![A-Z0-9])AJ[A-HJ-NP-Z2-9]{8}(?![A-Z0-9])")
_BOOKING_CODE = re.compile(r"(?<![A-Z0-9])[A-HJ-NP-Z2-9]{8}(?![A-Z0-9])")
_CASE_WORDS = re.compile(r"案件|案子|工单|进展|进度|结果|处理|编号|尾号|后四位|后4位")
_BOOKING_WORDS = re.compile(r"预约|报名|编号|尾号|后四位|后4位")
_CANCEL_WORDS = re.compile(r"取消|退掉|退了|不去|撤销|不约|不报")
_CHANGE_WORDS = re.compile(r"改|换|调整|推迟|延后|提前|挪")
# Asking for a person beside a code (「转人工，预约K7M3Q2PY」) keeps the handover; the classifier's
# handover guess alone does not, since a random code's letters can tip 「确认取消预约 K7M3Q2PY」 to it.
_HANDOVER_WORDS = re.compile(r"人工|真人|活人|专员|律师|投诉|客服|工作人员|工会的人")
# What may stand beside a code in a message that is only the code: the phone's tail and punctuation.
_BESIDE_CODE = re.compile(r"(?:手机)?(?:尾号|后四位|后4位)?[:：]?\s*\d{4}(?!\d)|[\s,，.。:：;；]")


def _only(code: re.Pattern, upper: Text) -> bool:
    """The message is the code (with perhaps her phone's last four digits): the answer to 「请发预约编号」."""
    return code.search(upper) is not None and not _BESIDE_CODE.sub("", code.sub("", upper, count=1))


def code_intent(text: Text) -> Optional[Text]:
    """The intent a message naming a booking or case code is about, or None."""
    upper = unicodedata.normalize("NFKC", text).upper()
    if _CASE_CODE.search(upper):
        return "case_status" if _CASE_WORDS.search(text) or _only(_CASE_CODE, upper) else None
    if _only(_BOOKING_CODE, upper):
        return "check_booking"
    if _BOOKING_CODE.search(upper) and _BOOKING_WORDS.search(text):
        if _CANCEL_WORDS.search(text):
            return "cancel_booking"
        return "change_booking" if _CHANGE_WORDS.search(text) else "check_booking"
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CodeRouter(_Stateless):
    """A message naming a booking or case code with words about it goes to that action."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # routes at run time only; the training labels stay as written

    def process_one(self, message: Message) -> None:
        text = message.get(TEXT)
        current = (message.get(INTENT) or {}).get("name")
        if not text or current == EMERGENCY or (current == "human_handover" and _HANDOVER_WORDS.search(text)):
            return
        intent = code_intent(text)
        if intent and intent != current:
            _force_intent(message, intent, routed_by="code")


# What a request for a service says besides the service's name: 预约, 报名, 约个, 登记, 参加, 占个名额.
_BOOKING_VERBS = re.compile(r"预约|預約|约|報名|报名|报上|报个|报一个|登记|申请|参加|占|名额|book", re.IGNORECASE)
# A question (a service's name typed alone, as the booking form asks for it, is not one).
_QUESTION = re.compile(r"吗|嗎|呢|[?？]|怎么|咋|能不能|可不可以|是不是|谁|多少|几")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class BookingGuard(_Stateless):
    """A booking needs a word of booking. The classifier leans on a service's name, so 「我想离婚，在哺乳期，
    孩子归谁」 (哺乳 as in 哺乳室) came out as book_service and got the service menu; without a booking word
    a question goes to the answer logic as one the NLU is unsure of (nlu_fallback); a service's name typed
    alone, as the booking form asks for it, stays a booking."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # routes at run time only; the training labels stay as written

    def process_one(self, message: Message) -> None:
        text = message.get(TEXT)
        if (text and (message.get(INTENT) or {}).get("name") == "book_service" and _QUESTION.search(text)
                and not _BOOKING_VERBS.search(text)):
            _force_intent(message, "nlu_fallback", routed_by="no_booking_word")
