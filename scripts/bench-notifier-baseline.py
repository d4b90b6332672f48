#!/usr/bin/env python3
"""Benchmark helper for scripts/bench-notifier.sh.

  events N FILE      write N IssueEvent v1 records as `key<TAB>json` lines (kcat -K '\t' input)
  baseline FILE URL  the reference workflow's delivery loop: for each event, requests.post of the flat
                     {issue_uuid,title,level,source,message,createAt} JSON to a Feishu flow webhook,
                     sequentially, one new connection per post (as the reference script does); prints
                     one JSON line with deliveries, seconds, cpu_seconds, max_rss_kb
"""
import json
import resource
import sys
import time
from datetime import datetime


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


def baseline(path, url):
    import requests  # the reference script's HTTP client

    events = []
    with open(path) as source:
        for line in source:
            events.append(json.loads(line.split("\t", 1)[1]))
    start_wall = time.monotonic()
    start_cpu = time.process_time()
    delivered = 0
    for event in events:
        issue = event["issue"]
        headers = {"Content-Type": "application/json"}
        data = {
            "issue_uuid": issue["uuid"],
            "title": issue["name"],
            "level": issue["level"],
            "source": issue["resource"],
            "message": issue["description"],
            "createAt": datetime.fromtimestamp(issue["createAt"]).strftime("%Y-%m-%d %H:%M:%S"),
        }
        try:
            response = requests.post(url, headers=headers, data=json.dumps(data))
            response.raise_for_status()
            delivered += 1
        except requests.exceptions.RequestException as error:
            print(f"OOps: Something Else {error}", file=sys.stderr)
    seconds = time.monotonic() - start_wall
    cpu = time.process_time() - start_cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"deliveries": delivered, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
                      "max_rss_kb": rss}))


if __name__ == "__main__":
    if sys.argv[1] == "events":
        make_events(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "baseline":
        baseline(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
