"""Stored assessments and the tests done in part (``TestPlan.to_complete``): a new row
keeps them, and a row stored before the field existed still reads back, with none."""

from __future__ import annotations

import json
from typing import Any

from hemifacial.domain.case import parse_case
from hemifacial.domain.knowledge.loader import load_knowledge_base
from hemifacial.domain.reasoning.assess import Assessment, assess
from hemifacial.services.stored import rebuild

KB = load_knowledge_base()


def _stored(values: dict[str, str]) -> tuple[Assessment, dict[str, Any]]:
    a = assess(KB, parse_case(KB, values, "referral_clinic"))
    return a, json.loads(json.dumps(a.to_dict()))


def test_a_stored_plan_keeps_its_tests_done_in_part() -> None:
    a, data = _stored({"side": "left", "mri_nvc_rez": "yes"})
    (done,) = data["tests"]["to_complete"]
    assert done["test_id"] == "mri_protocol" and done["recorded_findings"] == ["mri_nvc_rez"]
    assert done["reason"] == a.tests.to_complete[0].reason
    back = rebuild(Assessment, data)
    assert back.tests == a.tests
    assert back.tests.to_complete[0].recorded_findings == ("mri_nvc_rez",)


def test_a_plan_stored_before_tests_done_in_part_reads_back_with_none() -> None:
    a, data = _stored({"side": "left", "age_at_onset": "58"})
    assert a.tests.ranked and not a.tests.to_complete
    del data["tests"]["to_complete"]
    for t in data["tests"]["ranked"]:
        del t["recorded_findings"]
    back = rebuild(Assessment, data)
    assert back.tests.to_complete == ()
    assert all(t.recorded_findings == () for t in back.tests.ranked)
    assert back.tests == a.tests
