//! The raw top-level header section: finding fields by name, and removing `X-Sealgate-*`
//! fields. Works on bytes, keeps every other field byte for byte (another party's DKIM
//! signature over them must still verify).

/// One header field: its name and the byte range of the whole field (folded lines and the
/// final CRLF included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    /// The name as written (no trailing white space).
    pub name: &'a [u8],
    /// Start offset in the message.
    pub start: usize,
    /// End offset (exclusive).
    pub end: usize,
}

/// The fields of the top-level header section, in order.
pub fn fields(message: &[u8]) -> Vec<Field<'_>> {
    let mut out: Vec<Field<'_>> = Vec::new();
    let mut pos = 0;
    while pos < message.len() {
        let line_end = message[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(message.len(), |p| pos + p + 1);
        let line = &message[pos..line_end];
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        match (line.first(), out.last_mut()) {
            (Some(b' ' | b'\t'), Some(last)) => last.end = line_end,
            _ => {
                let colon = line.iter().position(|&b| b == b':').unwrap_or(line.len());
                out.push(Field {
                    name: line[..colon].trim_ascii_end(),
                    start: pos,
                    end: line_end,
                });
            }
        }
        pos = line_end;
    }
    out
}

/// The unfolded, trimmed values of every field named `name` (any case).
pub fn values(message: &[u8], name: &str) -> Vec<Vec<u8>> {
    fields(message)
        .into_iter()
        .filter(|f| f.name.eq_ignore_ascii_case(name.as_bytes()))
        .map(|f| {
            let raw = &message[f.start..f.end];
            let colon = raw.iter().position(|&b| b == b':').unwrap_or(raw.len());
            let value: Vec<u8> = raw[(colon + 1).min(raw.len())..]
                .iter()
                .copied()
                .filter(|&b| b != b'\r' && b != b'\n')
                .collect();
            value.trim_ascii().to_vec()
        })
        .collect()
}

/// True for the gateway's own header names (`X-Sealgate-*`, any case).
pub fn is_sealgate(name: &[u8]) -> bool {
    name.len() > 11 && name[..11].eq_ignore_ascii_case(b"x-sealgate-")
}

/// The message without its `X-Sealgate-*` header fields; everything else byte for byte.
/// Returns how many fields were removed.
pub fn strip_sealgate(message: &[u8]) -> (Vec<u8>, usize) {
    let mut out = Vec::with_capacity(message.len());
    let mut pos = 0;
    let mut removed = 0;
    for f in fields(message).into_iter().filter(|f| is_sealgate(f.name)) {
        out.extend_from_slice(&message[pos..f.start]);
        pos = f.end;
        removed += 1;
    }
    out.extend_from_slice(&message[pos..]);
    (out, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: &[u8] = b"X-Sealgate-Token: abc\r\nFrom: a@b.org\r\nX-MS-Exchange-CrossTenant-Id:\r\n  1234\r\nx-sealgate-loop: v=1;\r\n h=00\r\nSubject: s\r\n\r\nX-Sealgate-Token: body\r\n";

    #[test]
    fn values_unfold_and_match_any_case() {
        assert_eq!(
            values(M, "x-ms-exchange-crosstenant-id"),
            vec![b"1234".to_vec()]
        );
        assert_eq!(values(M, "X-Sealgate-Token"), vec![b"abc".to_vec()]);
    }

    #[test]
    fn strip_removes_only_sealgate_fields_of_the_header() {
        let (out, n) = strip_sealgate(M);
        assert_eq!(n, 2);
        assert_eq!(
            out,
            b"From: a@b.org\r\nX-MS-Exchange-CrossTenant-Id:\r\n  1234\r\nSubject: s\r\n\r\nX-Sealgate-Token: body\r\n"
        );
        assert_eq!(strip_sealgate(b"From: a@b.org\r\n\r\nx\r\n").1, 0);
    }
}
