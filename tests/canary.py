"""Canary secrets: every test runs with these in the environment, and none may ever show up in
anything the bot writes (see the hook in conftest.py and test_secrets.py)."""

SLACK_TOKEN = "xoxb-CANARY-5150-slack-token-do-not-print"
GITHUB_TOKEN = "ghp_CANARYgithubTokenDoNotPrint0000000000"
WEBHOOK_URL = "https://hooks.slack.com/services/TCANARY00/BCANARY00/CANARYwebhookSECRET"
ALL = (SLACK_TOKEN, GITHUB_TOKEN, WEBHOOK_URL, "CANARYwebhookSECRET", "CANARYgithubToken", "CANARY-5150")
