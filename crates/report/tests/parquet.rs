//! The Parquet export read back with arrow-rs: one row per counted case, and its counts
//! and money agree with the JSON report of the same run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::Decimal128Type;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rust_decimal::Decimal;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_rows_agree_with_the_report() {
    let policy = tenet::Policy::load(root().join("rules/returns.tenet")).unwrap();
    let now = "2026-12-01T00:00:00+08:00".parse().unwrap();
    let options = tenet_report::returns::Options { since: None, until: None, now };
    let mut report = tenet_report::returns::ReturnReport::new(&policy, options);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.parquet");
    let mut file = std::fs::File::create(&path).unwrap();
    let mut rows = tenet_report::parquet::RowWriter::new().unwrap();
    tenet_report::input::feed_rows(
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
    for batch in reader {
        let batch = batch.unwrap();
        count += batch.num_rows() as u64;
        let decision = batch.column_by_name("decision").unwrap().as_string::<i32>();
        for d in decision.iter().flatten() {
            *decisions.entry(d.to_owned()).or_default() += 1;
        }
        let amounts = batch.column_by_name("refund_amount").unwrap().as_primitive::<Decimal128Type>();
        for fen in amounts.iter().flatten() {
            refunds += Decimal::from_i128_with_scale(fen, 2);
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
}
