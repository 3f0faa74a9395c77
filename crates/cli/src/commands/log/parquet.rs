//! One day's decision log entries as a Parquet file: written beside its place under a
//! temporary name and renamed when whole, so a reader never sees half a file. The
//! columns are the entry's (`at` as `logged_at`: `at` is a keyword in DuckDB), with
//! `decision` and `codes` lifted out of the result for queries that need no JSON; `facts`
//! and `result` are JSON texts. The day is the folder's (`day=YYYY-MM-DD`), as Hive
//! partitioning reads it.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{Int64Builder, ListBuilder, StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use tenet_server::retention::PartWriter;
use tenet_server::store::DecisionRow;

/// The columns, in order.
fn schema() -> SchemaRef {
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    Arc::new(Schema::new(vec![
        Field::new("seq", DataType::Int64, false),
        text("decision_id", false),
        Field::new("logged_at", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
        text("policy", false),
        text("policy_version", true),
        text("policy_hash", false),
        text("case_id", true),
        text("event", true),
        text("decision", true),
        Field::new("codes", DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))), false),
        text("facts", false),
        text("result", false),
    ]))
}

struct Part {
    writer: ArrowWriter<File>,
    temp: PathBuf,
    path: PathBuf,
}

/// A new file at `path` (written as `path.tmp` until it is whole).
pub(super) fn part(path: &Path) -> Result<Box<dyn PartWriter>, String> {
    let temp = path.with_extension("parquet.tmp");
    let file = File::create(&temp).map_err(|e| e.to_string())?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).map_err(|e| e.to_string())?))
        .build();
    let writer = ArrowWriter::try_new(file, schema(), Some(props)).map_err(|e| e.to_string())?;
    Ok(Box::new(Part { writer, temp, path: path.to_owned() }))
}

impl PartWriter for Part {
    fn write(&mut self, rows: &[DecisionRow]) -> Result<(), String> {
        let batch = batch(rows)?;
        self.writer.write(&batch).map_err(|e| e.to_string())
    }

    fn finish(self: Box<Self>) -> Result<(), String> {
        let Part { writer, temp, path } = *self;
        let file = writer.into_inner().map_err(|e| e.to_string())?;
        file.sync_all().map_err(|e| e.to_string())?;
        std::fs::rename(&temp, &path).map_err(|e| e.to_string())
    }
}

fn batch(rows: &[DecisionRow]) -> Result<RecordBatch, String> {
    let mut seq = Int64Builder::new();
    let mut at = TimestampMicrosecondBuilder::new().with_timezone("UTC");
    let mut texts: Vec<StringBuilder> = (0..9).map(|_| StringBuilder::new()).collect();
    let mut codes = ListBuilder::new(StringBuilder::new());
    for r in rows {
        seq.append_value(r.seq);
        let t = chrono::DateTime::parse_from_rfc3339(&r.at).map_err(|e| format!("entry {}: at: {e}", r.decision_id))?;
        at.append_value(t.timestamp_micros());
        let result: serde_json::Value = serde_json::from_str(&r.result).unwrap_or_default();
        let decision = result.get("decision").and_then(serde_json::Value::as_str);
        let values = [
            Some(r.decision_id.as_str()),
            Some(r.policy.as_str()),
            r.policy_version.as_deref(),
            Some(r.policy_hash.as_str()),
            r.case_id.as_deref(),
            r.event.as_deref(),
            decision,
            Some(r.facts.as_str()),
            Some(r.result.as_str()),
        ];
        for (b, v) in texts.iter_mut().zip(values) {
            b.append_option(v);
        }
        for code in result.get("codes").and_then(serde_json::Value::as_array).into_iter().flatten() {
            codes.values().append_option(code.as_str());
        }
        codes.append(true);
    }
    let mut t = texts.into_iter().map(|mut b| Arc::new(b.finish()) as ArrayRef);
    let mut next = || t.next().ok_or_else(|| "a column is missing".to_owned());
    let (id, policy, version, hash, case, event, decision, facts, result) =
        (next()?, next()?, next()?, next()?, next()?, next()?, next()?, next()?, next()?);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(seq.finish()),
        id,
        Arc::new(at.finish()),
        policy,
        version,
        hash,
        case,
        event,
        decision,
        Arc::new(codes.finish()),
        facts,
        result,
    ];
    RecordBatch::try_new(schema(), columns).map_err(|e| e.to_string())
}
