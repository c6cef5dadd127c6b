"""Her message while an officer holds her case is acknowledged at once (issue 13, finding 5).

The console pauses her conversation when an officer takes the case (console/casework.py), and Rasa
predicts nothing for a paused conversation: she used to see typing dots and no answer. Here the
processor's prediction loop, for a paused conversation, runs one custom action instead,
`action_officer_ack` (actions/cases.py: who has her case and when TA is expected; the emergency
numbers first when her words call for them; the case marked for the officers' live pages). Its bot
messages are sent and stored like any other; none of its events can change a slot, and nothing is
predicted, so the conversation stays paused until the officer hands it back or closes the case.
The action is not in the domain: no policy may ever choose it. When the action server is down, the
fallback reply (bot/channels/fallback.py) answers instead, as for any custom action.
"""
from __future__ import annotations

from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import OutputChannel
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import USER_INTENT_RESTART
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from knowledge.handover import ACK_ACTION


def _held_by_officer(tracker: DialogueStateTracker) -> bool:
    """Paused, and her message is not /restart (which Rasa lets through a pause)."""
    restart = tracker.latest_message is not None and \
        tracker.latest_message.intent.get(INTENT_NAME_KEY) == USER_INTENT_RESTART
    return tracker.is_paused() and not restart


async def _acknowledge(self: MessageProcessor, output_channel: OutputChannel, tracker: DialogueStateTracker) -> None:
    if self.action_endpoint is None:
        return
    events = await RemoteAction(ACK_ACTION, self.action_endpoint).run(output_channel, self.nlg, tracker, self.domain)
    said = [e for e in events if isinstance(e, BotUttered)]
    tracker.update_with_events(said, self.domain)
    await self._send_bot_messages(said, tracker, output_channel)


async def _run_prediction_loop(self: MessageProcessor, output_channel: OutputChannel,
                               tracker: DialogueStateTracker) -> None:
    if _held_by_officer(tracker):
        await _acknowledge(self, output_channel, tracker)
        return
    await _predict(self, output_channel, tracker)


_predict = MessageProcessor._run_prediction_loop


def install() -> None:
    if MessageProcessor._run_prediction_loop is not _run_prediction_loop:
        MessageProcessor._run_prediction_loop = _run_prediction_loop
