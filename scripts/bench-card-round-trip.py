#!/usr/bin/env python3
"""Click -> Guance modify -> card patched, one click at a time, against a running dev-stack + poller + notifier +
reply-gateway (started by scripts/bench-card-clicks.sh round-trip). Reads GUANCE_OPENAPI_URL, FEISHU_OPENAPI_URL and
FEISHU_CHAT_ID from the environment.

Per click (Resolve and Reopen in turn, each a new Feishu event id, sent through dev-stack's Feishu fake as a signed,
encrypted card.action.trigger): the toast round trip the fake reports (the same-run baseline), and the time from
sending the click until the card's current content shows the new status (its buttons swap) and the clicker's name,
split at the moment the simulator's count of answered modify calls moved (polled with the card).
The card is polled every POLL_MS (default 5) through GET /admin/messages/{id}.
"""
import json
import os
import statistics
import sys
import time
import urllib.request
import uuid

CLICKS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
GUANCE = os.environ["GUANCE_OPENAPI_URL"]
FEISHU = os.environ["FEISHU_OPENAPI_URL"]
CHAT = os.environ["FEISHU_CHAT_ID"]
POLL = float(os.environ.get("POLL_MS", "5")) / 1000
NAME = "Bench Clicker"


def call(url, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def wait(what, condition, timeout=60.0, shown=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(POLL)
    sys.exit(f"timed out waiting for {what}; {shown()}")


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


issue = call(f"{GUANCE}/__admin/issues", {"name": f"bench click {uuid.uuid4().hex[:8]}"})["uuid"]


def card_id():
    for message in call(f"{FEISHU}/admin/chats/{CHAT}"):
        if message.get("rootID") is None and f'"issueUUID":"{issue}"' in message["content"]:
            return message["messageID"]
    return None


card = wait("the issue's card", card_id, timeout=120)
call(f"{FEISHU}/admin/contacts", {"openID": "ou_bench_clicker", "name": NAME})
modified_before = call(f"{GUANCE}/__admin/calls")["modified"]

toasts, round_trips, to_modify = [], [], []
for index in range(CLICKS):
    modified_so_far = call(f"{GUANCE}/__admin/calls")["modified"]
    modify_seen = []
    action, shown, button = (
        ("resolve", "Resolved", "reopen") if index % 2 == 0 else ("reopen", "Open", "resolve"))
    started = time.monotonic()
    answer = call(f"{FEISHU}/admin/send-card-click", {
        "action": action, "issueUUID": issue, "openID": "ou_bench_clicker", "messageID": card,
        "eventID": f"ev_bench_{uuid.uuid4().hex}"})
    if answer.get("gatewayStatus") != 200 or "toast" not in answer.get("gatewayBody", ""):
        sys.exit(f"click {index} not answered with a toast: {answer}")
    toasts.append(answer["roundTripMilliseconds"])

    def patched():
        if not modify_seen and call(f"{GUANCE}/__admin/calls")["modified"] > modified_so_far:
            modify_seen.append((time.monotonic() - started) * 1000)
        content = call(f"{FEISHU}/admin/messages/{card}")["content"]
        return (f'"action":"{button}"' in content and f"Status: {shown}" in content and f"· {NAME}" in content
                and f'"action":"{action}"' not in content)

    wait(f"click {index} on the card", patched, timeout=30,
         shown=lambda: "the card shows: " + call(f"{FEISHU}/admin/messages/{card}")["content"])
    round_trips.append((time.monotonic() - started) * 1000)
    to_modify.append(modify_seen[0] if modify_seen else round_trips[-1])

modified = call(f"{GUANCE}/__admin/calls")["modified"] - modified_before
chat = call(f"{FEISHU}/admin/chats/{CHAT}")
cards = [m for m in chat if m.get("rootID") is None and f'"issueUUID":"{issue}"' in m["content"]]
rejections = call(f"{FEISHU}/admin/rejections")
print(f"clicks={CLICKS} modify_calls={modified} cards_for_issue={len(cards)} rejections={json.dumps(rejections)}")
after_modify = [total - part for total, part in zip(round_trips, to_modify)]
for label, values in (("toast (baseline)", toasts), ("click->modify->card patched", round_trips),
                      ("  of which click->modify answered", to_modify),
                      ("  of which modify->card patched", after_modify)):
    print(f"{label}: p50={percentile(values, 50):.1f}ms p95={percentile(values, 95):.1f}ms "
          f"max={max(values):.1f}ms mean={statistics.mean(values):.1f}ms")
for q in (50, 95):
    print(f"round trip / toast p{q} ratio: {percentile(round_trips, q) / percentile(toasts, q):.2f}")
