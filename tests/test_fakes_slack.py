"""FakeSlack driven by the real slack-sdk clients (WebClient, WebhookClient) over loopback HTTP."""

from __future__ import annotations

import http.client
import time
import urllib.error
import warnings

import pytest
import requests
from slack_sdk import WebClient, WebhookClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from tests.fakes.slack import FakeSlack

CHANNEL = "C0123456789"


def client(fake: FakeSlack, token: str | None = "xoxb-test-token", **kw) -> WebClient:
    kw.setdefault("retry_handlers", [])  # no silent retries unless a test asks for them
    kw.setdefault("timeout", 5)
    return WebClient(token=token, base_url=fake.api_url, **kw)


def error_of(call) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def test_post_message_is_stored_and_answered_like_slack(fake_slack):
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": "3 new papers"}}, section("*Title*")]
    resp = client(fake_slack).chat_postMessage(
        channel=CHANNEL, text="3 new papers", blocks=blocks, unfurl_links=False, unfurl_media=False
    )

    assert resp["ok"] is True and resp["channel"] == CHANNEL
    sec, micros = resp["ts"].split(".")
    assert micros == "000100" and abs(int(sec) - time.time()) < 60  # ts start at the fixture's clock
    assert resp["message"]["blocks"] == blocks and resp["message"]["text"] == "3 new papers"
    [msg] = fake_slack.messages
    assert (msg.channel, msg.ts, msg.text, msg.blocks) == (CHANNEL, resp["ts"], "3 new papers", blocks)
    assert (msg.unfurl_links, msg.unfurl_media, msg.thread_ts) == (False, False, None)
    [req] = fake_slack.requests_to("POST", "/api/chat.postMessage")
    assert req.header("authorization") == "Bearer xoxb-test-token"
    assert req.header("content-type").startswith("application/json")
    assert req.json["unfurl_links"] is False


def test_ts_values_are_unique_and_increasing(fake_slack):
    c = client(fake_slack)
    stamps = [c.chat_postMessage(channel=CHANNEL, text=str(i))["ts"] for i in range(3)]
    assert stamps == sorted(stamps, key=float) and len(set(stamps)) == 3


def test_thread_replies_are_recorded_under_their_parent(fake_slack):
    c = client(fake_slack)
    parent = c.chat_postMessage(channel=CHANNEL, text="digest")["ts"]
    first = c.chat_postMessage(channel=CHANNEL, text="detail 1", thread_ts=parent)
    c.chat_postMessage(channel=CHANNEL, text="detail 2", thread_ts=first["ts"])  # reply to a reply joins the root

    assert [m.text for m in fake_slack.top_level()] == ["digest"]
    assert [m.text for m in fake_slack.thread(parent)] == ["detail 1", "detail 2"]
    assert first["message"]["thread_ts"] == parent
    replies = c.conversations_replies(channel=CHANNEL, ts=parent)
    assert [m["text"] for m in replies["messages"]] == ["digest", "detail 1", "detail 2"]
    assert replies["messages"][0]["reply_count"] == 2
    orphan = c.chat_postMessage(channel=CHANNEL, text="lost", thread_ts="1600000000.000100")  # Slack accepts it
    assert orphan["ok"] and fake_slack.thread("1600000000.000100")[0].text == "lost"
    assert [m.text for m in fake_slack.top_level()] == ["digest"]
    assert (
        error_of(lambda: c.chat_postMessage(channel=CHANNEL, text="x", thread_ts="0")).response["error"]
        == "invalid_thread_ts"
    )
    assert (
        error_of(lambda: c.conversations_replies(channel=CHANNEL, ts="1.000001")).response["error"]
        == "thread_not_found"
    )


def test_auth_errors_are_http_200_with_ok_false(fake_slack):
    bad = error_of(lambda: client(fake_slack, token="xoxb-wrong").chat_postMessage(channel=CHANNEL, text="x"))
    assert bad.response.status_code == 200 and bad.response["error"] == "invalid_auth"
    missing = error_of(lambda: client(fake_slack, token=None).auth_test())
    assert missing.response["error"] == "not_authed"
    me = client(fake_slack).auth_test()
    assert (me["user_id"], me["bot_id"]) == (fake_slack.bot_user_id, fake_slack.bot_id)
    assert fake_slack.messages == []


def test_channel_checks_and_names(fake_slack):
    fake_slack.add_channel("C0OTHER", "papers")
    fake_slack.add_channel("C0NOTIN", "private", member=False)
    c = client(fake_slack)
    assert error_of(lambda: c.chat_postMessage(channel="C0NOPE", text="x")).response["error"] == "channel_not_found"
    assert error_of(lambda: c.chat_postMessage(channel="C0NOTIN", text="x")).response["error"] == "not_in_channel"
    assert c.chat_postMessage(channel="#papers", text="x")["channel"] == "C0OTHER"


@pytest.mark.parametrize(
    "blocks, error",
    [
        ([section("x")] * 51, "invalid_blocks"),
        ([section("x" * 3001)], "invalid_blocks"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "invalid_blocks"),
        ([{"type": "input", "element": {}, "label": {"type": "plain_text", "text": "no"}}], "invalid_blocks"),
        ([section("y" * 2800)] * 5, "msg_blocks_too_long"),
    ],
)
def test_block_kit_limits_are_enforced_server_side(fake_slack, blocks, error):
    err = error_of(lambda: client(fake_slack).chat_postMessage(channel=CHANNEL, text="t", blocks=blocks))
    assert err.response["error"] == error
    if error == "invalid_blocks":
        assert "json-pointer:/blocks" in err.response["errors"][0]
    assert fake_slack.messages == []


def test_limits_allow_the_maximum(fake_slack):
    blocks = [section("x" * 3000)] + [{"type": "divider"}] * 49
    assert client(fake_slack).chat_postMessage(channel=CHANNEL, text="t", blocks=blocks)["ok"]


def test_message_without_text_or_blocks_is_no_text(fake_slack):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # slack-sdk warns about the missing text first
        err = error_of(lambda: client(fake_slack).chat_postMessage(channel=CHANNEL))
    assert err.response["error"] == "no_text"


def test_chat_update_edits_in_place(fake_slack):
    c = client(fake_slack)
    ts = c.chat_postMessage(channel=CHANNEL, text="v1")["ts"]
    resp = c.chat_update(channel=CHANNEL, ts=ts, text="v2", blocks=[section("v2")])
    assert resp["ts"] == ts and resp["message"]["edited"]["ts"] > ts
    [msg] = fake_slack.messages
    assert (msg.text, msg.blocks, msg.edited_ts is not None) == ("v2", [section("v2")], True)
    assert (
        error_of(lambda: c.chat_update(channel=CHANNEL, ts="1.000001", text="x")).response["error"]
        == "message_not_found"
    )


def test_history_is_newest_first_with_cursor_paging_and_oldest(fake_slack):
    fake_slack.seed_message(CHANNEL, "from yesterday")
    c = client(fake_slack)
    stamps = [c.chat_postMessage(channel=CHANNEL, text=f"m{i}")["ts"] for i in range(4)]
    c.chat_postMessage(channel=CHANNEL, text="reply", thread_ts=stamps[0])

    # slack-sdk follows next_cursor; it reuses ONE response object, so read each page inside the loop
    pages = [[m["text"] for m in page["messages"]] for page in c.conversations_history(channel=CHANNEL, limit=2)]
    assert pages == [["m3", "m2"], ["m1", "m0"], ["from yesterday"]]
    recent = c.conversations_history(channel=CHANNEL, oldest=stamps[1])
    assert [m["text"] for m in recent["messages"]] == ["m3", "m2"]
    # slack-sdk sends every Web API call as POST with a form body, even "GET" methods
    last = fake_slack.requests_to(None, "/api/conversations.history")[-1]
    assert last.method == "POST" and last.form["oldest"] == stamps[1]


def test_form_encoded_post_with_token_in_body(fake_slack):
    r = requests.post(
        f"{fake_slack.api_url}chat.postMessage",
        timeout=5,
        data={
            "token": "xoxb-test-token",
            "channel": CHANNEL,
            "text": "hi",
            "blocks": '[{"type": "divider"}]',
            "unfurl_links": "false",
        },
    )
    assert r.json()["ok"] is True
    assert fake_slack.messages[0].blocks == [{"type": "divider"}]
    assert fake_slack.messages[0].unfurl_links is False


def test_rate_limit_is_retried_by_rate_limit_handler(fake_slack):
    fake_slack.rate_limit("chat.postMessage", retry_after=0)  # slack-sdk sleeps int(Retry-After) + random()
    c = client(fake_slack, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    assert c.chat_postMessage(channel=CHANNEL, text="x")["ok"]
    assert fake_slack.count("POST", "chat.postMessage") == 2
    assert [r.fault for r in fake_slack.requests] == ["status", None]
    assert len(fake_slack.messages) == 1


def test_rate_limit_without_handler_raises_429(fake_slack):
    fake_slack.fail(
        "POST", "chat.postMessage", status=429, headers={"Retry-After": "1"}, body='{"ok":false,"error":"ratelimited"}'
    )
    err = error_of(lambda: client(fake_slack).chat_postMessage(channel=CHANNEL, text="x"))
    assert err.response.status_code == 429 and err.response.headers["Retry-After"] == "1"
    assert err.response["error"] == "ratelimited"


def test_server_error_uses_slack_error_body(fake_slack):
    fake_slack.fail("POST", "chat.postMessage", status=500)
    err = error_of(lambda: client(fake_slack).chat_postMessage(channel=CHANNEL, text="x"))
    assert err.response.status_code == 500 and err.response["error"] == "fatal_error"


def test_connection_reset_raises_and_is_retried_by_connection_handler(fake_slack):
    fake_slack.fail("POST", "chat.postMessage", kind="reset")
    with pytest.raises((ConnectionError, urllib.error.URLError, http.client.HTTPException)):
        client(fake_slack).chat_postMessage(channel=CHANNEL, text="x")

    fake_slack.fail("POST", "chat.postMessage", kind="reset")
    retrying = ConnectionErrorRetryHandler(
        max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.01)
    )
    assert client(fake_slack, retry_handlers=[retrying]).chat_postMessage(channel=CHANNEL, text="x")["ok"]
    assert [m.text for m in fake_slack.messages] == ["x"]


def test_delay_triggers_client_timeout(fake_slack):
    fake_slack.fail("POST", "auth.test", kind="delay", seconds=2)
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        client(fake_slack, timeout=0.3).auth_test()


def test_truncated_and_garbage_bodies(fake_slack):
    fake_slack.fail("POST", "auth.test", kind="truncate")
    with pytest.raises(http.client.IncompleteRead):
        client(fake_slack).auth_test()
    fake_slack.fail("POST", "auth.test", kind="garbage")
    err = error_of(lambda: client(fake_slack).auth_test())  # slack-sdk turns non-JSON into ok:false
    assert err.response.status_code == 200 and err.response["ok"] is False


def test_incoming_webhook_success_and_errors(fake_slack):
    ok = WebhookClient(fake_slack.webhook_url).send(text="digest", blocks=[section("*x*")], unfurl_links=False)
    assert (ok.status_code, ok.body) == (200, "ok")
    [(path, payload)] = fake_slack.webhook_posts
    assert payload["unfurl_links"] is False and fake_slack.webhook_url.endswith(path)
    assert fake_slack.top_level()[0].source == "webhook"
    assert fake_slack.requests[-1].header("authorization") is None

    too_many = WebhookClient(fake_slack.webhook_url).send(text="t", blocks=[section("x")] * 51)
    assert (too_many.status_code, too_many.body) == (400, "invalid_blocks")
    empty = WebhookClient(fake_slack.webhook_url).send_dict({"unfurl_links": False})
    assert (empty.status_code, empty.body) == (400, "no_text")
    null = WebhookClient(fake_slack.webhook_url).send_dict({})  # slack-sdk sends the body "null"
    assert (null.status_code, null.body) == (400, "invalid_payload")
    unknown = WebhookClient(f"{fake_slack.url}/services/T000/B000/nope").send(text="x")
    assert (unknown.status_code, unknown.body) == (404, "no_service")
    fake_slack.remove_webhook(fake_slack.webhook_url)
    assert WebhookClient(fake_slack.webhook_url).send(text="x").status_code == 404


def test_faults_are_consumed_in_order_and_only_where_they_match(fake_slack):
    fake_slack.fail("POST", "auth.test", status=500, times=2)
    fake_slack.fail(None, "auth.test", status=503)
    c = client(fake_slack)
    assert c.chat_postMessage(channel=CHANNEL, text="x")["ok"]  # not targeted
    statuses = []
    for _ in range(4):
        try:
            statuses.append(c.auth_test().status_code)
        except SlackApiError as e:
            statuses.append(e.response.status_code)
    assert statuses == [500, 500, 503, 200]
    assert fake_slack.pending_faults() == 0
    assert fake_slack.count("POST", r"^/api/auth\.test$") == 4
