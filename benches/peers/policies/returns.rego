# The bundled return policy (rules/returns.tenet) in Rego, for the side-by-side
# benchmark: decision, fired codes and refund amount. Money is counted in fen (integer
# cents) so that rounding is exact and half-up, as tenet rounds it. Written to mean the
# same under regorus's interpreter and its bytecode VM (RVM): optional facts are read
# with object.get and tested explicitly, and the decision is three rules, not an
# `else` chain.
package returns

import rego.v1

quality_reasons := {"defective", "not_as_described", "wrong_item", "damaged_in_transit"}

refund_methods := {"cash", "bank_transfer", "alipay", "wechat_pay"}

non_returnable := {"custom", "perishable", "digital", "intimate"}

day_ns := 86400000000000

# The local date in Asia/Shanghai as one comparable number, YYYYMMDD.
local_day(ns) := v if {
	d := time.date([ns, "Asia/Shanghai"])
	v := ((d[0] * 10000) + (d[1] * 100)) + d[2]
}

delivered_ns := time.parse_rfc3339_ns(input.order.delivered_at)

submit_day := local_day(time.parse_rfc3339_ns(input.request.submitted_at))

# The delivery date plus n calendar days (the zone keeps one offset all year).
delivery_plus(n) := local_day(delivered_ns + (n * day_ns))

reason := object.get(input.request, "reason", "")

no_reason if reason == "no_reason"

quality_claim if quality_reasons[reason]

has_inspection if input.inspection

cents(x) := round(to_number(x) * 100)

refund_qty := min({input.request.quantity, input.inspection.quantity_received})

goods_cents := cents(input.item.unit_price) * refund_qty

# Half-up to the fen.
rate_of(rate_percent, amount) := floor(((amount * rate_percent) / 100) + 0.5)

documents := {d | some d in input.request.documents}

# ── Findings: code → kind ────────────────────────────────────────────────────────

findings contains ["REASON_REQUIRED", "reject"] if reason == ""

findings contains ["UNKNOWN_REASON", "reject"] if {
	reason != ""
	reason != "no_reason"
	not quality_reasons[reason]
}

findings contains ["INVALID_QUANTITY", "reject"] if input.request.quantity < 1

findings contains ["INVALID_QUANTITY", "reject"] if input.request.quantity > input.item.quantity

findings contains ["REFUND_METHOD_REQUIRED", "reject"] if {
	input.request.desired == "refund"
	refund_method == null
}

refund_method := object.get(input.request, "refund_method", null)

findings contains ["REFUND_METHOD_UNSUPPORTED", "reject"] if {
	refund_method != null
	not refund_methods[refund_method]
}

findings contains ["WINDOW_EXPIRED", "reject"] if {
	no_reason
	submit_day > delivery_plus(7)
}

findings contains ["QUALITY_WINDOW_EXPIRED", "reject"] if {
	quality_claim
	input.request.desired in {"refund", "exchange"}
	submit_day > delivery_plus(15)
}

findings contains ["WARRANTY_EXPIRED", "reject"] if {
	quality_claim
	input.request.desired == "repair"
	submit_day > delivery_plus(365)
}

findings contains ["NOT_RETURNABLE", "reject"] if {
	no_reason
	non_returnable[input.item.category]
}

findings contains ["FINAL_SALE", "reject"] if {
	input.item.final_sale == true
	no_reason
}

findings contains ["REPAIR_REQUIRES_DEFECT", "reject"] if {
	no_reason
	input.request.desired == "repair"
}

findings contains ["EVIDENCE_REQUIRED", "require"] if {
	quality_claim
	not documents.photo
}

findings contains ["PROOF_OF_PURCHASE", "require"] if {
	not documents.invoice
	not documents.receipt
}

findings contains ["TRACKING_REQUIRED", "require"] if {
	input.shipment
	object.get(input.shipment, "tracking_no", "") == ""
}

findings contains ["NOTHING_RECEIVED", "reject"] if input.inspection.quantity_received == 0

findings contains ["QUANTITY_SHORT", "flag"] if {
	input.inspection.quantity_received > 0
	input.inspection.quantity_received < input.request.quantity
}

findings contains ["DAMAGED_BY_CUSTOMER", "reject"] if {
	no_reason
	input.inspection.appearance == "damaged"
}

findings contains ["DEFECT_NOT_CONFIRMED", "reject"] if {
	reason == "defective"
	input.inspection.quality == "ok"
}

findings contains ["REFUND_NOT_CONFIRMED", "require"] if {
	input.refund
	input.refund.status != "success"
}

deductions contains ["RESTOCKING_FEE", rate_of(10, goods_cents)] if {
	no_reason
	input.inspection.packaging == "opened"
}

deductions contains ["PACKAGING_MISSING", rate_of(20, goods_cents)] if {
	no_reason
	input.inspection.packaging == "missing"
}

deductions contains ["RETURN_SHIPPING", 1000] if {
	no_reason
	input.request.desired == "refund"
	has_inspection
}

# ── Result ───────────────────────────────────────────────────────────────────────

rejected if {
	some f in findings
	f[1] == "reject"
}

held if {
	some f in findings
	f[1] == "require"
}

decision := "rejected" if rejected

decision := "needs_info" if {
	not rejected
	held
}

decision := "approved" if {
	not rejected
	not held
}

codes := sort({f[0] | some f in findings} | {d[0] | some d in deductions})

deducted := sum([d[1] | some d in deductions])

default refund_cents := null

refund_cents := max({0, goods_cents - deducted}) if {
	has_inspection
	input.request.desired == "refund"
	decision == "approved"
}

result := {"decision": decision, "codes": codes, "refund_cents": refund_cents}
