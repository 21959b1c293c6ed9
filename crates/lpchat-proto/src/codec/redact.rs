//! Keeps secrets out of decode errors: messages lose their quoted values and snippets keep
//! only the shape of the bytes around the fault.

/// Removes the contents of `"…"` quotes from a parser message (serde quotes the offending
/// string value there, which may be a bearer or a password).
pub(crate) fn message(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut in_quotes = false;
    for c in msg.chars() {
        if c == '"' {
            if in_quotes {
                out.push_str("…\"");
            } else {
                out.push('"');
            }
            in_quotes = !in_quotes;
        } else if !in_quotes {
            out.push(c);
        }
    }
    if in_quotes {
        out.push('…');
    }
    out
}

/// A short window of the body around `offset`, with every letter and digit masked (`x`), so
/// the structure near the fault shows and no value can leak.
pub(crate) fn snippet(body: &[u8], offset: usize) -> String {
    const RADIUS: usize = 24;
    let offset = offset.min(body.len());
    let start = offset.saturating_sub(RADIUS);
    let end = (offset + RADIUS).min(body.len());
    let window = body.get(start..end).unwrap_or_default();
    let text = String::from_utf8_lossy(window);
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                'x'
            } else if c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The byte offset of a 1-based line and column, as serde_json reports them.
pub(crate) fn offset_of(body: &[u8], line: usize, column: usize) -> usize {
    let mut current = 1;
    let mut line_start = 0;
    if line > 1 {
        for (i, b) in body.iter().enumerate() {
            if *b == b'\n' {
                current += 1;
                if current == line {
                    line_start = i + 1;
                    break;
                }
            }
        }
    }
    (line_start + column.saturating_sub(1)).min(body.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_removed() {
        assert_eq!(
            message(r#"invalid type: string "9cf6secret", expected u64"#),
            r#"invalid type: string "…", expected u64"#
        );
    }

    #[test]
    fn snippets_mask_values() {
        let s = snippet(br#"{"bearer":"9cf6abc","x":}"#, 24);
        assert!(!s.contains("9cf6"));
        assert!(s.contains("\":\""));
    }

    #[test]
    fn offsets_follow_lines() {
        assert_eq!(offset_of(b"ab\ncd", 2, 2), 4);
        assert_eq!(offset_of(b"ab", 1, 1), 0);
    }
}
