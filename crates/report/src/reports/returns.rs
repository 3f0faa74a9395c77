//! The return analysis (the process's analysis stage): every case replayed (or evaluated) through the return
//! policy, one at a time, into running totals — so memory grows with the number of SKUs
//! and weeks, not with the number of cases.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value as Json, json};
use tenet::Policy;
use tenet::eval::{Decision, Evaluation};
use tenet::facts::Raw;
use tenet::value::Value;
use tenet::workflow::{Case, Outcome};

/// What the report needs from the command line.
#[derive(Clone, Debug)]
pub struct Options {
    /// Submissions from this local date on.
    pub since: Option<NaiveDate>,
    /// Submissions up to this local date, inclusive.
    pub until: Option<NaiveDate>,
    /// The instant cases are replayed at (deadlines, events after it).
    pub now: DateTime<Utc>,
}

/// Units sold per SKU, for return rates.
pub type Sales = BTreeMap<String, u64>;

#[derive(Clone, Debug, Default)]
struct Group {
    returns: u64,
    approved: u64,
    refund_total: Decimal,
}

#[derive(Clone, Debug, Default)]
struct CategoryGroup {
    totals: Group,
    reasons: BTreeMap<String, u64>,
}

#[derive(Clone, Debug, Default)]
struct SkuGroup {
    category: String,
    totals: Group,
    reasons: BTreeMap<String, u64>,
}

/// The running totals of a return analysis.
#[derive(Debug)]
pub struct ReturnReport<'p> {
    policy: &'p Policy,
    options: Options,
    cases: u64,
    errors: u64,
    by_decision: BTreeMap<&'static str, u64>,
    by_reason: BTreeMap<String, u64>,
    by_code: BTreeMap<String, u64>,
    by_category: BTreeMap<String, CategoryGroup>,
    by_sku: BTreeMap<String, SkuGroup>,
    by_week: BTreeMap<String, Group>,
    refund_total: Decimal,
    deductions_total: Decimal,
    /// Seconds from inspection to the refund's success, per case that has both.
    refund_seconds: Vec<i64>,
    /// Refunds confirmed after the policy's `refund_due`.
    late_refunds: u64,
    first_day: Option<NaiveDate>,
    last_day: Option<NaiveDate>,
}

/// One case as the Parquet export writes it.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseRow {
    /// The case's id, when it has one.
    pub id: Option<String>,
    /// `item.sku`.
    pub sku: Option<String>,
    /// `item.category`.
    pub category: Option<String>,
    /// `request.reason`.
    pub reason: Option<String>,
    /// The decision.
    pub decision: String,
    /// Fired codes, in firing order.
    pub codes: Vec<String>,
    /// The refund counted for it (approved cases only).
    pub refund_amount: Option<Decimal>,
    /// `request.submitted_at`.
    pub submitted: Option<DateTime<Utc>>,
    /// `inspection.inspected_at`.
    pub inspected: Option<DateTime<Utc>>,
    /// The accepted `refund_succeeded` event's time.
    pub refunded: Option<DateTime<Utc>>,
    /// The workflow stage, for replayed cases.
    pub stage: Option<String>,
}

/// Why one case could not be counted.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseError(pub String);

fn text_at<'a>(facts: &'a Json, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(facts, |v, k| v.get(k))?.as_str()
}

fn money(v: Option<&Value>) -> Option<Decimal> {
    match v? {
        Value::Money(d) | Value::Decimal(d) => Some(*d),
        _ => None,
    }
}

impl<'p> ReturnReport<'p> {
    /// The name of the policy the report replays cases under.
    pub fn policy_name(&self) -> &str {
        self.policy.name()
    }

    /// An empty report under `policy`.
    pub fn new(policy: &'p Policy, options: Options) -> ReturnReport<'p> {
        ReturnReport {
            policy,
            options,
            cases: 0,
            errors: 0,
            by_decision: BTreeMap::new(),
            by_reason: BTreeMap::new(),
            by_code: BTreeMap::new(),
            by_category: BTreeMap::new(),
            by_sku: BTreeMap::new(),
            by_week: BTreeMap::new(),
            refund_total: Decimal::ZERO,
            deductions_total: Decimal::ZERO,
            refund_seconds: Vec::new(),
            late_refunds: 0,
            first_day: None,
            last_day: None,
        }
    }

    /// An empty report with the same policy and options, for another thread's share of
    /// the cases ([`ReturnReport::merge`] adds it back).
    pub fn fresh(&self) -> ReturnReport<'p> {
        ReturnReport::new(self.policy, self.options.clone())
    }

    /// Adds the totals of `other` (the same policy and options) to these.
    pub fn merge(&mut self, other: ReturnReport<'p>) {
        fn add_counts<K: Ord>(into: &mut BTreeMap<K, u64>, from: BTreeMap<K, u64>) {
            for (k, v) in from {
                *into.entry(k).or_default() += v;
            }
        }
        fn add_group(into: &mut Group, from: &Group) {
            into.returns += from.returns;
            into.approved += from.approved;
            into.refund_total += from.refund_total;
        }
        self.cases += other.cases;
        self.errors += other.errors;
        add_counts(&mut self.by_decision, other.by_decision);
        add_counts(&mut self.by_reason, other.by_reason);
        add_counts(&mut self.by_code, other.by_code);
        for (k, c) in other.by_category {
            let into = self.by_category.entry(k).or_default();
            add_group(&mut into.totals, &c.totals);
            add_counts(&mut into.reasons, c.reasons);
        }
        for (k, s) in other.by_sku {
            let into = self.by_sku.entry(k).or_default();
            if into.category.is_empty() {
                into.category = s.category;
            }
            add_group(&mut into.totals, &s.totals);
            add_counts(&mut into.reasons, s.reasons);
        }
        for (k, g) in other.by_week {
            add_group(self.by_week.entry(k).or_default(), &g);
        }
        self.refund_total += other.refund_total;
        self.deductions_total += other.deductions_total;
        self.refund_seconds.extend(other.refund_seconds);
        self.late_refunds += other.late_refunds;
        self.first_day = match (self.first_day, other.first_day) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last_day = match (self.last_day, other.last_day) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    /// Counts a case that could not be read or evaluated.
    pub fn error(&mut self) {
        self.errors += 1;
    }

    /// Adds one case given as a JSON line: `{"id"?, "facts": {…}, "events"?: […]}`.
    pub fn add_line(&mut self, line: &str) -> Result<Option<CaseRow>, CaseError> {
        let raw: Raw = serde_json::from_str(line).map_err(|e| CaseError(format!("not JSON: {e}")))?;
        // The one reader of a case (as `tenet case`, `tenet eval --batch` and `tenet diff`
        // read one), its first problem with its path.
        let case = Case::from_raw(&raw).map_err(|d| {
            CaseError(
                d.first()
                    .map(|d| match &d.path {
                        Some(p) if !p.is_empty() => format!("{p}: {}", d.message.en),
                        _ => d.message.en.clone(),
                    })
                    .unwrap_or_default(),
            )
        })?;
        self.add_case(&case)
    }

    /// Adds one case: replayed through the workflow when it has events, evaluated as it
    /// stands otherwise.
    /// The case's row, unless the date filter left it out.
    pub fn add_case(&mut self, case: &Case) -> Result<Option<CaseRow>, CaseError> {
        let first_error = |d: &[tenet::diagnostics::Diagnostic]| {
            CaseError(
                d.first()
                    .map(|d| match &d.path {
                        Some(p) => format!("{p}: {}", d.message.en),
                        None => d.message.en.clone(),
                    })
                    .unwrap_or_else(|| "invalid".into()),
            )
        };
        let judged = self.policy.judge_case(case, self.options.now).map_err(|d| first_error(&d))?;
        match &judged {
            tenet::Judged::Facts(evaluation) => {
                let json = case.facts.to_json();
                Ok(self.count(case.id.as_deref(), &json, evaluation, None, None))
            }
            tenet::Judged::Replayed(replay) => {
                let Some(evaluation) = replay.evaluation() else {
                    return Err(first_error(replay.problems()));
                };
                let refunded = replay
                    .trail()
                    .iter()
                    .rev()
                    .find(|s| s.event() == "refund_succeeded" && s.outcome() == Outcome::Accepted)
                    .map(|s| s.at());
                let json = replay.facts().to_json();
                Ok(self.count(case.id.as_deref(), &json, evaluation, refunded, Some(replay.stage())))
            }
            _ => Err(CaseError("this kind of case is not counted".into())),
        }
    }

    fn count(
        &mut self,
        id: Option<&str>,
        facts: &Json,
        e: &Evaluation<'_>,
        refunded: Option<DateTime<Utc>>,
        stage: Option<&str>,
    ) -> Option<CaseRow> {
        let tz = self.policy.locale().zone();
        let submitted = text_at(facts, &["request", "submitted_at"])
            .and_then(tenet::facts::parse_datetime)
            .map(|t| t.with_timezone(&tz).date_naive());
        if let Some(day) = submitted {
            if self.options.since.is_some_and(|s| day < s) || self.options.until.is_some_and(|u| day > u) {
                return None;
            }
            self.first_day = Some(self.first_day.map_or(day, |d| d.min(day)));
            self.last_day = Some(self.last_day.map_or(day, |d| d.max(day)));
        }
        self.cases += 1;
        let decision = e.decision();
        let approved = decision == Decision::Approved;
        *self.by_decision.entry(decision.as_str()).or_default() += 1;
        let reason = text_at(facts, &["request", "reason"]).unwrap_or("(none)").to_owned();
        *self.by_reason.entry(reason.clone()).or_default() += 1;
        for code in e.codes() {
            *self.by_code.entry(code.to_owned()).or_default() += 1;
        }
        // A refund only where the policy gives one (an approved exchange has none: null
        // in a row, nothing added to the total), never on a declined request.
        let refund = if approved { money(e.value("refund_amount")) } else { None };
        self.refund_total += refund.unwrap_or_default();
        if let Some(l) = e.ledger("deductions") {
            self.deductions_total += l.total();
        }
        let add = |g: &mut Group| {
            g.returns += 1;
            g.approved += u64::from(approved);
            g.refund_total += refund.unwrap_or_default();
        };
        let category = text_at(facts, &["item", "category"]).unwrap_or("(none)").to_owned();
        let c = self.by_category.entry(category.clone()).or_default();
        add(&mut c.totals);
        *c.reasons.entry(reason.clone()).or_default() += 1;
        let sku = text_at(facts, &["item", "sku"]).unwrap_or("(none)").to_owned();
        let s = self.by_sku.entry(sku).or_default();
        if s.category.is_empty() {
            s.category = category;
        }
        add(&mut s.totals);
        *s.reasons.entry(reason).or_default() += 1;
        if let Some(day) = submitted {
            let w = day.iso_week();
            add(self.by_week.entry(format!("{}-W{:02}", w.year(), w.week())).or_default());
        }
        let inspected = text_at(facts, &["inspection", "inspected_at"]).and_then(tenet::facts::parse_datetime);
        if let (Some(from), Some(to)) = (inspected, refunded) {
            self.refund_seconds.push((to - from.to_utc()).num_seconds());
            if let Some(Value::DateTime(due)) = e.value("refund_due")
                && to > *due
            {
                self.late_refunds += 1;
            }
        }
        let text = |path: &[&str]| text_at(facts, path).map(str::to_owned);
        Some(CaseRow {
            id: id.map(str::to_owned),
            sku: text(&["item", "sku"]),
            category: text(&["item", "category"]),
            reason: text(&["request", "reason"]),
            decision: decision.as_str().to_owned(),
            codes: e.codes().into_iter().map(str::to_owned).collect(),
            refund_amount: refund,
            submitted: text_at(facts, &["request", "submitted_at"])
                .and_then(tenet::facts::parse_datetime)
                .map(|t| t.to_utc()),
            inspected: inspected.map(|t| t.to_utc()),
            refunded,
            stage: stage.map(str::to_owned),
        })
    }

    /// The report as the contract's JSON object, with `flags` given.
    pub fn to_json(&self, sales: Option<&Sales>, flags: Vec<Json>) -> Json {
        let locale = self.policy.locale();
        let m = |d: Decimal| json!(locale.money(d));
        let counts = |b: &BTreeMap<String, u64>| Json::Object(b.iter().map(|(k, v)| (k.clone(), json!(v))).collect());
        let mut out = Map::new();
        out.insert("policy".into(), json!(self.policy.name()));
        out.insert("version".into(), json!(self.policy.version()));
        out.insert("cases".into(), json!(self.cases));
        out.insert("errors".into(), json!(self.errors));
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string());
        out.insert(
            "period".into(),
            json!({
                "since": day(self.options.since.or(self.first_day)),
                "until": day(self.options.until.or(self.last_day)),
            }),
        );
        out.insert(
            "by_decision".into(),
            Json::Object(self.by_decision.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect()),
        );
        out.insert("by_reason".into(), counts(&self.by_reason));
        out.insert("by_code".into(), counts(&self.by_code));
        let group = |key: &str, name: &str, g: &Group| json!({key: name, "returns": g.returns, "approved": g.approved, "refund_total": m(g.refund_total)});
        out.insert(
            "by_category".into(),
            self.by_category.iter().map(|(k, c)| group("category", k, &c.totals)).collect(),
        );
        let mut skus: Vec<(&String, &SkuGroup)> = self.by_sku.iter().collect();
        skus.sort_by(|a, b| b.1.totals.returns.cmp(&a.1.totals.returns).then_with(|| a.0.cmp(b.0)));
        let sku_rows: Vec<Json> = skus
            .iter()
            .map(|(sku, s)| {
                let mut row = Map::new();
                row.insert("sku".into(), json!(sku));
                row.insert("category".into(), json!(s.category));
                row.insert("returns".into(), json!(s.totals.returns));
                row.insert("approved".into(), json!(s.totals.approved));
                if let Some(sold) = sales.and_then(|s| s.get(*sku)) {
                    row.insert("sold".into(), json!(sold));
                    if *sold > 0 {
                        let rate = (Decimal::from(s.totals.returns) / Decimal::from(*sold))
                            .round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
                        row.insert("return_rate".into(), json!(format_places(rate, 4)));
                    }
                }
                let top = s.reasons.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0))).map(|(r, _)| r);
                row.insert("top_reason".into(), json!(top));
                row.insert("refund_total".into(), m(s.totals.refund_total));
                Json::Object(row)
            })
            .collect();
        out.insert("by_sku".into(), Json::Array(sku_rows));
        out.insert("by_week".into(), self.by_week.iter().map(|(k, g)| group("week", k, g)).collect());
        out.insert("refund_total".into(), m(self.refund_total));
        out.insert("deductions_total".into(), m(self.deductions_total));
        out.insert("refund_time_hours".into(), self.refund_times());
        out.insert("flags".into(), Json::Array(flags));
        Json::Object(out)
    }

    /// Count, median and 90th percentile (nearest rank) of the refund times, in hours to
    /// one place.
    fn refund_times(&self) -> Json {
        let mut secs = self.refund_seconds.clone();
        secs.sort_unstable();
        let hours = |s: i64| format_places(Decimal::from(s) / Decimal::from(3600), 1);
        let rank = |p: usize| -> Option<i64> {
            if secs.is_empty() {
                return None;
            }
            let i = (secs.len() * p).div_ceil(100).saturating_sub(1);
            secs.get(i).copied()
        };
        // For the distribution chart: refunds per day since the inspection, the last
        // bucket open-ended.
        let mut buckets = [0u64; 8];
        for s in &secs {
            let day = usize::try_from(s.max(&0) / 86_400).unwrap_or(usize::MAX).min(buckets.len() - 1);
            if let Some(b) = buckets.get_mut(day) {
                *b += 1;
            }
        }
        let buckets: Vec<Json> = buckets
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let up_to = if i + 1 == buckets.len() { Json::Null } else { json!((i + 1) * 24) };
                json!({"from": i * 24, "up_to": up_to, "count": n})
            })
            .collect();
        json!({
            "count": secs.len(),
            "median": rank(50).map(hours),
            "p90": rank(90).map(hours),
            "buckets": buckets,
        })
    }

    /// The facts `rules/return_insights.tenet` reads: per SKU its returns, return rate,
    /// its category's rate and the share of defects; per category the shares of the
    /// reasons that point at listings and packaging; refunds confirmed and late.
    pub fn insight_facts(&self, sales: Option<&Sales>) -> Json {
        let share = |part: u64, whole: u64| {
            if whole == 0 { Decimal::ZERO } else { Decimal::from(part) / Decimal::from(whole) }
        };
        let dec = |d: Decimal| json!(d.round_dp(6).normalize().to_string());
        let sold = |sku: &str| sales.and_then(|s| s.get(sku)).copied().filter(|n| *n > 0);
        // A category's rate counts only its SKUs with sales.
        let mut category_sold: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        for (sku, s) in &self.by_sku {
            if let Some(n) = sold(sku) {
                let e = category_sold.entry(s.category.as_str()).or_default();
                e.0 += s.totals.returns;
                e.1 += n;
            }
        }
        let skus: Vec<Json> = self
            .by_sku
            .iter()
            .map(|(sku, s)| {
                let mut m = Map::new();
                m.insert("sku".into(), json!(sku));
                m.insert("category".into(), json!(s.category));
                m.insert("returns".into(), json!(s.totals.returns));
                if let Some(n) = sold(sku) {
                    m.insert("return_rate".into(), dec(share(s.totals.returns, n)));
                }
                if let Some((r, n)) = category_sold.get(s.category.as_str()) {
                    m.insert("category_rate".into(), dec(share(*r, *n)));
                }
                let defects = s.reasons.get("defective").copied().unwrap_or(0);
                m.insert("defective_share".into(), dec(share(defects, s.totals.returns)));
                Json::Object(m)
            })
            .collect();
        let categories: Vec<Json> = self
            .by_category
            .iter()
            .map(|(name, c)| {
                let n = |r: &str| c.reasons.get(r).copied().unwrap_or(0);
                json!({
                    "category": name,
                    "returns": c.totals.returns,
                    "not_as_described_share": dec(share(n("not_as_described"), c.totals.returns)),
                    "damaged_in_transit_share": dec(share(n("damaged_in_transit"), c.totals.returns)),
                })
            })
            .collect();
        json!({
            "skus": skus,
            "categories": categories,
            "refunds": {"count": self.refund_seconds.len(), "late": self.late_refunds},
        })
    }

    /// How many cases were counted and how many could not be.
    pub fn counts(&self) -> (u64, u64) {
        (self.cases, self.errors)
    }
}

/// `d` rounded half away from zero to `places`, written with exactly that many.
pub fn format_places(d: Decimal, places: u32) -> String {
    let mut r = d.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    r.rescale(places);
    r.to_string()
}

/// The improvement flags: `insights` evaluated on `facts` ([`ReturnReport::insight_facts`]),
/// each flag with the SKU or category it is about, its code and its messages.
pub fn flags(
    insights: &Policy,
    facts: &Json,
    now: DateTime<Utc>,
) -> Result<Vec<Json>, Vec<tenet::diagnostics::Diagnostic>> {
    let text = facts.to_string();
    let facts_typed = insights.facts_from_json(&text)?;
    let evaluation = insights.evaluate(&facts_typed, now).map_err(|e| e.diagnostics().to_vec())?;
    let subject = |item: &str| -> Option<(&'static str, Json)> {
        let (list, rest) = item.split_once('[')?;
        let index: usize = rest.strip_suffix(']')?.parse().ok()?;
        let (list_key, key) = match list {
            "skus" => ("skus", "sku"),
            "categories" => ("categories", "category"),
            _ => return None,
        };
        Some((key, facts.get(list_key)?.get(index)?.get(key)?.clone()))
    };
    Ok(evaluation
        .findings()
        .iter()
        .map(|f| {
            let mut m = Map::new();
            m.insert("code".into(), json!(f.code()));
            if let Some((key, name)) = f.item().and_then(subject) {
                m.insert(key.into(), name);
            }
            m.insert("message".into(), json!(f.message()));
            m.insert("message_en".into(), json!(f.message_en()));
            Json::Object(m)
        })
        .collect())
}
