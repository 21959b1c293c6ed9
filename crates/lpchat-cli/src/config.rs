//! Settings of the commands that talk to an account: flags, then environment variables,
//! then the config file; credentials kept as [`Secret`]s from the moment they are read.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use lpchat::{ApiKey, Credentials, ExistingBearer, Format, Secret, UserPassword};
use serde::Deserialize;

use crate::decode::FormatArg;
use crate::CliError;

/// Connection options shared by every command that talks to an account.
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectArgs {
    /// The account (site) id [env: LPCHAT_ACCOUNT].
    #[arg(long)]
    pub account: Option<String>,
    /// The agent's login name (or the API-key bot's) [env: LPCHAT_USERNAME].
    #[arg(long, short = 'u')]
    pub username: Option<String>,
    /// The Domain API origin instead of LivePerson's, e.g. an emulator's base URL
    /// `http://127.0.0.1:PORT` [env: LPCHAT_DOMAIN].
    #[arg(long, value_name = "URL")]
    pub domain: Option<String>,
    /// The config file [default: $XDG_CONFIG_HOME/lpchat/config.toml].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The body format of chat API requests [env: LPCHAT_FORMAT; default: json].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Machine-readable output: one JSON object per line.
    #[arg(long)]
    pub json: bool,
}

/// The config file: every key optional (see `docs/cli.md`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    account: Option<String>,
    username: Option<String>,
    password: Option<Secret>,
    domain: Option<String>,
    format: Option<String>,
    app_key: Option<Secret>,
    app_secret: Option<Secret>,
    access_token: Option<Secret>,
    access_token_secret: Option<Secret>,
}

impl FileConfig {
    fn holds_secrets(&self) -> bool {
        self.password.is_some()
            || self.app_secret.is_some()
            || self.access_token.is_some()
            || self.access_token_secret.is_some()
    }
}

/// Everything a command needs to reach the account.
#[derive(Debug)]
pub struct Settings {
    /// The account id.
    pub account: String,
    /// The Domain API origin override.
    pub domain: Option<String>,
    /// The wire format.
    pub format: Format,
    /// How to log in.
    pub credentials: Credentials,
    /// One JSON object per line on stdout.
    pub json: bool,
}

/// Where the environment comes from (the process's, or a map in tests).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment; empty values count as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The default config file: `$XDG_CONFIG_HOME/lpchat/config.toml`, else
/// `$HOME/.config/lpchat/config.toml`.
fn default_config_path(env: Env<'_>) -> Option<PathBuf> {
    let base = env("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| Path::new(&h).join(".config")))?;
    Some(base.join("lpchat").join("config.toml"))
}

/// Reads the config file: the named one (which must exist) or the default one (if it exists).
fn read_file(args: &ConnectArgs, env: Env<'_>) -> Result<FileConfig, CliError> {
    let (path, required) = match &args.config {
        Some(p) => (p.clone(), true),
        None => match default_config_path(env) {
            Some(p) => (p, false),
            None => return Ok(FileConfig::default()),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(FileConfig::default())
        }
        Err(e) => {
            return Err(CliError::input(format!(
                "cannot read config file {}: {e}",
                path.display()
            )))
        }
    };
    // toml's errors quote the offending line, which may hold a secret: report the place only.
    let file: FileConfig = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                let line = text.get(..s.start).map_or(1, |t| t.matches('\n').count() + 1);
                format!(" at line {line}")
            })
            .unwrap_or_default();
        CliError::input(format!(
            "config file {} is not valid{at} (keys: account, username, password, domain, format, app_key, app_secret, access_token, access_token_secret)",
            path.display()
        ))
    })?;
    if file.holds_secrets() {
        warn_if_readable_by_others(&path);
    }
    Ok(file)
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            eprintln!(
                "lpchat: warning: {} holds secrets and other users can read it (chmod 600 it)",
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

/// The first of flag, environment variable and file value.
fn pick(flag: &Option<String>, env: Env<'_>, var: &str, file: &Option<String>) -> Option<String> {
    flag.clone().or_else(|| env(var)).or_else(|| file.clone())
}

/// A secret from the environment, else the file.
fn pick_secret(env: Env<'_>, var: &str, file: &Option<Secret>) -> Option<Secret> {
    env(var).map(Secret::new).or_else(|| file.clone())
}

/// Resolves the settings: flags > environment > config file; asks for the password on the
/// terminal when none is given and standard input is one.
pub fn resolve(args: &ConnectArgs) -> Result<Settings, CliError> {
    resolve_with(args, &process_env, &prompt_password)
}

fn prompt_password(prompt: &str) -> Result<Option<Secret>, CliError> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    rpassword::prompt_password(prompt)
        .map(|p| Some(Secret::new(p)))
        .map_err(|e| CliError::input(format!("cannot read the password: {e}")))
}

/// [`resolve`] with the environment and the prompt given (tests).
pub fn resolve_with(
    args: &ConnectArgs,
    env: Env<'_>,
    prompt: &dyn Fn(&str) -> Result<Option<Secret>, CliError>,
) -> Result<Settings, CliError> {
    let file = read_file(args, env)?;
    let account = pick(&args.account, env, "LPCHAT_ACCOUNT", &file.account).ok_or_else(|| {
        CliError::input(
            "no account: pass --account, set LPCHAT_ACCOUNT or `account` in the config file"
                .to_owned(),
        )
    })?;
    let domain = pick(&args.domain, env, "LPCHAT_DOMAIN", &file.domain);
    let format = match args.format {
        Some(FormatArg::Json) => Format::Json,
        Some(FormatArg::Xml) => Format::Xml,
        None => match env("LPCHAT_FORMAT").or(file.format.clone()).as_deref() {
            None | Some("json") => Format::Json,
            Some("xml") => Format::Xml,
            Some(other) => {
                return Err(CliError::input(format!(
                    "unknown format `{other}` (json or xml)"
                )))
            }
        },
    };
    let username = pick(&args.username, env, "LPCHAT_USERNAME", &file.username);
    let credentials = credentials(username, &account, env, &file, prompt)?;
    Ok(Settings {
        account,
        domain,
        format,
        credentials,
        json: args.json,
    })
}

fn credentials(
    username: Option<String>,
    account: &str,
    env: Env<'_>,
    file: &FileConfig,
    prompt: &dyn Fn(&str) -> Result<Option<Secret>, CliError>,
) -> Result<Credentials, CliError> {
    let key_parts = [
        (
            "LPCHAT_APP_KEY",
            pick_secret(env, "LPCHAT_APP_KEY", &file.app_key),
        ),
        (
            "LPCHAT_APP_SECRET",
            pick_secret(env, "LPCHAT_APP_SECRET", &file.app_secret),
        ),
        (
            "LPCHAT_ACCESS_TOKEN",
            pick_secret(env, "LPCHAT_ACCESS_TOKEN", &file.access_token),
        ),
        (
            "LPCHAT_ACCESS_TOKEN_SECRET",
            pick_secret(env, "LPCHAT_ACCESS_TOKEN_SECRET", &file.access_token_secret),
        ),
    ];
    let missing: Vec<&str> = key_parts
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(name, _)| *name)
        .collect();
    if missing.len() < key_parts.len() {
        if !missing.is_empty() {
            return Err(CliError::input(format!(
                "incomplete API key: {} missing",
                missing.join(", ")
            )));
        }
        let [a, b, c, d] = key_parts.map(|(_, v)| v.unwrap_or_default());
        let username = username.ok_or_else(|| {
            CliError::input("an API key needs the bot's user name (LPCHAT_USERNAME)".to_owned())
        })?;
        return Ok(Credentials::ApiKey {
            username,
            key: ApiKey::new(a, b, c, d),
        });
    }
    // A bearer from another login: read from the environment only, never from a file.
    if let Some(bearer) = env("LPCHAT_BEARER") {
        return Ok(Credentials::Bearer(ExistingBearer::new(bearer)));
    }
    let username = username.ok_or_else(|| {
        CliError::input(
            "no user name: pass --username, set LPCHAT_USERNAME or `username` in the config file"
                .to_owned(),
        )
    })?;
    let password = match pick_secret(env, "LPCHAT_PASSWORD", &file.password) {
        Some(p) => p,
        None => prompt(&format!("password for {username} on account {account}: "))?
            .ok_or_else(|| {
                CliError::input(
                    "no password: set LPCHAT_PASSWORD or `password` in the config file, or run on a terminal to be asked"
                        .to_owned(),
                )
            })?,
    };
    Ok(Credentials::User(UserPassword::new(username, password)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn args() -> ConnectArgs {
        ConnectArgs {
            account: None,
            username: None,
            domain: None,
            config: None,
            format: None,
            json: false,
        }
    }

    fn no_prompt(_: &str) -> Result<Option<Secret>, CliError> {
        Ok(None)
    }

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn file_with(text: &str) -> (PathBuf, ConnectArgs) {
        let dir = std::env::temp_dir().join(format!(
            "lpchat-cli-config-{}-{}",
            std::process::id(),
            text.len()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        std::fs::write(&path, text).unwrap();
        let mut a = args();
        a.config = Some(path.clone());
        (path, a)
    }

    #[test]
    fn flags_beat_env_beat_file() {
        let (_, mut a) = file_with(
            "account = \"file\"\nusername = \"fileuser\"\npassword = \"pw\"\ndomain = \"http://f\"\n",
        );
        let env = env_of(&[("LPCHAT_ACCOUNT", "env"), ("LPCHAT_DOMAIN", "http://e")]);
        a.account = Some("flag".into());
        let s = resolve_with(&a, &env, &no_prompt).unwrap();
        assert_eq!(s.account, "flag");
        assert_eq!(s.domain.as_deref(), Some("http://e"));
        match s.credentials {
            Credentials::User(u) => {
                assert_eq!(u.username, "fileuser");
                assert_eq!(u.password.expose(), "pw");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn no_password_and_no_terminal_is_a_clear_error() {
        let env = env_of(&[("LPCHAT_ACCOUNT", "1"), ("LPCHAT_USERNAME", "a")]);
        let e = resolve_with(&args(), &env, &no_prompt).unwrap_err();
        assert_eq!(e.code(), crate::exit::INPUT);
        assert!(e.message().contains("no password"), "{}", e.message());
    }

    #[test]
    fn api_key_needs_all_four_parts() {
        let env = env_of(&[
            ("LPCHAT_ACCOUNT", "1"),
            ("LPCHAT_USERNAME", "bot"),
            ("LPCHAT_APP_KEY", "key-4411"),
            ("LPCHAT_APP_SECRET", "secret-4412"),
        ]);
        let e = resolve_with(&args(), &env, &no_prompt).unwrap_err();
        let message = e.message();
        assert!(message.contains("LPCHAT_ACCESS_TOKEN"), "{message}");
        assert!(message.contains("LPCHAT_ACCESS_TOKEN_SECRET"), "{message}");
        assert!(!message.contains("LPCHAT_APP_SECRET"), "given: {message}");
        assert!(
            !message.contains("key-4411") && !message.contains("secret-4412"),
            "{message}"
        );
        assert_eq!(e.code(), crate::exit::INPUT);
    }

    #[test]
    fn a_bad_config_file_does_not_echo_its_lines() {
        let (_, a) = file_with("password = \"hunter2-secret\"\nnope = 1\n");
        let e = resolve_with(&a, &env_of(&[]), &no_prompt).unwrap_err();
        assert!(!e.message().contains("hunter2"), "{}", e.message());
        assert!(e.message().contains("line 2"), "{}", e.message());
    }
}
