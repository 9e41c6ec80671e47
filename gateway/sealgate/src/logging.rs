//! Logging set-up: text or JSON lines on stderr, filtered by `[log] level`.
//! Log lines carry ids, reasons and pseudonymised addresses — never bodies or subjects.
//!
//! The DNS library (hickory) is silenced unless `[log] level` names it: its warnings dump whole
//! DNS messages on every NXDOMAIN; the deliver stage logs one line of its own per failed MX
//! lookup instead. In JSON, a field whose value is a list (`smtp = ?addrs`) is a JSON array,
//! not a string holding one.

use sealgate_config::LogConfig;
use std::fmt;
use std::io::IsTerminal;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The filter of `[log] level`, with the DNS library's own targets off unless it names them.
pub fn filter_directives(level: &str) -> String {
    if level.contains("hickory") {
        level.to_string()
    } else {
        format!("{level},hickory_proto=off,hickory_resolver=off,hickory_net=off")
    }
}

/// Installs the global subscriber (once per process).
pub fn init(cfg: &LogConfig) {
    let filter = EnvFilter::try_new(filter_directives(&cfg.level))
        .unwrap_or_else(|_| EnvFilter::new(filter_directives("info")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = if cfg.json {
        builder.event_format(JsonLine).try_init()
    } else {
        builder.try_init()
    };
}

/// One JSON object per event: `timestamp`, `level`, then the event's fields (flattened),
/// `message` included; list values as arrays.
struct JsonLine;

impl<S, N> FormatEvent<S, N> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        writeln!(writer, "{}", json_of(event))
    }
}

/// The JSON object of one event.
fn json_of(event: &Event<'_>) -> serde_json::Value {
    let mut time = String::new();
    let _ = SystemTime.format_time(&mut Writer::new(&mut time));
    let mut map = serde_json::Map::new();
    map.insert("timestamp".into(), time.into());
    map.insert(
        "level".into(),
        event.metadata().level().as_str().to_string().into(),
    );
    event.record(&mut Fields(&mut map));
    serde_json::Value::Object(map)
}

/// Collects an event's fields into a JSON map.
struct Fields<'a>(&'a mut serde_json::Map<String, serde_json::Value>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        // A list's Debug form (`["a", "b"]`, `[1, 2]`) is JSON already: keep it an array.
        let v = match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(a @ serde_json::Value::Array(_)) if text.starts_with('[') => a,
            _ => serde_json::Value::String(text),
        };
        self.0.insert(field.name().into(), v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn list_fields_are_json_arrays_and_hickory_is_off() {
        let buf = Buf::default();
        let out = buf.clone();
        let sub = tracing_subscriber::fmt()
            .with_env_filter(EnvFilter::new(filter_directives("info")))
            .with_writer(move || out.clone())
            .event_format(JsonLine)
            .finish();
        tracing::subscriber::with_default(sub, || {
            let smtp = vec!["127.0.0.1:25".to_string(), "[::1]:25".to_string()];
            tracing::info!(smtp = ?smtp, admin = "127.0.0.1:9925", n = 3u64, "listening");
            tracing::warn!(target: "hickory_proto::xfer", "raw DNS message dump");
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "hickory silenced: {text}");
        let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(v["smtp"], serde_json::json!(["127.0.0.1:25", "[::1]:25"]));
        assert_eq!(v["admin"], "127.0.0.1:9925");
        assert_eq!(v["n"], 3);
        assert_eq!(v["message"], "listening");
        assert_eq!(v["level"], "INFO");
        assert!(filter_directives("hickory_proto=debug").ends_with("debug"));
    }
}
