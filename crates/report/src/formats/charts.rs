//! The report's charts, drawn with plotters into SVG text for the HTML page: bars with a
//! label each (returns by reason, by week, SKUs by return rate, refunds by days taken).
//! Labels are SVG text, so the browser draws the Chinese with its own fonts.

use plotters::prelude::*;

/// One bar: its label and its height.
pub type Bar = (String, f64);

/// A bar chart as an SVG document; `None` when there is nothing to draw or drawing fails
/// (the page then says so instead of showing a chart).
pub fn bars(title: &str, y_label: &str, data: &[Bar], color: RGBColor) -> Option<String> {
    if data.is_empty() {
        return None;
    }
    let top = data.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
    let top = if top <= 0.0 { 1.0 } else { top * 1.15 };
    let n = u32::try_from(data.len()).ok()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 340)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d((0u32..n).into_segmented(), 0f64..top)
            .ok()?;
        let label = |v: &SegmentValue<u32>| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                data.get(usize::try_from(*i).unwrap_or(usize::MAX)).map(|(l, _)| l.clone()).unwrap_or_default()
            }
            SegmentValue::Last => String::new(),
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(data.len())
            .x_label_formatter(&label)
            .x_label_style(("sans-serif", if data.len() > 8 { 10 } else { 12 }))
            .y_label_formatter(&|v: &f64| format!("{v:.0}"))
            .y_desc(y_label)
            .y_label_style(("sans-serif", 12))
            .draw()
            .ok()?;
        chart
            .draw_series(
                Histogram::vertical(&chart)
                    .style(color.filled())
                    .margin(6)
                    .data(data.iter().enumerate().map(|(i, (_, v))| (u32::try_from(i).unwrap_or(u32::MAX), *v))),
            )
            .ok()?;
        root.present().ok()?;
    }
    // The document's own header is dropped: the chart goes inline into the page.
    Some(svg)
}
