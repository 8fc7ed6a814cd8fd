"""The Slack digest through the real slack-sdk against the loopback Slack Web API."""

from __future__ import annotations

import json
from datetime import date

import pytest
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from tests import builders
from tests.fakes.slack import FakeSlack
from watcher.errors import DeliveryError
from watcher.scoring import Neighbour, Scored
from watcher.slack_notify import SlackNotifier, WebhookNotifier, escape, render_digest

CHANNEL = "C0123456789"
DAY = date(2025, 5, 21)


def scored(i: int, title: str | None = None, heading: str = "ASR/ST", authors: str = "") -> Scored:
    return builders.scored(
        f"2505.{i:05d}",
        title or f"Speech LLM paper number {i}",
        heading=heading,
        relevance=0.5 + i / 1000,
        authors=authors,
        standing=0.5 + i / 10,
    )


def web(fake: FakeSlack, token: str = "xoxb-test-token", retries: int = 1) -> WebClient:
    """Configured like build.slack_client: retries on 429, never blindly after a lost answer."""
    from watcher.build import slack_client
    from watcher.config import parse_settings
    from watcher.tokens import Secret

    settings = parse_settings(f'[slack]\nbase_url = "{fake.api_url}"\nretries = {retries}\ntimeout = 5.0\n')
    return slack_client(settings, Secret(token, "TEST"))


def test_digest_is_one_message_with_header_papers_and_pr_link(fake_slack: FakeSlack) -> None:
    note = SlackNotifier(web(fake_slack), CHANNEL)
    authors = "Ann Lee, Bo Chen (Univ. X, Lab Y), Cy Diaz, Dee Evans"
    done = note.post(
        [scored(1, authors=authors), scored(2, heading="multi-task")],
        day=DAY,
        pr_url="https://github.com/acme/papers/pull/7",
    )
    (msg,) = fake_slack.messages
    assert done is not None and done.ref == msg.ts and done.delivered == {"2505.00001", "2505.00002"}
    assert msg.unfurl_links is False and msg.unfurl_media is False
    assert msg.text.startswith("2 new papers for the list (2025-05-21): Speech LLM paper number 1;")
    header, context, first, second = msg.blocks
    assert second["text"]["text"].startswith("*<https://arxiv.org/abs/2505.00002|")
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": "2 new papers for the list · 2025-05-21"},
    }
    link, note_on_score = context["elements"]
    assert link["text"] == "<https://github.com/acme/papers/pull/7|Review the pull request>"
    assert note_on_score["text"].startswith("“Above N% of list entries”: the share of the list's own entries")
    # no entry under ASR/ST is near: the nearest of all, with its heading
    assert first["text"]["text"] == (
        "*<https://arxiv.org/abs/2505.00001|Speech LLM paper number 1>* · Ann Lee, Bo Chen (Univ. X, Lab Y), "
        "Cy Diaz et al.\n"
        "*ASR/ST* · above 60% of list entries · nearest: “Qwen2-Audio Technical Report” (multi-task)\n"
        "_unlike the list's typical entry:_ speech llm, asr"
    )
    assert second["text"]["text"].endswith(
        "\n*multi-task* · above 70% of list entries · nearest there: “Qwen2-Audio Technical Report”\n"
        "_unlike the list's typical entry:_ speech llm, asr"
    )
    assert msg.payload["metadata"] == {
        "event_type": "watcher_digest",
        "event_payload": {"day": "2025-05-21", "ids": "2505.00001,2505.00002"},
    }


HOSTILE = [
    "<!channel> free GPUs",
    "<https://evil.example|click me>",
    "<@U123> and <!here> & <#C1>",
    "Ampersand &amp; entity",
]


def test_hostile_titles_ping_no_one_and_link_nowhere(fake_slack: FakeSlack) -> None:
    SlackNotifier(web(fake_slack), CHANNEL).post([scored(i, t) for i, t in enumerate(HOSTILE, 1)], day=DAY, pr_url=None)
    (msg,) = fake_slack.messages
    payload = json.dumps(msg.payload)
    for needle in ("<!channel>", "<!here>", "<@U123>", "<https://evil", "<#C1>"):
        assert needle not in payload
    sections = [b["text"]["text"] for b in msg.blocks if b["type"] == "section"]
    assert "&lt;!channel&gt; free GPUs" in sections[0]
    assert "&amp;amp; entity" in sections[3]
    # the only links are the ones the bot made
    assert sections[0].count("<") == 1


def test_hostile_authors_neighbours_and_terms_ping_no_one_either(fake_slack: FakeSlack) -> None:
    hostile = builders.scored(
        "2505.00009",
        "A plain title",
        heading="<!channel>",
        runner_up="<@U1>",
        heading_scores={"<!channel>": 0.5, "<@U1>": 0.4},
        authors="<!here> Ann, <https://evil.example|Bo>, Cy &amp; Dee",
        nearest=(Neighbour("<!subteam^S1> entry", "<!channel>", 0.7),),
        terms=("<@U2>", "&lt;tag"),
        standing=0.5,
    )
    SlackNotifier(web(fake_slack), CHANNEL).post([hostile], day=DAY, pr_url=None)
    (msg,) = fake_slack.messages
    (section,) = [b["text"]["text"] for b in msg.blocks if b["type"] == "section"]
    for needle in ("<!here>", "<!channel>", "<@U1>", "<@U2>", "<https://evil", "<!subteam"):
        assert needle not in json.dumps(msg.payload)
    assert section.count("<") == 1  # the title's link
    assert "(or &lt;@U1&gt;)" in section and "Cy &amp;amp; Dee" in section


def test_escape() -> None:
    assert escape("a < b > c & d") == "a &lt; b &gt; c &amp; d"


def test_large_day_continues_in_the_thread_within_block_kit_limits(fake_slack: FakeSlack) -> None:
    items = [scored(i, "A very long title about speech language models " * 5) for i in range(1, 121)]
    done = SlackNotifier(web(fake_slack), CHANNEL).post(items, day=DAY, pr_url=None)
    (top,) = fake_slack.top_level()
    replies = fake_slack.thread(top.ts)
    assert done is not None and len(done.delivered) == 120
    assert len(replies) >= 2
    every = [top, *replies]
    ids = [i for m in every for i in m.payload["metadata"]["event_payload"]["ids"].split(",")]
    assert sorted(ids) == sorted(s.paper.arxiv_id for s in items)  # each paper exactly once
    for m in every:
        assert len(m.blocks) <= 50
        assert all(len(b["text"]["text"]) <= 3000 for b in m.blocks if b["type"] == "section")
        assert sum(len(b.get("text", {}).get("text", "")) for b in m.blocks) <= 12000
        assert m.text
    assert top.text.endswith(f"(part 1 of {len(every)}, continued in the thread)")


def test_nothing_is_posted_on_an_empty_day_unless_configured(fake_slack: FakeSlack) -> None:
    assert SlackNotifier(web(fake_slack), CHANNEL).post([], day=DAY, pr_url=None) is None
    assert fake_slack.messages == []
    done = SlackNotifier(web(fake_slack), CHANNEL, post_empty=True).post(
        [], day=DAY, pr_url=None, notes=["arXiv announced nothing on 2025-05-21"]
    )
    (msg,) = fake_slack.messages
    assert done is not None and done.delivered == frozenset()
    assert msg.blocks[0]["text"]["text"] == "No new papers for the list · 2025-05-21"
    assert msg.blocks[1]["elements"][0]["text"] == "arXiv announced nothing on 2025-05-21"


def test_rate_limit_is_retried_with_retry_after(fake_slack: FakeSlack) -> None:
    fake_slack.rate_limit(retry_after=0, times=1)
    done = SlackNotifier(web(fake_slack), CHANNEL).post([scored(1)], day=DAY, pr_url=None)
    assert done is not None and len(fake_slack.messages) == 1
    assert fake_slack.count("POST", "chat.postMessage") == 2


def test_bad_token_is_a_delivery_error_without_the_token(fake_slack: FakeSlack) -> None:
    with pytest.raises(DeliveryError) as err:
        SlackNotifier(web(fake_slack, token="xoxb-wrong-secret"), CHANNEL).post([scored(1)], day=DAY, pr_url=None)
    assert err.value.message == "Slack post digest: chat.postMessage failed: invalid_auth (HTTP 200)"
    assert "xoxb-wrong-secret" not in err.value.message
    assert fake_slack.messages == []


def test_unknown_channel_and_server_errors(fake_slack: FakeSlack) -> None:
    with pytest.raises(DeliveryError, match=r"channel_not_found \(HTTP 200\)"):
        SlackNotifier(web(fake_slack), "C999").post([scored(1)], day=DAY, pr_url=None)
    fake_slack.fail("POST", "chat.postMessage", status=503, times=5)
    with pytest.raises(DeliveryError, match=r"HTTP 503"):
        SlackNotifier(web(fake_slack), CHANNEL).post([scored(1)], day=DAY, pr_url=None)


def test_only_requests_that_never_reached_slack_are_retried_blindly() -> None:
    import socket
    import urllib.error

    from watcher.slack_notify import UnsentRequestRetryHandler

    handler = UnsentRequestRetryHandler.build(2)
    can = handler._can_retry  # the decision slack-sdk asks the handler for
    assert can(state=None, request=None, error=urllib.error.URLError(ConnectionRefusedError(111, "refused")))
    assert can(state=None, request=None, error=urllib.error.URLError(socket.gaierror(-2, "unknown host")))
    assert not can(state=None, request=None, error=urllib.error.URLError(ConnectionResetError(104, "reset")))
    assert not can(state=None, request=None, error=TimeoutError("timed out"))


def test_connection_refused_is_a_delivery_error() -> None:
    client = WebClient(token="xoxb-test-token", base_url="http://127.0.0.1:9/api/", timeout=2, retry_handlers=[])
    with pytest.raises(DeliveryError, match=r"^Slack post digest: cannot reach Slack \("):
        SlackNotifier(client, CHANNEL).post([scored(1)], day=DAY, pr_url=None)


@pytest.mark.parametrize("kind", ["garbage", "reset"])
def test_broken_answers_are_delivery_errors(fake_slack: FakeSlack, kind: str) -> None:
    fake_slack.fail("POST", "chat.postMessage", kind=kind, times=3)
    with pytest.raises(DeliveryError, match=r"^Slack post digest: "):
        SlackNotifier(web(fake_slack), CHANNEL).post([scored(1)], day=DAY, pr_url=None)
    assert fake_slack.messages == []


@pytest.mark.parametrize("kind", ["lost_answer", "truncate"])
def test_a_post_whose_answer_was_lost_is_found_not_repeated(fake_slack: FakeSlack, kind: str) -> None:
    """The message landed but the answer did not arrive: the channel history settles it."""
    items = [scored(i, "A very long title about speech language models " * 5) for i in range(1, 61)]
    fake_slack.fail("POST", "chat.postMessage", kind=kind, times=2)  # the digest and its thread reply
    done = SlackNotifier(web(fake_slack), CHANNEL).post(items, day=DAY, pr_url=None)
    assert done is not None and done.delivered == {s.paper.arxiv_id for s in items} and done.error is None
    (top,) = fake_slack.top_level()
    assert len(fake_slack.messages) == 3 and len(fake_slack.thread(top.ts)) == 2
    assert done.ref == top.ts


def test_thread_failure_keeps_what_was_posted(fake_slack: FakeSlack) -> None:
    items = [scored(i, "A very long title about speech language models " * 5) for i in range(1, 121)]
    first_part = render_digest(items, day=DAY, pr_url=None)[0].arxiv_ids
    fake_slack.fail("POST", "chat.postMessage", status=200, body={"ok": False, "error": "ratelimited"}, times=1)
    with pytest.raises(DeliveryError):  # the very first post fails: nothing delivered
        SlackNotifier(web(fake_slack), CHANNEL).post(items, day=DAY, pr_url=None)
    fake_slack.clear_faults()
    # now the second message (first thread reply) fails
    note = SlackNotifier(web(fake_slack), CHANNEL)
    original = note.client.chat_postMessage
    calls = {"n": 0}

    def flaky(**kw):
        calls["n"] += 1
        if calls["n"] == 2:
            fake_slack.fail("POST", "chat.postMessage", status=200, body={"ok": False, "error": "fatal_error"})
        return original(**kw)

    note.client.chat_postMessage = flaky  # type: ignore[method-assign]
    done = note.post(items, day=DAY, pr_url=None)
    assert done is not None and done.delivered == set(first_part)
    assert done.error == "Slack post digest part 2 in thread: chat.postMessage failed: fatal_error (HTTP 200)"


def test_posted_ids_come_back_from_history_and_threads(fake_slack: FakeSlack) -> None:
    items = [scored(i, "A very long title about speech language models " * 5) for i in range(1, 121)]
    SlackNotifier(web(fake_slack), CHANNEL).post(items, day=DAY, pr_url=None)
    fake_slack.seed_message(CHANNEL, "someone chatting")
    assert SlackNotifier(web(fake_slack), CHANNEL).posted_ids() == {s.paper.arxiv_id for s in items}


def test_history_unreadable_is_a_warning_not_a_failure(fake_slack: FakeSlack) -> None:
    fake_slack.fail("POST", "conversations.history", status=200, body={"ok": False, "error": "missing_scope"})
    warnings: list[str] = []
    assert SlackNotifier(web(fake_slack), CHANNEL, log=warnings.append).posted_ids() == frozenset()
    assert warnings == ["warning: cannot read Slack history (missing_scope (HTTP 200)); relying on local state"]


def test_webhook_posts_and_reports_status_codes(fake_slack: FakeSlack) -> None:
    url = fake_slack.add_webhook(CHANNEL)
    done = WebhookNotifier(WebhookClient(url, timeout=5)).post([scored(1)], day=DAY, pr_url=None)
    assert done is not None and done.delivered == {"2505.00001"}
    ((_, payload),) = fake_slack.webhook_posts
    assert payload["unfurl_links"] is False and payload["text"].startswith("1 new paper for the list")
    fake_slack.remove_webhook(url)
    with pytest.raises(DeliveryError) as err:
        WebhookNotifier(WebhookClient(url, timeout=5)).post([scored(2)], day=DAY, pr_url=None)
    assert err.value.message == "Slack webhook: HTTP 404 no_service"
    assert url not in err.value.message
