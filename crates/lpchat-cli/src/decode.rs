//! `lpchat decode`: one response body in, its decoded model out as JSON.

use std::io::Read;
use std::path::PathBuf;

use lpchat_proto::{resources, Format, Limits};

use crate::view::to_view;
use crate::CliError;

/// Arguments of `lpchat decode`.
#[derive(Debug, clap::Args)]
pub struct DecodeArgs {
    /// The resource the body is (see --list).
    #[arg(required_unless_present = "list")]
    pub resource: Option<String>,
    /// The file holding the body; standard input when absent.
    pub file: Option<PathBuf>,
    /// The body's format; detected from its first character when absent.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// List the resource names and exit.
    #[arg(long)]
    pub list: bool,
    /// Print bearer, csrf, passwords and other secrets instead of `***`.
    #[arg(long)]
    pub show_secrets: bool,
}

/// A format named on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    /// JSON.
    Json,
    /// XML.
    Xml,
}

/// Runs the command, writing to `out`.
pub fn run(args: &DecodeArgs, out: &mut dyn std::io::Write) -> Result<(), CliError> {
    if args.list {
        for entry in resources::all() {
            writeln!(out, "{:<28} {}", entry.name, entry.endpoints).map_err(CliError::io)?;
        }
        return Ok(());
    }
    let name = args.resource.as_deref().unwrap_or_default();
    let entry = resources::find(name).ok_or_else(|| {
        CliError::usage(format!(
            "unknown resource `{name}` (see `lpchat decode --list`)"
        ))
    })?;
    let mut body = Vec::new();
    let limits = Limits::default();
    // Read one byte past the limit so an oversized body is reported, not truncated silently.
    let cap = u64::try_from(limits.max_body)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    match &args.file {
        Some(path) => std::fs::File::open(path)
            .and_then(|f| f.take(cap).read_to_end(&mut body))
            .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?,
        None => std::io::stdin()
            .take(cap)
            .read_to_end(&mut body)
            .map_err(|e| CliError::input(format!("cannot read standard input: {e}")))?,
    };
    let format = match args.format {
        Some(FormatArg::Json) => Format::Json,
        Some(FormatArg::Xml) => Format::Xml,
        None => Format::sniff(&body).ok_or_else(|| {
            CliError::input("cannot tell the body's format; pass --format json|xml".to_owned())
        })?,
    };
    let value = entry
        .decode_to_json(format, &body, &limits)
        .map_err(|e| CliError::input(e.to_string()))?;
    let text = serde_json::to_string_pretty(&to_view(value, args.show_secrets))
        .map_err(|e| CliError::input(e.to_string()))?;
    writeln!(out, "{text}").map_err(CliError::io)
}
