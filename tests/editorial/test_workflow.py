"""The transition table and the desk's workflow rules: roles, states, self-approval,
edits that must verify, versions and diffs, merge and split."""

from __future__ import annotations

import pytest

from medcite.editorial.articles import diff_answers, slugify
from medcite.editorial.desk import WITHDRAWN_BY_BOARD, WITHDRAWN_BY_EDITORS, Desk
from medcite.editorial.editing import check_edit
from medcite.editorial.errors import (
    ForbiddenError,
    GoneError,
    UnauthorizedError,
    VerificationError,
    WorkflowError,
)
from medcite.editorial.models import STATES, User
from medcite.editorial.workflow import TRANSITIONS, VERBS, next_states, target_of
from medcite.errors import InvalidRequestError, NotFoundError
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
    with pytest.raises(ForbiddenError, match="wrote, edited or submitted"):
        desk.act(team["ada"], article.id, "approve")
    assert desk.articles.get(article.id).state == "submitted"  # the start-review rolled back
    desk.act(team["rita"], article.id, "approve")


def test_no_self_approval_through_another_editors_edit(desk: Desk,
                                                      team: dict[str, User]) -> None:
    """The back door: Ada writes and submits; Erin makes a no-op edit and resubmits, so
    Erin is now the submitter and the author of the current version. Ada still may not
    approve, and the refusal is audited with who, what and why."""
    article, _ = desk.create(team["ada"], Q_PUBLISHED)
    desk.act(team["ada"], article.id, "submit")
    desk.act(team["rita"], article.id, "request-changes", "Tighten the wording.")
    same = desk.articles.current(desk.articles.get(article.id)).answer.all_sentences()[0].text
    desk.edit_sentence(team["erin"], article.id, 0, same)
    desk.act(team["erin"], article.id, "submit")
    assert not desk.may_approve(team["ada"], article.id)
    with pytest.raises(ForbiddenError, match="wrote, edited or submitted"):
        desk.act(team["ada"], article.id, "approve")
    assert desk.articles.get(article.id).state == "submitted"
    denied = [e for e in desk.history(team["rita"], article.id) if e.action == "denied"]
    assert [(e.actor, e.detail["attempted"]) for e in denied] == [("ada", "approve")]
    assert "since its last approval" in denied[0].detail["reason"]
    assert desk.may_approve(team["ravi"], article.id)
    approved = desk.act(team["ravi"], article.id, "approve")
    assert approved.state == "approved"
    # the approval starts afresh: a re-review of the approved content is anyone's to decide
    assert desk.articles.contributors_since_approval(article.id) == set()


def test_denied_actions_are_audited(desk: Desk, team: dict[str, User]) -> None:
    article, _ = desk.create(team["erin"], Q_PUBLISHED)
    for name, action in (("rex", "submit"), ("rita", "regenerate"), ("rex", "comment")):
        with pytest.raises(ForbiddenError):
            if action == "regenerate":
                desk.regenerate(team[name], article.id)
            elif action == "comment":
                desk.comment(team[name], article.id, "article", "Looks fine")
            else:
                desk.act(team[name], article.id, action)
    with pytest.raises(UnauthorizedError):
        desk.act(None, article.id, "submit")  # nobody to name: not audited
    denied = [(e.actor, e.detail["attempted"]) for e in desk.history(team["erin"], article.id)
              if e.action == "denied"]
    assert denied == [("rex", "submit"), ("rita", "regenerate"), ("rex", "comment")]


def publish_then_revise(desk: Desk, team: dict[str, User]) -> int:
    """A published article (version 1) whose revision (version 2) is under review."""
    article, _ = desk.create(team["erin"], Q_PUBLISHED)
    desk.act(team["erin"], article.id, "submit")
    desk.act(team["rita"], article.id, "approve")
    desk.act(team["erin"], article.id, "publish")
    desk.act(team["rita"], article.id, "re-review")
    desk.act(team["rita"], article.id, "request-changes", "New evidence: update it.")
    desk.regenerate(team["erin"], article.id)
    desk.act(team["erin"], article.id, "submit")
    return article.id


def test_a_rejected_revision_keeps_the_approved_version_public(
        desk: Desk, team: dict[str, User]) -> None:
    article_id = publish_then_revise(desk, team)
    desk.act(team["ravi"], article_id, "reject", "Not better than version 1.")
    article = desk.articles.get(article_id)
    assert (article.state, article.published_version, article.withdrawn_at) == (
        "rejected", 1, None)
    public = desk.public_view(article)
    assert public.version == 1 and public.approval is not None
    assert public.approval.by == "Rita Reviewer, MD, FACP"
    assert public.revision_rejected_at == desk.articles.last_event_at(article_id, "reject")


def test_rejecting_the_public_version_withdraws_it(desk: Desk, team: dict[str, User]) -> None:
    article, _ = desk.create(team["erin"], Q_PUBLISHED)
    with pytest.raises(NotFoundError):
        desk.public_view(article)  # never published
    desk.act(team["erin"], article.id, "submit")
    desk.act(team["rita"], article.id, "approve")
    desk.act(team["erin"], article.id, "publish")
    desk.act(team["ravi"], article.id, "re-review")
    desk.act(team["ravi"], article.id, "reject", "Superseded by the 2024 guideline.")
    withdrawn = desk.articles.get(article.id)
    assert withdrawn.published_version is None and withdrawn.withdrawn_at
    assert withdrawn.withdrawn_reason == WITHDRAWN_BY_BOARD  # the note stays internal
    with pytest.raises(GoneError, match=f"withdrawn on {withdrawn.withdrawn_at[:10]}"):
        desk.public_view(withdrawn)
    with pytest.raises(GoneError):
        desk.view(team["rex"], article.id)
    # a newly approved version brings it back
    desk.act(team["erin"], article.id, "reopen")
    desk.act(team["erin"], article.id, "submit")
    desk.act(team["rita"], article.id, "approve")
    back = desk.act(team["erin"], article.id, "publish")
    assert (back.published_version, back.withdrawn_at) == (1, None)
    assert desk.public_view(back).version == 1


def test_unpublishing_withdraws(desk: Desk, team: dict[str, User]) -> None:
    article, _ = desk.create(team["erin"], Q_PUBLISHED)
    desk.act(team["erin"], article.id, "submit")
    desk.act(team["rita"], article.id, "approve")
    desk.act(team["erin"], article.id, "publish")
    gone = desk.act(team["erin"], article.id, "unpublish", "Duplicate of another article.")
    assert (gone.published_version, gone.withdrawn_reason) == (None, WITHDRAWN_BY_EDITORS)
    with pytest.raises(GoneError, match="took it off the site"):
        desk.public_view(gone)


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
