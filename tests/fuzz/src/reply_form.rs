//! Fuzz target `reply-form`: the portal's `multipart/form-data` reader for secure replies
//! (`sealgate_portal::reply_form`). Properties beyond "does not panic": at most `MAX_PARTS`
//! parts are accepted, a file's bytes are a slice of the input, every file name is safe for a
//! header (no control character, quote, slash, backslash or semicolon; at most 120
//! characters), and a form built from the input's bytes as one file reads back byte-identical.

use crate::Target;
use sealgate_portal::reply_form::{MAX_PARTS, parse};

const CT: &str = "multipart/form-data; boundary=XyZ";

/// The target.
pub fn target() -> Target {
    Target {
        name: "reply-form",
        seeds,
        tokens: &[
            b"--XyZ",
            b"--XyZ--",
            b"\r\n",
            b"\r\n\r\n",
            b"Content-Disposition: form-data; name=\"files\"; filename=\"",
            b"Content-Disposition: form-data; name=\"text\"",
            b"; filename=\"../../x\"",
            b"\\",
            b"\"",
            b";",
        ],
        max_len: 64 * 1024,
        check,
    }
}

fn part(name: &str, file: Option<&str>, data: &[u8]) -> Vec<u8> {
    let file = file
        .map(|f| format!("; filename=\"{f}\""))
        .unwrap_or_default();
    let mut out = format!("--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n")
        .into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

fn seeds() -> Vec<Vec<u8>> {
    let mut form = part("csrf", None, b"token");
    form.extend(part("text", None, "Gracias, doctora".as_bytes()));
    form.extend(part("all", None, b"1"));
    form.extend(part(
        "files",
        Some("scan 1.pdf"),
        b"%PDF-1.4\r\n\0\xff--XyZ",
    ));
    form.extend_from_slice(b"--XyZ--\r\n");
    vec![form, b"--XyZ--\r\n".to_vec(), part("files", Some(""), b"")]
}

fn check(input: &[u8]) {
    if let Ok(form) = parse(input, CT) {
        assert!(form.files.len() <= MAX_PARTS, "too many parts accepted");
        for f in &form.files {
            assert!(
                f.data.is_empty() || input.windows(f.data.len()).any(|w| w == f.data.as_slice()),
                "file bytes not from the input"
            );
            assert!(f.name.chars().count() <= 120, "long name");
            assert!(
                !f.name
                    .chars()
                    .any(|c| c.is_control() || matches!(c, '"' | '/' | '\\' | ';')),
                "unsafe name {:?}",
                f.name
            );
        }
    }
    // The input as one file's bytes (when it holds no delimiter) reads back as it was.
    if !input.windows(7).any(|w| w == b"\r\n--XyZ") && !input.starts_with(b"--XyZ") {
        let mut form = part("files", Some("x.bin"), input);
        form.extend_from_slice(b"--XyZ--\r\n");
        let got = parse(&form, CT).map(|f| f.files);
        match got {
            Ok(files) if input.is_empty() => assert!(files.len() <= 1),
            Ok(files) => assert_eq!(files.first().map(|f| f.data.as_slice()), Some(input)),
            Err(e) => panic!("a well-formed form refused: {e}"),
        }
    }
}
