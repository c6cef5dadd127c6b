"""The words a case is filed by: 打 is violence only when someone is hit, and 明天不用来了 is a dismissal
under way."""
from knowledge import handover


def test_work_and_plans_are_not_violence():
    assert handover.named_category("我在厂里打工，被打了") == "violence"
    assert handover.named_category("老公动手打我") == "violence"
    assert handover.named_category("我在电子厂打工") is None
    assert handover.named_category("我打算问问产假") == "benefit"


def test_told_not_to_come_tomorrow_is_an_imminent_dismissal():
    assert handover.imminent_dismissal("主管说我明天不用来了")
