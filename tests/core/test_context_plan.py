"""context.plan(): estimates calibrated by real prompt_tokens, the reply reserve, trim and summarize."""

from __future__ import annotations

from causerie.core.conversation.context import (
    calibration,
    estimate_messages,
    make_summary,
    plan,
    request_messages,
    summary_request,
)
from causerie.core.conversation.models import Conversation, Message, Usage


def chat(turns: int, size: int = 400, system: str = "Be brief.") -> Conversation:
    conversation = Conversation(system_prompt=system)
    for n in range(turns):
        conversation.append(Message("user", f"question {n} " + "q" * size))
        conversation.append(Message("assistant", f"answer {n} " + "a" * size))
    return conversation


def test_small_conversation_fits() -> None:
    conversation = chat(2)
    result = plan(conversation, 100_000)
    assert result.fits and not result.dropped and not result.summarize
    assert result.messages == request_messages(conversation)
    assert 0 < result.percent < 1


def test_calibration_from_the_real_prompt_tokens_of_an_earlier_reply() -> None:
    conversation = chat(1)
    reply = conversation.active_path()[-1]
    estimate = estimate_messages(request_messages(conversation, upto=reply.parent))
    reply.usage = Usage(prompt_tokens=estimate * 2, completion_tokens=5, total_tokens=estimate * 2 + 5)
    assert calibration(conversation) == 2.0
    conversation.append(Message("user", "next"))
    doubled = plan(conversation, 1_000_000).tokens
    reply.usage = Usage(prompt_tokens=estimate, completion_tokens=5, total_tokens=estimate + 5, estimated=True)
    assert calibration(conversation) == 1.0  # estimates do not calibrate
    assert abs(plan(conversation, 1_000_000).tokens * 2 - doubled) <= 1


def test_trim_drops_the_oldest_turns_and_keeps_the_system_prompt() -> None:
    conversation = chat(10)
    conversation.append(Message("user", "the newest question"))
    full = plan(conversation, 10_000_000, policy="off").tokens
    result = plan(conversation, full // 2, reserve=0, policy="trim")
    assert result.fits and result.tokens <= full // 2
    assert result.dropped and result.dropped[0].content.startswith("question 0")
    assert result.messages[0] == {"role": "system", "content": "Be brief."}
    assert result.messages[-1] == {"role": "user", "content": "the newest question"}
    assert result.messages[1]["role"] == "user"  # a cut lands before a question, not between it and its answer
    sent = {m["content"] for m in result.messages}
    assert not any(m.content in sent for m in result.dropped)


def test_off_sends_everything_and_says_it_does_not_fit() -> None:
    conversation = chat(10)
    conversation.append(Message("user", "q"))
    result = plan(conversation, 500, policy="off")
    assert not result.fits and not result.dropped
    assert result.messages == request_messages(conversation)


def test_reserve_for_the_reply_counts() -> None:
    conversation = chat(3)
    conversation.append(Message("user", "q"))
    tokens = plan(conversation, 10_000_000).tokens
    assert plan(conversation, tokens + 40, reserve=0).fits
    assert not plan(conversation, tokens + 40, reserve=50, policy="off").fits
    # The reserve never takes more than a quarter of a small window.
    assert plan(conversation, tokens * 2, reserve=10_000).reserve == tokens * 2 // 4


def test_summarize_names_the_oldest_turns_then_the_summary_stands_in_for_them() -> None:
    conversation = chat(10)
    conversation.append(Message("user", "the newest question"))
    full = plan(conversation, 10_000_000).tokens
    result = plan(conversation, full // 2, reserve=0)
    assert result.policy == "summarize" and not result.fits
    oldest = result.summarize
    assert oldest and oldest[0].content.startswith("question 0") and oldest[-1].role == "assistant"
    asked = summary_request(conversation, oldest, None)
    assert asked[0]["role"] == "system" and "question 0" in asked[1]["content"]

    conversation.append(make_summary("They asked ten questions.", oldest[-1]))
    after = plan(conversation, full // 2, reserve=0)
    assert after.fits and not after.summarize
    assert after.messages[0]["content"] == "Be brief."
    assert after.messages[1]["role"] == "system" and "They asked ten questions." in after.messages[1]["content"]
    sent = " ".join(m["content"] for m in after.messages)
    assert "question 0" not in sent and "the newest question" in sent


def test_reasoning_is_never_sent_back() -> None:
    conversation = Conversation()
    conversation.append(Message("user", "q"))
    conversation.append(Message("assistant", "A", reasoning="secret chain of thought"))
    assert "secret" not in str(request_messages(conversation))
