//! The Parquet export read back with arrow-rs: one row per counted case, and its counts
//! and money agree with the JSON report of the same run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use std::collections::BTreeMap;

use arrow_array::cast::AsArray;
use arrow_array::types::Decimal128Type;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rust_decimal::Decimal;

use tenet_test_support::root;

#[test]
fn the_rows_agree_with_the_report() {
    let policy = tenet::Policy::load(root().join("rules/returns.tenet")).unwrap();
    let now: chrono::DateTime<chrono::Utc> = "2026-12-01T00:00:00+08:00".parse().unwrap();
    let options = tenet_report::reports::returns::Options { since: None, until: None, now };
    let mut report = tenet_report::reports::returns::ReturnReport::new(&policy, options);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.parquet");
    let mut file = std::fs::File::create(&path).unwrap();
    let mut rows = tenet_report::formats::parquet::RowWriter::new().unwrap();
    tenet_report::reports::input::feed_rows(
        &mut report,
        &root().join("examples/returns/corpus.jsonl"),
        &mut |row| rows.push(row, &mut file),
        &mut |e| panic!("{e}"),
    )
    .unwrap();
    let written = rows.finish(&mut file).unwrap();
    drop(file);
    let json = report.to_json(None, Vec::new());
    assert_eq!(written, json["cases"].as_u64().unwrap());

    let reader =
        ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap()).unwrap().build().unwrap();
    let (mut count, mut refunds) = (0u64, Decimal::ZERO);
    let mut decisions: BTreeMap<String, u64> = BTreeMap::new();
    let mut first_id = None;
    // (the row has a refund amount, the row is approved), in input order.
    let mut has_refund = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        count += batch.num_rows() as u64;
        let decision = batch.column_by_name("decision").unwrap().as_string::<i32>();
        for d in decision.iter().flatten() {
            *decisions.entry(d.to_owned()).or_default() += 1;
        }
        let amounts = batch.column_by_name("refund_amount").unwrap().as_primitive::<Decimal128Type>();
        for (fen, d) in amounts.iter().zip(decision.iter()) {
            has_refund.push((fen.is_some(), d.unwrap_or_default() == "approved"));
            refunds += fen.map(|f| Decimal::from_i128_with_scale(f, 2)).unwrap_or_default();
        }
        first_id = first_id.or_else(|| {
            batch.column_by_name("id").unwrap().as_string::<i32>().iter().next().flatten().map(str::to_owned)
        });
    }
    assert_eq!(count, written);
    assert_eq!(refunds.to_string(), json["refund_total"].as_str().unwrap());
    let expected: BTreeMap<String, u64> =
        json["by_decision"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap())).collect();
    assert_eq!(decisions, expected);
    assert_eq!(first_id.as_deref(), Some("RR-00001"), "rows keep the input's order");
    // A refund amount exactly where the policy owes one (`refund_ready`): an approved
    // request for a refund whose item was inspected. An exchange, a request not yet
    // inspected or a declined one has none (null), never 0.00.
    let corpus = std::fs::read_to_string(root().join("examples/returns/corpus.jsonl")).unwrap();
    let mut exchanges = 0;
    for ((line, (amount, approved)), n) in corpus.lines().zip(&has_refund).zip(1..) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let wants_refund = v["facts"]["request"]["desired"] == "refund";
        // Inspected by `now`: a later receipt is not part of the case yet.
        let by_now =
            |e: &serde_json::Value| tenet::facts::parse_datetime(e["at"].as_str().unwrap()).unwrap().to_utc() <= now;
        let inspected = v["events"].as_array().into_iter().flatten().any(|e| e["event"] == "receive" && by_now(e));
        exchanges += usize::from(*approved && !wants_refund);
        assert_eq!(*amount, *approved && wants_refund && inspected, "line {n}: {line}");
    }
    assert!(exchanges > 10, "approved exchanges are in the corpus ({exchanges})");
}
