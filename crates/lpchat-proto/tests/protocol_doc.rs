//! `docs/protocol.md` defines every endpoint code (`A13`, `V8`, `L2`, `D1`) and every section
//! of the specification (`§3.1.6`, or `RFC 5849 §3.4` for another standard) that the sources
//! cite, and every repository path it quotes exists. The rules of what is scanned are in the
//! page's last section, "The check"; this file implements them with std only.
//!
//! Scanned: every `.rs` file under `crates/*/src` and `bindings/*/src`, its comments in full
//! and its string literals that start with an endpoint code. A failure names `file:line`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The repository root (this crate is `crates/lpchat-proto`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The reference page, relative to the root.
const DOC: &str = "docs/protocol.md";

/// What the page defines.
#[derive(Debug, Default)]
struct Defined {
    /// Endpoint codes: the first word of a `### ` heading that is a code.
    codes: BTreeSet<String>,
    /// Sections of the specification: first cells `§N.M` of table rows.
    spec: BTreeSet<String>,
    /// Sections of other standards: first cells `RFC n §N.M` of table rows.
    rfc: BTreeSet<String>,
}

fn defined(doc: &str) -> Defined {
    let mut d = Defined::default();
    for line in doc.lines() {
        if let Some(heading) = line.strip_prefix("### ") {
            let word = heading.split_whitespace().next().unwrap_or("");
            if let Some((code, 0)) = codes(word).first() {
                if code.len() == word.len() {
                    d.codes.insert(code.clone());
                }
            }
        } else if let Some(row) = line.strip_prefix('|') {
            let cell = row.split('|').next().unwrap_or("").trim();
            if cell.starts_with('§') {
                d.spec.insert(cell.to_owned());
            } else if cell.starts_with("RFC ") {
                d.rfc.insert(cell.to_owned());
            }
        }
    }
    d
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The endpoint codes in `text`, each with its char offset. A code is `A`, `V`, `L` or `D`,
/// one or two digits and an optional `a`/`b` (`V14a` is `V14`). Not a code: one preceded by
/// a letter, digit, `_`, `%` (a percent escape), `#` or `::` (a path such as `IpAddr::V4`);
/// one followed by a letter, digit, `_` or `.digit` (a version such as `V1.3`); `V8` before
/// the word `engine`.
fn codes(text: &str) -> Vec<(String, usize)> {
    let t: Vec<char> = text.chars().collect();
    let at = |i: usize| t.get(i).copied();
    let mut found = Vec::new();
    for (i, &c) in t.iter().enumerate() {
        if !matches!(c, 'A' | 'V' | 'L' | 'D') {
            continue;
        }
        if i > 0 {
            let p = t[i - 1];
            if is_word(p) || p == '%' || p == '#' || (p == ':' && i > 1 && t[i - 2] == ':') {
                continue;
            }
        }
        let mut j = i + 1;
        while at(j).is_some_and(|d| d.is_ascii_digit()) {
            j += 1;
        }
        let digits = j - i - 1;
        if !(1..=2).contains(&digits) {
            continue;
        }
        let code: String = t[i..j].iter().collect();
        let mut k = j;
        if matches!(at(k), Some('a' | 'b')) && !at(k + 1).is_some_and(is_word) {
            k += 1;
        }
        if at(k).is_some_and(is_word) {
            continue;
        }
        if at(k) == Some('.') && at(k + 1).is_some_and(|d| d.is_ascii_digit()) {
            continue;
        }
        let rest: String = t[k..].iter().collect();
        if code == "V8" && rest.trim_start().starts_with("engine") {
            continue;
        }
        found.push((code, i));
    }
    found
}

/// The `§` references in `text`: `(Some("RFC n"), "§3.4")` when an `RFC n` comes before it
/// on the same text with no word `spec` between, else `(None, "§3.1")` (the specification).
fn sections(text: &str) -> Vec<(Option<String>, String)> {
    let t: Vec<char> = text.chars().collect();
    let at = |i: usize| t.get(i).copied();
    let starts = |i: usize, w: &str| {
        let w: Vec<char> = w.chars().collect();
        t.get(i..i + w.len()) == Some(&w[..])
            && (i == 0 || !is_word(t[i - 1]))
            && !at(i + w.len()).is_some_and(char::is_alphabetic)
    };
    let mut current = None;
    let mut found = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if starts(i, "RFC") {
            let mut j = i + 3;
            while at(j) == Some(' ') {
                j += 1;
            }
            let n: String = t[j..].iter().take_while(|c| c.is_ascii_digit()).collect();
            if !n.is_empty() {
                current = Some(format!("RFC {n}"));
                i = j + n.len();
                continue;
            }
        } else if starts(i, "spec") {
            current = None;
        } else if t[i] == '§' {
            let mut j = i + 1;
            let mut s = String::from("§");
            loop {
                let n: String = t[j..].iter().take_while(|c| c.is_ascii_digit()).collect();
                if n.is_empty() {
                    break;
                }
                j += n.len();
                s.push_str(&n);
                if at(j) == Some('.') && at(j + 1).is_some_and(|d| d.is_ascii_digit()) {
                    s.push('.');
                    j += 1;
                } else {
                    break;
                }
            }
            if s.len() > '§'.len_utf8() {
                found.push((current.clone(), s));
            }
            i = j;
            continue;
        }
        i += 1;
    }
    found
}

/// The text of a Rust source the check reads: `(line, text)` for each line of each comment,
/// and of each string literal that starts with an endpoint code.
fn scanned(src: &str) -> Vec<(usize, String)> {
    let t: Vec<char> = src.chars().collect();
    let at = |i: usize| t.get(i).copied();
    let mut out = Vec::new();
    let mut push = |first_line: usize, text: &[char], whole: bool| {
        let text: String = text.iter().collect();
        if whole || codes(&text).first().is_some_and(|(_, at)| *at == 0) {
            for (n, piece) in text.split('\n').enumerate() {
                out.push((first_line + n, piece.to_owned()));
            }
        }
    };
    let newlines = |s: &[char]| s.iter().filter(|&&c| c == '\n').count();
    let mut line = 1;
    let mut i = 0;
    while i < t.len() {
        let c = t[i];
        let prev_word = i > 0 && is_word(t[i - 1]);
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && at(i + 1) == Some('/') {
            let end = (i..t.len()).find(|&j| t[j] == '\n').unwrap_or(t.len());
            push(line, &t[i..end], true);
            i = end;
        } else if c == '/' && at(i + 1) == Some('*') {
            let (mut depth, mut j) = (0usize, i);
            while j < t.len() {
                if t[j] == '/' && at(j + 1) == Some('*') {
                    depth += 1;
                    j += 2;
                } else if t[j] == '*' && at(j + 1) == Some('/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            push(line, &t[i..j.min(t.len())], true);
            line += newlines(&t[i..j.min(t.len())]);
            i = j;
        } else if c == 'r'
            && (!prev_word || (i > 1 && t[i - 1] == 'b' && !is_word(t[i - 2])))
            && matches!(at(i + 1), Some('"' | '#'))
        {
            let hashes = t[i + 1..].iter().take_while(|&&h| h == '#').count();
            if at(i + 1 + hashes) != Some('"') {
                i += 1;
                continue;
            }
            let start = i + 2 + hashes;
            let close: Vec<char> = format!("\"{}", "#".repeat(hashes)).chars().collect();
            let end = (start..t.len())
                .find(|&j| t.get(j..j + close.len()) == Some(&close[..]))
                .unwrap_or(t.len());
            push(line, &t[start..end], false);
            line += newlines(&t[i..end]);
            i = end + close.len();
        } else if c == '"' {
            let mut j = i + 1;
            while j < t.len() && t[j] != '"' {
                j += if t[j] == '\\' { 2 } else { 1 };
            }
            let end = j.min(t.len());
            push(line, &t[i + 1..end], false);
            line += newlines(&t[i..end]);
            i = end + 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if at(i + 1) == Some('\\') {
                // The escaped character is at i + 2; the closing quote comes after it.
                i = (i + 3..t.len())
                    .find(|&j| t[j] == '\'')
                    .map_or(t.len(), |j| j + 1);
            } else if at(i + 2) == Some('\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The sources the check reads: `crates/*/src` and `bindings/*/src`.
fn sources() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for group in ["crates", "bindings"] {
        let mut members: Vec<PathBuf> = fs::read_dir(root().join(group))
            .unwrap()
            .map(|e| e.unwrap().path().join("src"))
            .collect();
        members.sort();
        for src in members {
            rust_files(&src, &mut files);
        }
    }
    files
}

/// The citations of the sources that the page does not define, as `file:line: …` lines,
/// and how many distinct codes and sections were seen.
fn undefined(defs: &Defined) -> (Vec<String>, BTreeSet<String>, BTreeSet<String>) {
    let root = root();
    let (mut missing, mut seen_codes, mut seen_sections) =
        (Vec::new(), BTreeSet::new(), BTreeSet::new());
    for file in sources() {
        let name = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let src = fs::read_to_string(&file).unwrap();
        for (line, text) in scanned(&src) {
            for (code, _) in codes(&text) {
                if !defs.codes.contains(&code) {
                    missing.push(format!(
                        "{name}:{line}: endpoint {code} is not defined in {DOC}"
                    ));
                }
                seen_codes.insert(code);
            }
            for (standard, section) in sections(&text) {
                let (known, label) = match standard {
                    Some(rfc) => {
                        let label = format!("{rfc} {section}");
                        (defs.rfc.contains(&label), label)
                    }
                    None => (defs.spec.contains(&section), format!("spec {section}")),
                };
                if !known {
                    missing.push(format!("{name}:{line}: {label} is not defined in {DOC}"));
                }
                seen_sections.insert(label);
            }
        }
    }
    (missing, seen_codes, seen_sections)
}

fn doc() -> String {
    fs::read_to_string(root().join(DOC)).unwrap()
}

#[test]
fn every_cited_code_and_section_is_defined() {
    let defs = defined(&doc());
    let (missing, seen_codes, seen_sections) = undefined(&defs);
    assert!(
        missing.is_empty(),
        "{} citation(s) without an entry in {DOC} (add the entry, or fix the comment):\n{}",
        missing.len(),
        missing.join("\n")
    );
    // A scan that finds nothing would pass vacuously.
    assert!(
        seen_codes.len() >= 50,
        "only {} codes seen",
        seen_codes.len()
    );
    assert!(
        seen_sections.len() >= 30,
        "only {} sections seen",
        seen_sections.len()
    );
    println!(
        "{} endpoint codes and {} sections cited, all defined",
        seen_codes.len(),
        seen_sections.len()
    );
}

#[test]
fn every_path_the_page_quotes_exists() {
    let doc = doc();
    let mut missing = Vec::new();
    for (n, line) in doc.lines().enumerate() {
        for (k, span) in line.split('`').enumerate() {
            let quoted = k % 2 == 1;
            let repo_path = ["crates/", "bindings/", "docs/", "tests/", "scripts/"]
                .iter()
                .any(|p| span.starts_with(p));
            let plain = !span.contains(|c: char| c.is_whitespace() || "*{}…<>".contains(c));
            if quoted && repo_path && plain && !root().join(span).exists() {
                missing.push(format!("{DOC}:{}: `{span}` does not exist", n + 1));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn the_page_defines_one_entry_per_code_and_section() {
    let defs = defined(&doc());
    for code in ["A1", "A31", "V1", "V20", "L1", "L3", "D1", "D3"] {
        assert!(defs.codes.contains(code), "{code}");
    }
    for section in ["§3.1.6", "§9.4", "§12.16"] {
        assert!(defs.spec.contains(section), "{section}");
    }
    assert!(defs.rfc.contains("RFC 5849 §3.4.1.3.2"));
    let headings = doc()
        .lines()
        .filter(|l| l.starts_with("### "))
        .filter(|l| codes(&l[4..]).first().is_some_and(|(_, at)| *at == 0))
        .count();
    assert_eq!(headings, defs.codes.len(), "a code has two entries");
}

#[test]
fn codes_are_told_from_look_alikes() {
    let seen = |t: &str| codes(t).into_iter().map(|(c, _)| c).collect::<Vec<_>>();
    assert_eq!(seen("A8/V3"), ["A8", "V3"]);
    assert_eq!(seen("(A25, A28-A30 …)"), ["A25", "A28", "A30"]);
    assert_eq!(seen("V14a and V17b"), ["V14", "V17"]);
    assert_eq!(seen("the spec's A13."), ["A13"]);
    assert!(seen("IpAddr::V4(v4), %C3%A9, #A1, 0xA1, HMAC-SHA1").is_empty());
    assert!(seen("v=1.3, V1.3, A100, A1x, LA1, the V8 engine").is_empty());
}

#[test]
fn sections_of_other_standards_are_told_apart() {
    let seen = |t: &str| sections(t);
    let rfc = |s: &str| (Some("RFC 5849".to_owned()), s.to_owned());
    let spec = |s: &str| (None, s.to_owned());
    assert_eq!(
        seen("RFC 5849 §3.4.1.3.2 and §3.6 examples."),
        [rfc("§3.4.1.3.2"), rfc("§3.6")]
    );
    assert_eq!(seen("(spec §5 A6)."), [spec("§5")]);
    assert_eq!(
        seen("RFC 5849 §3.4, as the spec §4.1 says"),
        [rfc("§3.4"), spec("§4.1")]
    );
    assert_eq!(
        seen("§3.1.4: see §12.16."),
        [spec("§3.1.4"), spec("§12.16")]
    );
}

#[test]
fn only_comments_and_code_strings_are_read() {
    let src = concat!(
        "// a comment with A5\n",
        "let url = \"https://host/A9\"; let c = '\"'; let s = \"A13/V10\";\n",
        "fn f<'a>(x: &'a str) { IpAddr::V4; let q = '\\''; let e = \"A2 after\"; }\n",
        "/* block\n   V12 */ let r = r#\"V1 raw\"#;\n",
    );
    let read: Vec<(usize, Vec<String>)> = scanned(src)
        .into_iter()
        .map(|(l, t)| (l, codes(&t).into_iter().map(|(c, _)| c).collect::<Vec<_>>()))
        .filter(|(_, c)| !c.is_empty())
        .collect();
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        read,
        [
            (1, owned(&["A5"])),
            (2, owned(&["A13", "V10"])),
            (3, owned(&["A2"])),
            (5, owned(&["V12"])),
            (5, owned(&["V1"])),
        ]
    );
}
