#!/usr/bin/env python3
"""Writes examples/returns/corpus.jsonl and examples/returns/sales.csv: generated but
realistic return cases for `tenet report returns`, the same on every run (fixed seed).

Usage: python3 examples/returns/make-corpus.py [N] (default 3000 cases)

Each line is one return case as `tenet report` reads it: {"id", "facts", "events"}.
Submissions spread over 2026-10-01 … 2026-11-30 (Asia/Shanghai). Each SKU has its own
habits: a few come back far more than their category (a weak product), a few come back
defective far more often (a quality problem), some categories see more transit damage or
"not as described" (a packaging or listing problem), so the report has something to
find — every flag of rules/return_insights.tenet fires on it. About a third of the cases went the whole way through the
workflow (submit, approve, ship, receive with the inspection, start_refund,
refund_succeeded), the rest are the request as submitted. Sales per SKU make return
rates. Standard library only.
"""
import datetime as dt
import json
import os
import random
import sys

SEED = 20261202
TZ = dt.timezone(dt.timedelta(hours=8))
CATEGORIES = {
    # category: (price range, SKUs, base return share, reason weights)
    "electronics": ((99, 1999), 10, {"no_reason": 40, "defective": 30, "not_as_described": 10, "wrong_item": 8, "damaged_in_transit": 12}),
    "apparel": ((39, 599), 12, {"no_reason": 50, "defective": 8, "not_as_described": 32, "wrong_item": 8, "damaged_in_transit": 2}),
    "home": ((29, 899), 8, {"no_reason": 35, "defective": 15, "not_as_described": 10, "wrong_item": 5, "damaged_in_transit": 35}),
    "beauty": ((19, 399), 6, {"no_reason": 45, "defective": 20, "not_as_described": 20, "wrong_item": 10, "damaged_in_transit": 5}),
    "toys": ((19, 499), 6, {"no_reason": 50, "defective": 25, "not_as_described": 10, "wrong_item": 5, "damaged_in_transit": 10}),
}
PREFIX = {"electronics": "EL", "apparel": "AP", "home": "HM", "beauty": "BT", "toys": "TY"}
METHODS = ["alipay", "wechat_pay", "bank_transfer", "cash"]


def iso(t):
    return t.astimezone(TZ).isoformat(timespec="seconds")


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    rng = random.Random(SEED)
    skus = []
    for cat, ((lo, hi), count, reasons) in CATEGORIES.items():
        for i in range(1, count + 1):
            sku = f"{PREFIX[cat]}-{100 + i}"
            price = round(rng.uniform(lo, hi)) + 0.0
            # A weak product: returned three to five times as often as its peers.
            weight = rng.choice([3.0, 4.0, 5.0]) if i == 1 else rng.uniform(0.6, 1.4)
            sold = rng.randint(400, 3000)
            # A product with a quality problem: half of what comes back is defective.
            own = dict(reasons, defective=reasons["no_reason"]) if i == 2 and cat in ("electronics", "toys") else reasons
            skus.append({"sku": sku, "category": cat, "price": price, "weight": weight, "sold": sold, "reasons": own})
    total_weight = sum(s["weight"] for s in skus)
    start = dt.datetime(2026, 10, 1, 9, 0, tzinfo=TZ)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "corpus.jsonl"), "w", encoding="utf-8") as out:
        for k in range(n):
            pick = rng.uniform(0, total_weight)
            for s in skus:
                pick -= s["weight"]
                if pick <= 0:
                    break
            reasons = s["reasons"]
            reason = rng.choices(list(reasons), weights=list(reasons.values()))[0]
            submitted = start + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 60))
            # Most ask within the seven days; some too late for a no-reason return.
            days_after = rng.choice([1, 2, 3, 4, 5, 6, 7, 2, 3, 9, 12])
            delivered = submitted - dt.timedelta(days=days_after, hours=rng.randint(0, 8))
            bought = rng.choice([1, 1, 1, 2, 3])
            desired = rng.choices(["refund", "exchange"], weights=[85, 15])[0]
            docs = rng.choices([["receipt"], ["invoice"], ["receipt", "photo"], []], weights=[50, 25, 20, 5])[0]
            if reason != "no_reason" and "photo" not in docs and rng.random() < 0.8:
                docs = docs + ["photo"]
            facts = {
                "order": {"id": f"SO-{20000 + k}", "delivered_at": iso(delivered)},
                "item": {"sku": s["sku"], "name": s["sku"], "category": s["category"],
                         "unit_price": f"{s['price']:.2f}", "quantity": bought},
                "request": {"id": f"RR-{k + 1:05d}", "submitted_at": iso(submitted), "reason": reason,
                            "desired": desired, "quantity": rng.randint(1, bought), "documents": docs},
            }
            if desired == "refund":
                facts["request"]["refund_method"] = rng.choice(METHODS)
            events = []
            if rng.random() < 0.35:
                t = submitted
                events.append({"at": iso(t), "event": "submit", "by": "customer"})
                t += dt.timedelta(hours=rng.randint(2, 40))
                events.append({"at": iso(t), "event": "approve", "by": "reviewer"})
                t += dt.timedelta(hours=rng.randint(4, 48))
                events.append({"at": iso(t), "event": "ship", "by": "customer",
                               "data": {"shipment": {"carrier": "SF", "tracking_no": f"SF{rng.randint(10**9, 10**10 - 1)}", "shipped_at": iso(t)}}})
                t += dt.timedelta(hours=rng.randint(24, 96))
                qty = facts["request"]["quantity"]
                inspection = {
                    "inspected_at": iso(t), "quantity_received": qty,
                    "appearance": rng.choices(["intact", "worn", "damaged"], weights=[85, 10, 5])[0],
                    "packaging": rng.choices(["complete", "opened", "missing"], weights=[50, 45, 5])[0],
                    "quality": "defective" if reason == "defective" and rng.random() < 0.85 else "ok",
                }
                events.append({"at": iso(t), "event": "receive", "by": "warehouse", "data": {"inspection": inspection}})
                if desired == "refund":
                    t += dt.timedelta(hours=rng.randint(1, 30))
                    method = facts["request"].get("refund_method", "alipay")
                    events.append({"at": iso(t), "event": "start_refund", "by": "finance",
                                   "data": {"refund": {"status": "processing", "method": method, "updated_at": iso(t)}}})
                    # Most refunds land within days; a few run past the 7-day deadline.
                    t += dt.timedelta(hours=rng.choice([2, 6, 20, 30, 48, 70, 100, 200]))
                    events.append({"at": iso(t), "event": "refund_succeeded", "by": "finance",
                                   "data": {"refund": {"status": "success", "reference": f"TX-{k + 1:06d}", "updated_at": iso(t)}}})
            line = {"id": facts["request"]["id"], "facts": facts}
            if events:
                line["events"] = events
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    with open(os.path.join(here, "sales.csv"), "w", encoding="utf-8") as out:
        out.write("sku,units_sold\n")
        for s in skus:
            out.write(f"{s['sku']},{s['sold']}\n")


if __name__ == "__main__":
    main()
