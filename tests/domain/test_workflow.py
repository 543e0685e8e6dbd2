"""The agreement workflow's table (ledger/domain/workflow.py) against docs/domain.md, written out by
hand: who may take which action in each state, whom a version waits for, and what each
action records and clears."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from ledger.domain import workflow
from ledger.domain.enums import Role, Side, VersionStatus
from ledger.domain.errors import Conflict
from ledger.domain.workflow import Standing, State, Who

S = VersionStatus
NOW = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)
HOST = Standing(side=Side.RECEIVER)
RECOMMENDER = Standing(side=Side.RECOMMENDER)
STATISTICS = Standing(body=Role.STATISTICS)
COMMERCE = Standing(body=Role.COMMERCE)
NOBODY = Standing()  # an administrator, or a region party to nothing
R, C = Side.RECEIVER, Side.RECOMMENDER

# state → {standing: (actions allowed, waits for it)}; a standing not listed may do nothing.
TRUTH = {
    "draft by the host": (State(S.DRAFT, R), {
        HOST: (["edit", "withdraw"], False),
        RECOMMENDER: (["confirm", "edit", "decline"], True)}),
    "draft by the recommender": (State(S.DRAFT, C), {
        HOST: (["confirm", "edit", "withdraw"], True),
        RECOMMENDER: (["edit", "decline"], False)}),
    "amendment by the recommender": (State(S.DRAFT, C, ever_filed=True), {
        HOST: (["confirm", "edit"], True),
        RECOMMENDER: (["edit"], False)}),
    "amendment by the host": (State(S.DRAFT, R, ever_filed=True), {
        HOST: (["edit"], False),
        RECOMMENDER: (["confirm", "edit"], True)}),
    "signed": (State(S.SIGNED, R), {
        HOST: (["submit"], True), RECOMMENDER: (["submit"], True)}),
    "submitted": (State(S.SUBMITTED, R), {
        STATISTICS: (["acknowledge", "return"], True),
        COMMERCE: (["acknowledge", "return"], True)}),
    "acknowledged by statistics": (State(S.SUBMITTED, R, ("statistics",)), {
        STATISTICS: (["return"], False),
        COMMERCE: (["acknowledge", "return"], True)}),
    # docs/domain.md: after a return either party edits it, so it waits for both.
    "returned": (State(S.RETURNED, R), {
        HOST: (["edit", "withdraw"], True), RECOMMENDER: (["edit"], True)}),
    "returned amendment": (State(S.RETURNED, C, ever_filed=True), {
        HOST: (["edit"], True), RECOMMENDER: (["edit"], True)}),
    "filed": (State(S.FILED, R, ("statistics", "commerce"), ever_filed=True), {
        HOST: (["amend"], False), RECOMMENDER: (["amend"], False)}),
    "withdrawn": (State(S.WITHDRAWN, R), {}),
    "declined": (State(S.DECLINED, R), {}),
    "superseded": (State(S.SUPERSEDED, R, ever_filed=True), {}),
}
STANDINGS = {"host": HOST, "recommender": RECOMMENDER, "statistics": STATISTICS,
             "commerce": COMMERCE, "nobody": NOBODY}


@pytest.mark.parametrize("standing", STANDINGS)
@pytest.mark.parametrize("name", TRUTH)
def test_who_may_do_what_in_each_state_and_whom_it_waits_for(name, standing):
    state, cells = TRUTH[name]
    actions, waits = cells.get(STANDINGS[standing], ([], False))
    assert workflow.allowed(STANDINGS[standing], state) == actions
    assert workflow.waits_for(STANDINGS[standing], state) is waits


def test_the_table_names_every_action_once_and_offers_those_a_user_takes_on_a_version():
    assert workflow.ACTIONS == ("create", "confirm", "submit", "acknowledge", "return", "edit",
                                "amend", "decline", "withdraw", "supersede")
    assert workflow.OFFERED == ("confirm", "submit", "acknowledge", "return", "edit", "amend",
                                "decline", "withdraw")
    for step in workflow.STEPS:
        assert set(step.awaited) <= set(step.sources), step.action
    # Every status is reached by some action; only create starts from nothing.
    assert {s.target for s in workflow.STEPS} == set(S)
    assert [s.action for s in workflow.STEPS if not s.sources] == ["create"]


def test_who_admits_whom():
    admitted = {who: [name for name, s in STANDINGS.items() if who.admits(s)] for who in Who}
    assert admitted == {
        Who.HOST: ["host"], Who.RECOMMENDER: ["recommender"],
        Who.EITHER_PARTY: ["host", "recommender"], Who.OTHER_PARTY: ["host", "recommender"],
        Who.FILING_BODY: ["statistics", "commerce"]}


def test_the_actions_after_which_no_acknowledgement_stands():
    assert workflow.RESETS_ACKNOWLEDGEMENTS == ("submit", "return", "edit")


def test_the_red_buttons_are_those_that_return_a_version_or_end_the_chain():
    assert [a for a in workflow.OFFERED if workflow.STEP[a].turns_back] == [
        "return", "decline", "withdraw"]


def _refused(action, standing, state) -> Conflict:
    with pytest.raises(Conflict) as info:
        workflow.take(action, standing, state, NOW)
    return info.value


def test_each_refusal_has_its_own_code():
    err = _refused("submit", HOST, State(S.DRAFT, R))
    assert err.code == "workflow.not_allowed"
    assert err.message.params == {"action": "submit", "status": "draft", "allowed": "signed"}
    assert _refused("edit", HOST, State(S.SUBMITTED, R)).message.params["allowed"] == "draft, returned"
    assert _refused("confirm", HOST, State(S.DRAFT, R)).code == "workflow.confirm_own"
    err = _refused("acknowledge", STATISTICS, State(S.SUBMITTED, R, ("statistics",)))
    assert (err.code, err.message.params) == ("workflow.already_acknowledged", {"body": "statistics"})
    assert _refused("amend", HOST, State(S.SUBMITTED, R, ever_filed=True)).code == "workflow.amend_unfiled"
    assert _refused("withdraw", HOST, State(S.RETURNED, C, ever_filed=True)).code == "workflow.withdraw_filed"
    assert _refused("decline", RECOMMENDER, State(S.DRAFT, R, ever_filed=True)).code == "workflow.decline_filed"
    # The status is looked at first: a filed chain's submitted version is not withdrawn at all.
    assert _refused("withdraw", HOST, State(S.SUBMITTED, R, ever_filed=True)).code == "workflow.not_allowed"


def test_what_each_action_records_and_clears():
    acks = {"statistics_ack_at": None, "commerce_ack_at": None}
    assert workflow.take("confirm", RECOMMENDER, State(S.DRAFT, R), NOW) == \
        workflow.Transition(S.SIGNED, {"confirmed_at": NOW})
    assert workflow.take("submit", HOST, State(S.SIGNED, R), NOW) == \
        workflow.Transition(S.SUBMITTED, {"submitted_at": NOW} | acks)
    assert workflow.take("return", COMMERCE, State(S.SUBMITTED, R, ("statistics",)), NOW,
                         reason="签字页缺失") == \
        workflow.Transition(S.RETURNED, {"return_reason": "签字页缺失"} | acks)
    assert workflow.take("edit", RECOMMENDER, State(S.RETURNED, R), NOW) == workflow.Transition(
        S.DRAFT, {"proposed_by": Side.RECOMMENDER, "confirmed_at": None, "submitted_at": None,
                  "return_reason": None} | acks)
    assert workflow.take("amend", HOST, State(S.FILED, C, ever_filed=True), NOW) == \
        workflow.Transition(S.DRAFT, {"proposed_by": Side.RECEIVER})
    assert workflow.take("withdraw", HOST, State(S.DRAFT, R), NOW) == workflow.Transition(S.WITHDRAWN)
    assert workflow.take("decline", RECOMMENDER, State(S.DRAFT, R), NOW, reason="并非我区推荐") == \
        workflow.Transition(S.DECLINED)  # the reason is the event's, not the version's
    assert workflow.opening() == workflow.Transition(S.DRAFT, {"proposed_by": Side.RECEIVER})
    assert workflow.supersede(2027) == workflow.Transition(S.SUPERSEDED, {"superseded_from": 2027})


def test_the_second_acknowledgement_files_the_version_in_either_order():
    for first, second in ((STATISTICS, COMMERCE), (COMMERCE, STATISTICS)):
        one = workflow.take("acknowledge", first, State(S.SUBMITTED, R), NOW)
        assert one == workflow.Transition(S.SUBMITTED, {f"{first.body}_ack_at": NOW})
        two = workflow.take("acknowledge", second, State(S.SUBMITTED, R, (first.body,)), NOW)
        assert two == workflow.Transition(S.FILED, {f"{second.body}_ack_at": NOW})


def test_a_version_walks_the_spec_path_through_the_table():
    """Opened by the host, confirmed, submitted, returned, edited by the recommender,
    confirmed by the host, submitted, acknowledged twice: filed."""
    v = SimpleNamespace(status=None, proposed_by=None, confirmed_at=None, submitted_at=None,
                        return_reason=None, statistics_ack_at=None, commerce_ack_at=None)
    chain = SimpleNamespace(newest=v, versions=[v])
    workflow.opening().apply(v)

    def act(action, standing, **given):
        v.acknowledged_by = workflow.acknowledged_by(
            {body: getattr(v, field) for body, field in workflow.ACK_FIELD.items()})
        workflow.take(action, standing, workflow.state_of(chain), NOW, **given).apply(v)
        return v.status

    assert [act("confirm", RECOMMENDER), act("submit", RECOMMENDER), act("acknowledge", STATISTICS),
            act("return", COMMERCE, reason="缺页")] == ["signed", "submitted", "submitted", "returned"]
    assert v.statistics_ack_at is None and v.return_reason == "缺页"
    assert act("edit", RECOMMENDER) == "draft" and v.proposed_by == Side.RECOMMENDER
    assert v.return_reason is None and v.confirmed_at is None and v.submitted_at is None
    assert workflow.allowed(RECOMMENDER, workflow.state_of(chain)) == ["edit", "decline"]
    assert [act("confirm", HOST), act("submit", HOST), act("acknowledge", COMMERCE),
            act("acknowledge", STATISTICS)] == ["signed", "submitted", "submitted", "filed"]
    assert workflow.ever_filed(chain.versions)
