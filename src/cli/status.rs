//! `okta-aws status`: every cached session, from the cache alone (no network).

use anyhow::Result;
use clap::Args;

use super::{ProfileArg, RoleArg, load_settings};
use crate::aws::{human_duration, signin_page};
use crate::okta::web_session::OktaWebSession;
use crate::prompt::Prompter;
use crate::session::AwsSession;
use crate::store::Store;
use crate::store::cache_dir::now_secs;

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
}

pub fn run(args: &StatusArgs, prompter: &dyn Prompter) -> Result<()> {
    let settings = load_settings(&args.profile, &RoleArg::default())?;
    let store = Store::for_settings(&settings);
    let sessions: Vec<AwsSession> = if args.profile.profile.is_some() {
        store.aws_session(&settings.profile).into_iter().collect()
    } else {
        store.all_aws_sessions()
    };
    if sessions.is_empty() {
        prompter.say("No cached session.");
        return Ok(());
    }
    print!("{}", table(&store, &sessions));
    Ok(())
}

fn table(store: &Store, sessions: &[AwsSession]) -> String {
    let now = now_secs();
    let names = store.account_names().names;
    let mut rows = vec![[
        "PROFILE".to_string(),
        "ROLE".to_string(),
        "ACCOUNT".to_string(),
        "EXPIRES".to_string(),
        "LEFT".to_string(),
        "OKTA SESSION".to_string(),
    ]];
    for s in sessions {
        let left = if s.credentials.expires_at > now {
            human_duration(s.credentials.time_left())
        } else {
            "expired".to_string()
        };
        let okta = store
            .okta_web_session(&s.okta_org)
            .map(|kept| okta_state(&kept, now))
            .unwrap_or_else(|| "none".to_string());
        rows.push([
            s.profile.clone().unwrap_or_else(|| "(default)".to_string()),
            match &s.target {
                // A cross-account profile: the Okta role, and where it hops.
                Some(t) => format!("{} -> {}", s.role.role_arn.name(), t.role_arn.short()),
                None => s.role.role_arn.name().to_string(),
            },
            signin_page::label(&names, s.role.role_arn.account()),
            s.credentials.expiration_rfc3339(),
            left,
            okta,
        ]);
    }
    aligned(&rows)
}

/// The rows as columns two spaces apart.
fn aligned(rows: &[[String; 6]]) -> String {
    let widths: Vec<usize> = (0..6)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            format!("{}\n", cells.join("  ").trim_end())
        })
        .collect()
}

fn okta_state(kept: &OktaWebSession, now: u64) -> String {
    if !kept.alive(now) {
        return "ended".to_string();
    }
    match kept.expires_at {
        Some(at) => format!(
            "alive, {} left",
            human_duration(std::time::Duration::from_secs(at - now))
        ),
        None => "alive".to_string(),
    }
}
