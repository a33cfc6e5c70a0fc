//! The man pages committed under `man/`: okta-aws(1), a page per subcommand (okta-aws-login(1),
//! …) and awscli(1), generated with clap_mangen from the clap definition. The prose clap does
//! not hold is taken from the README (the overview, the settings, the exit status, what
//! `awscli` does), so each text has one home and the pages follow it.
//!
//! Regenerate with
//! `OKTA_AWS_UPDATE_MAN=1 cargo test --test release man_pages::committed_man_pages_are_up_to_date`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use clap::{Arg, CommandFactory};
use clap_mangen::Man;
use clap_mangen::roff::{Inline, Roff, bold, roman};

const UPDATE_VAR: &str = "OKTA_AWS_UPDATE_MAN";

/// The pages carry the package version alone: the commit `--version` adds would make them
/// stale at every commit.
const PACKAGE_VERSION: &str = env!("CARGO_PKG_VERSION");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every page: file name → roff text.
fn pages() -> BTreeMap<String, String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut cli = okta_aws::cli::Cli::command()
        .version(PACKAGE_VERSION)
        .disable_help_subcommand(true);
    cli.build();
    let mut pages = BTreeMap::new();
    let mut see_also = vec![bold("awscli"), roman("(1), "), bold("aws"), roman("(1)")];
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
        let man = man_page(sub.clone());
        let page = with_section(
            render(&man),
            "SEE ALSO",
            &roff_text(&[bold("okta-aws"), roman("(1)")]),
        );
        let name = sub.get_display_name().unwrap().to_string();
        see_also.extend([roman(", "), bold(name), roman("(1)")]);
        pages.insert(man.get_filename(), page);
    }
    let man = man_page(cli);
    let mut page = render(&man);
    page = with_section(page, "DESCRIPTION", &markdown(&readme_intro(&readme)));
    page = with_section(
        page,
        "ENVIRONMENT",
        &markdown(&readme_section(&readme, "## Settings")),
    );
    page = with_section(page, "FILES", &files());
    page = with_section(page, "EXIT STATUS", &markdown(&readme_exit_status(&readme)));
    page = with_section(page, "SEE ALSO", &roff_text(&see_also));
    pages.insert(man.get_filename(), page);

    let man = man_page(awscli_command());
    let mut page = render(&man);
    let awscli_section = readme_section(&readme, "### `awscli`, the drop-in `aws`");
    page = with_section(page, "DESCRIPTION", &markdown(&awscli_section));
    page = with_section(
        page,
        "SEE ALSO",
        &roff_text(&[
            bold("okta-aws"),
            roman("(1), "),
            bold("okta-aws-exec"),
            roman("(1), "),
            bold("aws"),
            roman("(1)"),
        ]),
    );
    pages.insert(man.get_filename(), page);
    pages
}

/// `awscli` takes `aws`'s arguments, so it has no clap parser; this describes it for its page
/// (its --help and --version are `aws`'s own).
fn awscli_command() -> clap::Command {
    clap::Command::new("awscli")
        .version(PACKAGE_VERSION)
        .about("the AWS CLI, signed in through Okta: okta-aws exec -- aws ARGS…")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("profile")
                .long("profile")
                .value_name("PROFILE")
                .help("An okta-aws profile: log in with it, and take it out of aws's arguments"),
        )
        .arg(
            Arg::new("args")
                .value_name("AWS ARGS")
                .num_args(0..)
                .trailing_var_arg(true)
                .allow_hyphen_values(true)
                .help("The arguments of the real aws"),
        )
}

fn files() -> String {
    let entries: [(&str, &str); 4] = [
        (
            "~/.okta/config.properties",
            "The settings (OKTA_AWS_CONFIG): KEY=value lines, and a [P] section per profile; \
             ~/.okta/config.P.properties is read too.",
        ),
        (
            "~/.okta/cache/",
            "Sessions, Okta session cookies and account names (OKTA_AWS_CACHE_DIR); \
             mode 0700, files 0600.",
        ),
        (
            "~/.aws/credentials",
            "The sections login writes (AWS_SHARED_CREDENTIALS_FILE).",
        ),
        (
            "~/.aws/config",
            "The profile entries of cross-account roles (AWS_CONFIG_FILE).",
        ),
    ];
    let mut roff = Roff::new();
    for (path, what) in entries {
        roff.control("TP", [])
            .text([bold(path)])
            .text([roman(what)]);
    }
    roff_body(&roff)
}

/// A page of this package: its footer names the package, whatever the program.
fn man_page(command: clap::Command) -> Man {
    Man::new(command).source(format!("okta-aws {PACKAGE_VERSION}"))
}

fn render(man: &Man) -> String {
    let mut out = Vec::new();
    man.render(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Roff without the preamble every rendering starts with (the page has it once).
fn roff_body(roff: &Roff) -> String {
    let preamble = Roff::new().render();
    roff.render().strip_prefix(&preamble).unwrap().to_string()
}

fn roff_text(inlines: &[Inline]) -> String {
    let mut roff = Roff::new();
    roff.text(inlines.to_vec());
    roff_body(&roff)
}

/// `page` with section `name` holding `body`: replaced when the page has it, else added
/// before VERSION (the last section clap_mangen writes).
fn with_section(page: String, name: &str, body: &str) -> String {
    let heading = format!(".SH {name}\n");
    if let Some(start) = page.find(&heading) {
        let body_start = start + heading.len();
        let end = page[body_start..]
            .find("\n.SH ")
            .map_or(page.len(), |at| body_start + at + 1);
        return format!("{}{body}{}", &page[..body_start], &page[end..]);
    }
    let at = page.find(".SH VERSION\n").unwrap_or(page.len());
    format!("{}{heading}{body}{}", &page[..at], &page[at..])
}

/// The README's text under `heading` (a whole line), up to the next heading of any level.
fn readme_section(readme: &str, heading: &str) -> String {
    let lines = markdown_lines(readme);
    let start = lines
        .iter()
        .position(|(line, fenced)| !fenced && *line == heading)
        .unwrap_or_else(|| panic!("README.md has no heading {heading:?}"));
    lines[start + 1..]
        .iter()
        .take_while(|(line, fenced)| *fenced || !line.starts_with('#'))
        .map(|(line, _)| format!("{line}\n"))
        .collect()
}

/// The README's opening paragraphs, under its title.
fn readme_intro(readme: &str) -> String {
    readme_section(readme, "# okta-aws")
}

/// The paragraph of the README that starts "Exit status:".
fn readme_exit_status(readme: &str) -> String {
    let start = readme
        .find("\nExit status: ")
        .expect("README.md says what the exit statuses are");
    let paragraph = &readme[start + 1..];
    let end = paragraph.find("\n\n").unwrap_or(paragraph.len());
    paragraph["Exit status: ".len()..end].to_string()
}

/// Each line, and whether it is inside a code fence.
fn markdown_lines(text: &str) -> Vec<(&str, bool)> {
    let mut fenced = false;
    text.lines()
        .map(|line| {
            let fence = line.starts_with("```");
            let inside = fenced || fence;
            if fence {
                fenced = !fenced;
            }
            (line, inside)
        })
        .collect()
}

/// The README's markdown as man page roff: the blocks this README uses (paragraphs, bullet
/// lists, tables of which the first column names the entry, code blocks) and inline code.
fn markdown(text: &str) -> String {
    let mut roff = Roff::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut in_code = false;
    let flush = |roff: &mut Roff, paragraph: &mut Vec<&str>| {
        if let Some(first) = paragraph.first() {
            match first.strip_prefix("- ") {
                Some(_) => roff.control("IP", ["\\(bu", "2"]),
                None => roff.control("PP", []),
            };
            let joined = paragraph.join(" ");
            roff.text(inline(joined.strip_prefix("- ").unwrap_or(&joined)));
            paragraph.clear();
        }
    };
    let lines: Vec<&str> = text.lines().collect();
    for (at, &line) in lines.iter().enumerate() {
        if line.starts_with("```") {
            flush(&mut roff, &mut paragraph);
            in_code = !in_code;
            roff.control(if in_code { "nf" } else { "fi" }, []);
            continue;
        }
        if in_code {
            roff.text([roman(line)]);
        } else if line.trim().is_empty() {
            flush(&mut roff, &mut paragraph);
        } else if let Some(cells) = table_row(line) {
            flush(&mut roff, &mut paragraph);
            // The header row (the one above the separator) and the separator are not shown.
            let header = lines
                .get(at + 1)
                .and_then(|next| table_row(next))
                .is_some_and(|next| is_separator(&next));
            if !header && !is_separator(&cells) {
                table_entry(&mut roff, &cells);
            }
        } else {
            if line.starts_with("- ") {
                flush(&mut roff, &mut paragraph);
            }
            paragraph.push(line.trim());
        }
    }
    flush(&mut roff, &mut paragraph);
    roff_body(&roff)
}

/// The cells of a table row (`| a | b |`, `\|` inside a cell).
fn table_row(line: &str) -> Option<Vec<String>> {
    let inner = line.strip_prefix('|')?.strip_suffix('|')?;
    let mut cells = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => cells.last_mut().unwrap().push(chars.next()?),
            '|' => cells.push(String::new()),
            c => cells.last_mut().unwrap().push(c),
        }
    }
    Some(cells.into_iter().map(|c| c.trim().to_string()).collect())
}

/// `| --- | :---: |`: the row under a table's header.
fn is_separator(cells: &[String]) -> bool {
    cells
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| ch == '-' || ch == ':'))
}

/// A table row as a tagged paragraph: the first cell the tag, the second its text, a third a
/// default.
fn table_entry(roff: &mut Roff, cells: &[String]) {
    let [name, meaning, rest @ ..] = cells else {
        return;
    };
    roff.control("TP", []).text(inline(name));
    let mut text = inline(meaning);
    if let Some(default) = rest.first() {
        text.push(roman(". Default: "));
        text.extend(inline(default));
        text.push(roman("."));
    }
    roff.text(text);
}

/// Markdown inline text: `code` in bold, **strong** plain.
fn inline(text: &str) -> Vec<Inline> {
    text.replace("**", "")
        .split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| if i % 2 == 1 { bold(part) } else { roman(part) })
        .collect()
}

fn man_dir() -> PathBuf {
    root().join("man")
}

#[test]
fn committed_man_pages_are_up_to_date() {
    let pages = pages();
    let dir = man_dir();
    if std::env::var_os(UPDATE_VAR).is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &pages {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    let committed: BTreeMap<String, String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .map(|p| {
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    (name, std::fs::read_to_string(&p).unwrap())
                })
                .collect()
        })
        .unwrap_or_default();
    let stale: std::collections::BTreeSet<&String> = pages
        .keys()
        .chain(committed.keys())
        .filter(|name| pages.get(*name) != committed.get(*name))
        .collect();
    assert!(
        stale.is_empty(),
        "man/ is stale ({stale:?}); regenerate with:\n  \
         {UPDATE_VAR}=1 cargo test --test release man_pages::committed_man_pages_are_up_to_date"
    );
}

#[test]
fn there_is_a_page_for_each_program_and_subcommand() {
    let pages = pages();
    let names: Vec<&str> = pages.keys().map(String::as_str).collect();
    for name in [
        "okta-aws.1",
        "awscli.1",
        "okta-aws-login.1",
        "okta-aws-exec.1",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    let subcommands = okta_aws::cli::Cli::command().get_subcommands().count();
    assert_eq!(pages.len(), subcommands + 2, "{names:?}");
    let root = &pages["okta-aws.1"];
    for section in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "SUBCOMMANDS",
        "ENVIRONMENT",
        "FILES",
        "EXIT STATUS",
        "SEE ALSO",
        "VERSION",
    ] {
        assert!(root.contains(&format!(".SH {section}\n")), "{section}");
    }
    // Text from the README: a setting, and what awscli does with a foreign --profile.
    assert!(root.contains("OKTA_AWS_APP_URL"));
    assert!(pages["awscli.1"].contains("untouched"));
}

/// groff reads every page without a warning (`man` formats them with it).
#[test]
fn every_page_formats_without_warnings() {
    for (name, text) in pages() {
        let mut groff = Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("groff is installed (scripts/ensure-deps)");
        use std::io::Write;
        groff
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let output = groff.wait_with_output().unwrap();
        let warnings = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && warnings.is_empty(),
            "{name}:\n{warnings}"
        );
    }
}
