import random

from kehu.grading.demo import load_demo_grading
from kehu.grading.models import ScorecardPolicy


def test_demo_approves_a_policy_once(world):
    first = load_demo_grading(random.Random(1))
    assert first["created"] is True
    policy = ScorecardPolicy.objects.get()
    assert policy.status == "approved" and policy.approved_by_id != policy.created_by_id
    assert load_demo_grading(random.Random(1))["created"] is False
    assert ScorecardPolicy.objects.count() == 1
