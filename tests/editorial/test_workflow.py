"""The transition table and the desk's workflow rules: roles, states, self-approval,
edits that must verify, versions and diffs, merge and split."""

from __future__ import annotations

import pytest

from medcite.editorial.articles import diff_answers, slugify
from medcite.editorial.desk import Desk
from medcite.editorial.editing import check_edit
from medcite.editorial.errors import (
    ForbiddenError,
    UnauthorizedError,
    VerificationError,
    WorkflowError,
)
from medcite.editorial.models import STATES, User
from medcite.editorial.workflow import TRANSITIONS, VERBS, next_states, target_of
from medcite.errors import InvalidRequestError
from tests.editorial.conftest import Q_PUBLISHED, Q_ROUTED

TARGET = "A blood pressure target of less than 130/80 mm Hg is recommended for most adults " \
         "with hypertension."


def sentence_index(desk: Desk, article_id: int, text: str) -> int:
    answer = desk.articles.current(desk.articles.get(article_id)).answer
    return next(i for i, s in enumerate(answer.all_sentences()) if s.text == text)


def test_the_table_is_complete_and_consistent() -> None:
    assert set(VERBS) == set(TRANSITIONS)
    for (a, b), roles in TRANSITIONS.items():
        assert a in STATES and b in STATES and a != b
        assert roles and "reader" not in roles
    # every state can be left, and every state but draft can be reached
    assert {a for a, _ in TRANSITIONS} == set(STATES)
    assert {b for _, b in TRANSITIONS} == set(STATES)
    # only reviewers (and admins) decide; only editors (and admins) publish
    assert TRANSITIONS[("under_review", "approved")] == {"reviewer", "admin"}
    assert TRANSITIONS[("approved", "published")] == {"editor", "admin"}


def test_target_of_reads_a_reviewer_verb_on_a_submitted_article() -> None:
    assert target_of("approve", "submitted") == "approved"
    assert target_of("submit", "changes_requested") == "submitted"
    with pytest.raises(WorkflowError, match="not possible"):
        target_of("publish", "draft")
    with pytest.raises(WorkflowError, match="Unknown action"):
        target_of("bless", "draft")


def test_next_states_by_role() -> None:
    reviewer = User(id=1, username="r", name="R", role="reviewer")
    editor = User(id=2, username="e", name="E", role="editor")
    assert set(next_states(reviewer, "submitted")) == {
        "under_review", "changes_requested", "approved", "rejected"}
    assert next_states(editor, "submitted") == ["draft"]
    assert next_states(None, "submitted") == []


def test_the_whole_review_cycle(desk: Desk, team: dict[str, User]) -> None:
    article, routed = desk.create(team["erin"], Q_PUBLISHED)
    assert (routed, article.state, article.current_version) == (False, "draft", 1)
    assert article.slug == "first-line-treatment-for-hypertension"
    assert article.topic == "Treatment and management"
    desk.act(team["erin"], article.id, "submit")
    desk.comment(team["rita"], article.id, "sentence:0", "Is this the right guideline?")
    assert desk.articles.get(article.id).state == "under_review"  # commenting starts review
    desk.act(team["rita"], article.id, "request-changes", "Reword the target sentence.")
    i = sentence_index(desk, article.id, TARGET)
    with pytest.raises(VerificationError, match="cited passages: 120"):
        desk.edit_sentence(team["erin"], article.id, i, TARGET.replace("130/80", "120/80"))
    assert desk.articles.get(article.id).current_version == 1  # nothing saved
    new = "For most adults with hypertension, a blood pressure target of less than 130/80 " \
          "mm Hg is recommended."
    version = desk.edit_sentence(team["erin"], article.id, i, new)
    assert version.n == 2 and version.answer.all_sentences()[i].text == new
    assert desk.articles.version(article.id, 1).answer.all_sentences()[i].text == TARGET
    desk.act(team["erin"], article.id, "submit")
    desk.act(team["ravi"], article.id, "approve", "Checked against the AHA guideline.")
    done = desk.act(team["erin"], article.id, "publish")
    assert (done.state, done.published_version) == ("published", 2)
    approval = desk.articles.version(article.id, 2).approval
    assert approval is not None and (approval.name, approval.credentials) == (
        "Ravi Reviewer", "MD, PhD")
    steps = [(e.actor, e.action, e.from_state, e.to_state)
             for e in desk.history(team["rita"], article.id)]
    assert steps == [
        ("erin", "create", None, "draft"), ("erin", "submit", "draft", "submitted"),
        ("rita", "start-review", "submitted", "under_review"), ("rita", "comment", None, None),
        ("rita", "request-changes", "under_review", "changes_requested"),
        ("erin", "edit", "changes_requested", "changes_requested"),
        ("erin", "submit", "changes_requested", "submitted"),
        ("ravi", "start-review", "submitted", "under_review"),
        ("ravi", "approve", "under_review", "approved"),
        ("erin", "publish", "approved", "published")]


def test_nobody_approves_their_own_submission(desk: Desk, team: dict[str, User]) -> None:
    article, _ = desk.create(team["ada"], Q_PUBLISHED)
    desk.act(team["ada"], article.id, "submit")
    with pytest.raises(ForbiddenError, match="submitted or wrote"):
        desk.act(team["ada"], article.id, "approve")
    assert desk.articles.get(article.id).state == "submitted"  # the start-review rolled back
    desk.act(team["rita"], article.id, "approve")


def test_roles_are_checked(desk: Desk, team: dict[str, User]) -> None:
    with pytest.raises(UnauthorizedError):
        desk.create(None, Q_PUBLISHED)
    with pytest.raises(ForbiddenError):
        desk.create(team["rita"], Q_PUBLISHED)
    article, _ = desk.create(team["erin"], Q_PUBLISHED)
    with pytest.raises(ForbiddenError):
        desk.act(team["rex"], article.id, "submit")
    desk.act(team["erin"], article.id, "submit")
    for name in ("rex", "erin"):
        with pytest.raises(ForbiddenError):
            desk.act(team[name], article.id, "approve")
    with pytest.raises(ForbiddenError):
        desk.comment(team["rex"], article.id, "article", "Looks fine")
    with pytest.raises(WorkflowError, match="cannot become"):
        desk.transition(team["ada"], article.id, "published")


def test_edits_only_in_editable_states(desk: Desk, team: dict[str, User]) -> None:
    article, _ = desk.create(team["erin"], Q_PUBLISHED)
    desk.act(team["erin"], article.id, "submit")
    with pytest.raises(WorkflowError, match="revised only"):
        desk.edit_sentence(team["erin"], article.id, 0, "Anything.")
    with pytest.raises(ForbiddenError):
        desk.regenerate(team["rita"], article.id)


def test_edit_checks_explain_what_failed(desk: Desk, team: dict[str, User]) -> None:
    article, _ = desk.create(team["erin"], Q_PUBLISHED)
    answer = desk.articles.current(article).answer
    i = sentence_index(desk, article.id, TARGET)
    ok = check_edit(answer, i, TARGET)
    assert ok.ok and ok.support == 1.0
    bad = check_edit(answer, i, TARGET.replace("130/80", "140/90"))
    assert not bad.ok and bad.untraced == ["140", "90 mm Hg"]
    assert "cited passages: 140, 90 mm Hg" in bad.reasons[0]
    vague = check_edit(answer, i, "Garlic supplements cure hypertension permanently.")
    assert not vague.ok and "garlic" in vague.unsupported_terms
    with pytest.raises(InvalidRequestError, match="no reference"):
        check_edit(answer, i, TARGET, citations=[99])


def test_regenerate_and_diff(desk: Desk, team: dict[str, User]) -> None:
    article, _ = desk.create(team["erin"], Q_PUBLISHED)
    i = sentence_index(desk, article.id, TARGET)
    desk.edit_sentence(team["erin"], article.id, i, "For most adults with hypertension, a "
                       "blood pressure target of less than 130/80 mm Hg is recommended.")
    third = desk.regenerate(team["erin"], article.id)
    assert (third.n, third.reason) == (3, "regenerated")
    lines = diff_answers(desk.articles.version(article.id, 1).answer,
                         desk.articles.version(article.id, 2).answer)
    changed = [(d.op, d.text) for d in lines if d.op != " "]
    assert len(changed) == 2 and changed[0][0] == "-" and TARGET in changed[0][1]
    assert [v.n for v in desk.versions(team["rita"], article.id)] == [1, 2, 3]


def test_merge_and_split(desk: Desk, team: dict[str, User]) -> None:
    first, _ = desk.create(team["erin"], Q_PUBLISHED)
    other, _ = desk.create(team["erin"], "What are the symptoms of high blood pressure?")
    merged = desk.merge(team["erin"], other.id, first.id)
    assert "What are the symptoms of high blood pressure?" in merged.questions
    assert desk.articles.get(other.id).merged_into == first.id
    again, routed = desk.create(team["erin"], "What are the symptoms of high blood pressure?")
    assert routed and again.id == first.id  # routed to the merged article from now on
    split = desk.split(team["erin"], first.id, "What are the symptoms of high blood pressure?")
    assert split.id not in (first.id, other.id) and split.state == "draft"
    assert split.slug == "symptoms-of-high-blood-pressure-2"
    assert "What are the symptoms of high blood pressure?" not in \
        desk.articles.get(first.id).questions
    with pytest.raises(InvalidRequestError):
        desk.split(team["erin"], first.id, Q_PUBLISHED)  # not its own question
    with pytest.raises(ForbiddenError):
        desk.merge(team["rita"], split.id, first.id)


def test_routing_keeps_one_article_per_question(desk: Desk, team: dict[str, User]) -> None:
    first, _ = desk.create(team["erin"], Q_PUBLISHED)
    again, routed = desk.create(team["erin"], Q_ROUTED)
    assert routed and again.id == first.id and Q_ROUTED in again.questions
    different, routed = desk.create(team["erin"], "How is hypertension diagnosed?")
    assert not routed and different.id != first.id
    assert [e.action for e in desk.history(team["erin"], first.id)] == ["create", "route"]


def test_queue_by_role(prepared_desk: Desk) -> None:
    desk = prepared_desk
    reviewer, editor = desk.accounts.require("rita"), desk.accounts.require("erin")
    assert {a.state for a in desk.queue(reviewer)} == {"under_review"}
    assert {a.state for a in desk.queue(editor)} == {"under_review", "changes_requested",
                                                     "draft"}
    with pytest.raises(ForbiddenError):
        desk.queue(desk.accounts.require("rex"))


def test_slugs_are_readable() -> None:
    assert slugify("What is the management approach for leptomeningeal enhancement?") == \
        "management-of-leptomeningeal-enhancement"
    assert slugify("How is type 2 diabetes treated in children?") == \
        "how-is-type-2-diabetes-treated-in-children"
    assert len(slugify("What is " + "very " * 40 + "long?")) <= 80
    assert slugify("???") == "article"
