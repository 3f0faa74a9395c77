//! One row per case as Parquet (arrow-rs), for DuckDB, pandas or Spark: rows are
//! buffered into record batches of [`BATCH`] and written as they fill, so memory stays
//! flat whatever the number of cases.

use std::io::Write;
use std::sync::Arc;

use arrow_array::builder::{Decimal128Builder, ListBuilder, StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;

use crate::reports::returns::CaseRow;

/// Rows per record batch (and row group).
pub const BATCH: usize = 65_536;

/// Money columns: 18 digits, 2 after the point (fen).
const PRECISION: u8 = 18;
const SCALE: i8 = 2;

/// The columns, in order.
pub fn schema() -> SchemaRef {
    let ts = || DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, true),
        Field::new("sku", DataType::Utf8, true),
        Field::new("category", DataType::Utf8, true),
        Field::new("reason", DataType::Utf8, true),
        Field::new("decision", DataType::Utf8, false),
        Field::new("codes", DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))), false),
        Field::new("refund_amount", DataType::Decimal128(PRECISION, SCALE), true),
        Field::new("submitted", ts(), true),
        Field::new("inspected", ts(), true),
        Field::new("refunded", ts(), true),
        Field::new("stage", DataType::Utf8, true),
    ]))
}

/// Writes case rows as Parquet into any writer: each full batch becomes a row group,
/// encoded in memory and passed on at once, so only one batch is held at a time.
pub struct RowWriter {
    writer: ArrowWriter<Vec<u8>>,
    rows: Vec<CaseRow>,
    written: u64,
}

impl RowWriter {
    /// A new file.
    pub fn new() -> Result<RowWriter, String> {
        let writer = ArrowWriter::try_new(Vec::new(), schema(), None).map_err(|e| e.to_string())?;
        Ok(RowWriter { writer, rows: Vec::with_capacity(BATCH), written: 0 })
    }

    /// Adds a row; a full batch is encoded and written to `out`.
    pub fn push(&mut self, row: CaseRow, out: &mut dyn Write) -> Result<(), String> {
        self.rows.push(row);
        if self.rows.len() >= BATCH { self.flush(out) } else { Ok(()) }
    }

    fn flush(&mut self, out: &mut dyn Write) -> Result<(), String> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let batch = batch(&self.rows)?;
        self.writer.write(&batch).map_err(|e| e.to_string())?;
        self.writer.flush().map_err(|e| e.to_string())?;
        self.written += self.rows.len() as u64;
        self.rows.clear();
        let encoded = std::mem::take(self.writer.inner_mut());
        out.write_all(&encoded).map_err(|e| e.to_string())
    }

    /// Writes what is left and the file's footer to `out`; the number of rows.
    pub fn finish(mut self, out: &mut dyn Write) -> Result<u64, String> {
        self.flush(out)?;
        let rest = self.writer.into_inner().map_err(|e| e.to_string())?;
        out.write_all(&rest).map_err(|e| e.to_string())?;
        Ok(self.written)
    }
}

fn batch(rows: &[CaseRow]) -> Result<RecordBatch, String> {
    let text = |f: &dyn Fn(&CaseRow) -> Option<&str>| -> ArrayRef {
        let mut b = StringBuilder::new();
        for r in rows {
            b.append_option(f(r));
        }
        Arc::new(b.finish())
    };
    let time = |f: &dyn Fn(&CaseRow) -> Option<chrono::DateTime<chrono::Utc>>| -> ArrayRef {
        let mut b = TimestampMicrosecondBuilder::new().with_timezone("UTC");
        for r in rows {
            b.append_option(f(r).map(|t| t.timestamp_micros()));
        }
        Arc::new(b.finish())
    };
    let mut codes = ListBuilder::new(StringBuilder::new());
    for r in rows {
        for c in &r.codes {
            codes.values().append_value(c);
        }
        codes.append(true);
    }
    let mut refunds = Decimal128Builder::new();
    for r in rows {
        let fen = r.refund_amount.map(|d| {
            let mut d = d.round_dp(u32::from(SCALE.unsigned_abs()));
            d.rescale(u32::from(SCALE.unsigned_abs()));
            d.mantissa()
        });
        refunds.append_option(fen);
    }
    let mut refunds = refunds.with_precision_and_scale(PRECISION, SCALE).map_err(|e| e.to_string())?;
    let columns: Vec<ArrayRef> = vec![
        text(&|r| r.id.as_deref()),
        text(&|r| r.sku.as_deref()),
        text(&|r| r.category.as_deref()),
        text(&|r| r.reason.as_deref()),
        text(&|r| Some(r.decision.as_str())),
        Arc::new(codes.finish()),
        Arc::new(refunds.finish()),
        time(&|r| r.submitted),
        time(&|r| r.inspected),
        time(&|r| r.refunded),
        text(&|r| r.stage.as_deref()),
    ];
    RecordBatch::try_new(schema(), columns).map_err(|e| e.to_string())
}
