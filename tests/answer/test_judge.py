"""The model judge, the verifier's optional second tier: asked only what the rules cannot
settle, its yes/no decides it; an unreachable or unclear judge settles nothing."""

from __future__ import annotations

import json
from pathlib import Path

from medcite.answer.judge import ModelJudge
from medcite.answer.llm_client import ChatClient
from medcite.answer.verify import check_sentence
from medcite.service import Medcite
from medcite.settings import load_settings
from tests.conftest import doc, write_jsonl
from tests.llm_server import Reply, ScriptedServer, scripted, silent_port, smollm2, sse_deltas

__all__ = ["scripted", "silent_port", "smollm2"]  # fixtures, used by name

PASSAGE = "Colchicine reduced pain in acute gout flares compared with placebo (p < 0.01)."
PARAPHRASE = "Compared with placebo, colchicine significantly reduced pain in gout flares."
CONTRADICTION = "Compared with placebo, colchicine significantly increased pain in gout flares."


def said(text: str) -> Reply:
    return Reply(body={"choices": [{"index": 0, "message": {"role": "assistant",
                                                            "content": text},
                                    "finish_reason": "stop"}]})


def client(url: str, timeout_s: float = 10.0) -> ChatClient:
    return ChatClient(url, "judge", timeout_s=timeout_s, retries=0, backoff_s=0.01)


def test_the_judge_decides_what_the_rules_accept(scripted: ScriptedServer) -> None:
    assert check_sentence(PARAPHRASE, [PASSAGE]).ok  # the rules alone accept it
    scripted.replies = [said("No")]
    judge = ModelJudge(client(scripted.base_url))
    check = check_sentence(PARAPHRASE, [PASSAGE], judge=judge)
    assert not check.ok and [code for code, _ in check.reasons] == ["judge"]
    asked = scripted.requests[0]
    assert asked["max_tokens"] == 2 and asked["temperature"] == 0.0
    assert PARAPHRASE in asked["messages"][1]["content"]
    assert PASSAGE in asked["messages"][1]["content"]  # the aligned passage sentence
    scripted.replies = [said("Yes.")]
    assert check_sentence(PARAPHRASE, [PASSAGE], judge=judge).ok


def test_the_judge_never_overrules_a_contradiction(scripted: ScriptedServer) -> None:
    scripted.replies = [said("Yes")] * 3
    judge = ModelJudge(client(scripted.base_url))
    check = check_sentence(CONTRADICTION, [PASSAGE], judge=judge)
    assert not check.ok and "direction" in {code for code, _ in check.reasons}
    assert judge.asked == 0 and scripted.requests == []


def test_an_unclear_or_unreachable_judge_settles_nothing(scripted: ScriptedServer,
                                                         silent_port: int) -> None:
    scripted.replies = [said("Perhaps")]
    assert ModelJudge(client(scripted.base_url))(PARAPHRASE, PASSAGE) is None
    slow = ModelJudge(client(f"http://127.0.0.1:{silent_port}/v1", timeout_s=0.5))
    assert slow(PARAPHRASE, PASSAGE) is None
    assert check_sentence(PARAPHRASE, [PASSAGE], judge=slow).ok  # the rules' verdict stands


def test_a_real_local_model_answers_the_judges_question(smollm2: str) -> None:
    # SmolLM2-135M is a test model: its yes/no is no evidence, but it is one word
    judge = ModelJudge(client(smollm2, timeout_s=120.0))
    assert judge(PARAPHRASE, PASSAGE) in (True, False)
    assert judge.asked == 1


def test_the_setting_puts_the_judge_behind_the_llm_writer(scripted: ScriptedServer,
                                                          tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [
        doc("pmid:1", PASSAGE, title="Colchicine for gout flares: a randomized trial"),
        doc("pmid:2", "Allopurinol lowered serum urate in chronic gout.", title="Allopurinol")])
    page = {"bottom_line": [{"text": PARAPHRASE, "cites": [1]}], "guidelines": [],
            "research": []}
    for judge, kept in ((True, []), (False, [PARAPHRASE])):
        settings = load_settings(tmp_path / f"home-{judge}", embedder={"kind": "none"},
                                 answer={"llm": {"base_url": scripted.base_url, "judge": judge,
                                                 "retries": 0, "max_passages": 2}})
        with Medcite(settings) as service:
            service.ingest([corpus])
            scripted.requests.clear()
            scripted.replies = [Reply(events=sse_deltas(json.dumps(page))), said("No"),
                                Reply(events=sse_deltas(json.dumps({**page, "bottom_line": []})))]
            answer = service.ask("Does colchicine reduce pain in gout flares?", engine="llm",
                                 record=False)
            writer_sentences = [s.text for s in answer.summary if s.text == PARAPHRASE]
            assert writer_sentences == kept
            asked_judge = any(r.get("max_tokens") == 2 for r in scripted.requests)
            assert asked_judge == judge
