#!/usr/bin/env python3
"""Benchmark helper for scripts/bench-notifier.sh.

  events N FILE      write N IssueEvent v1 records as `key<TAB>json` lines (kcat -K '\t' input)
  baseline KIND FILE URL [SECRET]
      the reference workflow's delivery loop: for each event, build the platform's body (and signature)
      and requests.post it, sequentially, one new connection per post (as the reference script does).
      KIND: feishu-flow (the reference's own flat {issue_uuid,title,level,source,message,createAt} JSON),
      feishu (interactive card, signed), dingtalk (markdown, signed URL), wecom (markdown), webhook (the
      event JSON with an HMAC X-Signature header), slack (Block Kit blocks with a text fallback), teams (a message
      with one Adaptive Card attachment). Prints one JSON line with deliveries, seconds (the loop),
      cpu_seconds (the whole process: interpreter start-up, imports, reading the file, the loop), max_rss_kb
"""
import base64
import hashlib
import hmac
import json
import resource
import sys
import time
import urllib.parse
from datetime import datetime, timezone


def make_events(n, path):
    with open(path, "w") as out:
        for i in range(1, n + 1):
            uuid = f"issue_bench_{i}"
            event = {
                "schema": "guance.issue-event/v1", "eventId": f"evt-bench-{i}", "kind": "issue.created",
                "occurredAt": "2026-11-30T10:00:00Z", "workspaceUUID": "wksp_bench",
                "channel": {"uuid": "chan_default", "name": "default"},
                "issue": {
                    "uuid": uuid, "name": f"Checkout latency above 2s #{i}", "level": ["critical", "warning", "info"][i % 3],
                    "statusType": 10, "resource": f"/api/orders/{i % 50}", "resourceType": "service",
                    "description": "p99 latency of /api/orders is above 2 s for 5 minutes on host-%d" % (i % 20),
                    "createAt": 1764496800 + i, "updateAt": 1764496800 + i,
                    "creator": {"name": "ops", "email": "ops@example.com"},
                    "url": f"https://console.guance.com/workspace/wksp_bench/issue/{uuid}",
                },
            }
            out.write(uuid + "\t" + json.dumps(event, separators=(",", ":"), sort_keys=True) + "\n")


def flow_body(issue):
    """The reference workflow's flat object for a Feishu flow trigger-webhook."""
    return {
        "issue_uuid": issue["uuid"],
        "title": issue["name"],
        "level": issue["level"],
        "source": issue["resource"],
        "message": issue["description"],
        "createAt": datetime.fromtimestamp(issue["createAt"]).strftime("%Y-%m-%d %H:%M:%S"),
    }


def created(issue):
    return datetime.fromtimestamp(issue["createAt"], timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def feishu_card(event, secret):
    """Feishu custom bot: the interactive card the notifier sends, signed (timestamp + sign in the body)."""
    issue = event["issue"]
    facts = f"Level: {issue['level']}\nResource: {issue['resource']}\nChannel: {event['channel']['name']}"
    facts += f"\nCreated: {created(issue)} UTC"
    data = {
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": f"New issue: {issue['name']}"},
                       "template": {"critical": "red", "warning": "yellow"}.get(issue["level"], "blue")},
            "elements": [
                {"tag": "div", "text": {"tag": "plain_text", "content": facts}},
                {"tag": "div", "text": {"tag": "plain_text", "content": issue["description"]}},
                {"tag": "hr"},
                {"tag": "action", "actions": [{"tag": "button", "text": {"tag": "plain_text",
                                                                          "content": "Open in Guance"},
                                               "type": "primary", "url": issue["url"]}]},
                {"tag": "note", "elements": [{"tag": "plain_text",
                                              "content": f"Reply: @bot #{issue['uuid']}#your text"}]},
            ],
        },
    }
    timestamp = str(int(time.time()))
    key = f"{timestamp}\n{secret}".encode()
    data["timestamp"] = timestamp
    data["sign"] = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    return data


def markdown_text(issue, event):
    lines = [f"### New issue: {issue['name']}", "", f"- **Level:** {issue['level']}",
             f"- **Resource:** {issue['resource']}", f"- **Created:** {created(issue)} UTC", "",
             "> " + issue["description"], "", f"[Open in Guance]({issue['url']})", "",
             f"Reply: @bot #{issue['uuid']}#your text"]
    return "\n".join(lines)


def facts(issue, event):
    return (f"Level: {issue['level']}\nResource: {issue['resource']}\nChannel: {event['channel']['name']}"
            f"\nCreated: {created(issue)} UTC")


def slack_body(issue, event):
    """Slack incoming webhook: header, facts, description, a button to the issue, the reply hint; text fallback."""
    def section(text):
        return {"type": "section", "text": {"type": "plain_text", "text": text}}
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": f"New issue: {issue['name']}"[:150]}},
              section(facts(issue, event)), section(issue["description"]),
              {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text",
                                                                           "text": "Open in Guance"},
                                                "url": issue["url"]}]},
              {"type": "context", "elements": [{"type": "plain_text",
                                                "text": f"Reply: @bot #{issue['uuid']}#your text"}]}]
    return {"text": f"New issue: {issue['name']} ({issue['level']})", "blocks": blocks}


def teams_body(issue, event):
    """Teams Workflows webhook: a message with one Adaptive Card (title, facts, description, reply hint, button)."""
    def runs(text, **style):
        return {"type": "RichTextBlock", "inlines": [dict(style, type="TextRun", text=text)]}
    color = {"critical": "Attention", "important": "Warning", "warning": "Warning"}.get(issue["level"], "Accent")
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
            "body": [runs(f"New issue: {issue['name']}", weight="Bolder", size="Large", color=color),
                     runs(facts(issue, event)), runs(issue["description"]),
                     runs(f"Reply: @bot #{issue['uuid']}#your text", isSubtle=True, size="Small")],
            "msteams": {"width": "Full"},
            "actions": [{"type": "Action.OpenUrl", "title": "Open in Guance", "url": issue["url"]}]}
    return {"type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}]}


def request_for(kind, line, url, secret):
    """(url, headers, body bytes) of one event for one platform, as a Python script would build them."""
    raw = line.split("\t", 1)[1].rstrip("\n")
    event = json.loads(raw)
    issue = event["issue"]
    headers = {"Content-Type": "application/json"}
    if kind == "feishu-flow":
        return url, headers, json.dumps(flow_body(issue))
    if kind == "feishu":
        return url, headers, json.dumps(feishu_card(event, secret))
    if kind == "dingtalk":
        timestamp = str(int(time.time() * 1000))
        mac = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(mac))
        data = {"msgtype": "markdown",
                "markdown": {"title": f"New issue: {issue['name']}", "text": markdown_text(issue, event)}}
        return f"{url}&timestamp={timestamp}&sign={sign}", headers, json.dumps(data)
    if kind == "wecom":
        level = "warning" if issue["level"] == "critical" else "comment"
        content = (f"### New issue: {issue['name']}\n>Level: <font color=\"{level}\">{issue['level']}</font>\n"
                   f">Resource: {issue['resource']}\n>Created: {created(issue)} UTC\n{issue['description']}\n"
                   f"[Open in Guance]({issue['url']})\nReply: @bot #{issue['uuid']}#your text")
        return url, headers, json.dumps({"msgtype": "markdown", "markdown": {"content": content}})
    if kind == "slack":
        return url, headers, json.dumps(slack_body(issue, event))
    if kind == "teams":
        return url, headers, json.dumps(teams_body(issue, event))
    if kind == "webhook":
        timestamp = str(int(time.time()))
        mac = hmac.new(secret.encode(), f"{timestamp}.{raw}".encode(), hashlib.sha256).hexdigest()
        headers.update({"X-Signature": "sha256=" + mac, "X-Signature-Timestamp": timestamp,
                        "X-Event-Id": event["eventId"]})
        return url, headers, raw.encode()
    sys.exit(f"unknown sink kind {kind}")


def baseline(kind, path, url, secret):
    import requests  # the reference script's HTTP client

    with open(path) as source:
        lines = source.readlines()
    start_wall = time.monotonic()
    delivered = 0
    for line in lines:
        target, headers, data = request_for(kind, line, url, secret)
        try:
            response = requests.post(target, headers=headers, data=data)
            response.raise_for_status()
            delivered += 1
        except requests.exceptions.RequestException as error:
            print(f"OOps: Something Else {error}", file=sys.stderr)
    seconds = time.monotonic() - start_wall
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"deliveries": delivered, "seconds": round(seconds, 3),
                      "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3), "max_rss_kb": usage.ru_maxrss}))


if __name__ == "__main__":
    if sys.argv[1] == "events":
        make_events(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "baseline":
        baseline(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else "")
    else:
        sys.exit(__doc__)
