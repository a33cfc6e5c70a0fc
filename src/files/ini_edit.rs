//! A line-preserving editor for `~/.aws/credentials` and `~/.aws/config` (and, in its
//! properties dialect, for okta-aws's own config file: see `Dialect`).
//!
//! Why not `rust-ini` (which the crate uses for reading okta-aws's own config)? It parses the
//! file into a map and writes the whole file back from that map: comments, blank lines, key
//! spelling, spacing, line endings and anything it does not understand (botocore's nested
//! `s3 =` blocks) are lost. These files belong to the user and to the AWS CLI, and the SPEC
//! promises that a write touches only our own keys, byte for byte. So this is a small editor
//! that keeps the file as a list of lines and changes only the lines it must.
//!
//! The reading rules follow what the AWS CLI reads: `botocore.configloader.raw_config_parse`,
//! i.e. Python's `configparser.RawConfigParser` with its defaults:
//! * a section header is a line whose stripped text matches `\[(.+)\]` (greedy, not anchored
//!   at the end, so `[a] junk` is section `a`);
//! * a key line is `key = value` or `key: value` — the first `=` or `:` splits it; the key is
//!   matched case-insensitively (configparser lowercases keys with `optionxform`); the value
//!   is trimmed and may contain `=`, `:`, `#` and `;` (no inline comments);
//! * full-line comments start with `#` or `;` after optional whitespace;
//! * a line indented deeper than the key line before it is a continuation of that key's value
//!   (blank and comment lines in between do not end it). This is how botocore's nested
//!   sub-sections (`s3 =` followed by indented `max_concurrent_requests = 20`) are stored,
//!   so indented lines are never taken for keys of the section;
//! * lines before the first section header belong to no section.
//!
//! Decisions where configparser would not help:
//! * Section names are compared after trimming and collapsing whitespace, so `[ default ]`
//!   is `default` and `[profile  dev]` is `profile dev` (botocore `shlex`-splits
//!   `profile` headers, so for ~/.aws/config that is what it reads too; for the credentials
//!   file configparser itself would keep the spaces of `[ default ]`). Section names are
//!   case-sensitive, as in configparser.
//! * Duplicate sections: botocore refuses such a file (configparser's strict mode raises
//!   DuplicateSectionError); we read and edit the *first* one and leave the others alone.
//! * Duplicate keys in a section: botocore refuses them too (DuplicateOptionError); a
//!   non-strict configparser keeps the last, so `get` reads and `set` edits the *last*
//!   occurrence, and `remove_key` removes all of them.
//! * A line that is neither header, key, comment nor blank (configparser: a parse error)
//!   is kept as it is and ends the current key's continuation.
//! * A leading UTF-8 BOM is kept untouched and ignored for parsing.
//! * Lines are split on `\n` only (`\r\n` is one line ending); a lone `\r` stays text.
//! * New lines use the file's own line ending (that of its first line; LF for a file with
//!   none). A missing final newline stays missing.
//! * A new key is written `key = value` with the indentation of the section's last key (or of
//!   its header), never less than that of the next significant line, which would otherwise
//!   turn into a continuation of the new key.
//! * Removing lines could likewise turn a following line that is indented deeper than an
//!   earlier key (an indented header, say) into a continuation of that key; such a line loses
//!   its indentation, the only change ever made to a line we were not asked to touch.

/// One physical line: its text without the line ending, and the ending ("", "\n", "\r\n").
#[derive(Clone, Debug, PartialEq, Eq)]
struct Line {
    text: String,
    eol: &'static str,
}

/// What a line is, in its context (configparser's state machine).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Blank,
    Comment,
    Header,
    Key,
    /// Indented deeper than the key line it follows: part of that key's value.
    Continuation,
    /// Anything else: text before the first section, or lines configparser rejects.
    Other,
}

/// A section: its header line (none for the top section), its first line after the header,
/// and the end (exclusive) of its lines.
struct Block {
    header: Option<usize>,
    start: usize,
    end: usize,
}

/// Which reader the file is written for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Dialect {
    /// botocore's configparser (~/.aws files): keys only inside sections, and an indented
    /// line continues the value of the key before it.
    #[default]
    ConfigParser,
    /// okta-aws's own config file, as rust-ini (`settings/file.rs`) and the Java tool read it:
    /// `KEY=value` lines before the first header form the top section (named `""` here), and
    /// every line stands alone (no continuation lines).
    Properties,
}

/// The top (unnamed) section of a properties-dialect document.
pub const TOP_SECTION: &str = "";

/// A parsed file that renders back byte for byte.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IniDocument {
    bom: bool,
    lines: Vec<Line>,
    dialect: Dialect,
}

/// Python's `str.isspace()` (what `strip()` and the regex `\s` use).
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Leading whitespace, and its length in characters (Python compares character counts).
fn indent_of(s: &str) -> (&str, usize) {
    let rest = s.trim_start_matches(is_py_space);
    let ind = &s[..s.len() - rest.len()];
    (ind, ind.chars().count())
}

/// configparser's SECTCRE on a stripped line: `\[(?P<header>.+)\]`, greedy.
fn header_name(stripped: &str) -> Option<&str> {
    let inner = stripped.strip_prefix('[')?;
    let close = inner.rfind(']')?;
    (close > 0).then(|| &inner[..close])
}

/// configparser's OPTCRE on a line: the key (right-trimmed, non-empty), and the byte offset in
/// `line` where the value starts (after the delimiter and the whitespace that follows it).
fn split_key(line: &str) -> Option<(&str, usize)> {
    let delim = line.find(['=', ':'])?;
    let key = py_strip(&line[..delim]);
    if key.is_empty() {
        return None;
    }
    let after = &line[delim + 1..];
    let value_start = delim + 1 + (after.len() - after.trim_start_matches(is_py_space).len());
    Some((key, value_start))
}

fn normalize_section(name: &str) -> String {
    name.split(is_py_space)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_comment(stripped: &str) -> bool {
    stripped.starts_with('#') || stripped.starts_with(';')
}

/// A section name, key or value that `set` refuses to write, because a reader of the file
/// would not read it back as it was given: a newline would start a line of its own (a
/// second section, say), a bracket ends a section name early for some readers (the AWS
/// SDKs', rust-ini), surrounding spaces are trimmed away, and in the properties dialect a
/// trailing backslash joins the next line (rust-ini's line continuation). There is no
/// escaping in these formats that every reader understands, so refusing is the only safe
/// answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unwritable {
    /// "section name", "key" or "value".
    pub what: &'static str,
    /// The refused text (shown escaped: it may hold control characters).
    pub text: String,
    pub reason: &'static str,
}

impl std::fmt::Display for Unwritable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the {} {} cannot be written to an INI file: it {}",
            self.what,
            self.text.escape_debug(),
            self.reason
        )
    }
}

impl std::error::Error for Unwritable {}

fn unwritable(what: &'static str, text: &str, reason: &'static str) -> Result<(), Unwritable> {
    Err(Unwritable {
        what,
        text: text.to_string(),
        reason,
    })
}

/// Control characters (a newline, a lone CR that Python reads as one, escapes) never fit.
fn check_no_control(what: &'static str, text: &str) -> Result<(), Unwritable> {
    if text.chars().any(char::is_control) {
        return unwritable(what, text, "holds a control character (such as a newline)");
    }
    Ok(())
}

fn check_section_name(name: &str) -> Result<(), Unwritable> {
    const WHAT: &str = "section name";
    check_no_control(WHAT, name)?;
    if name.is_empty() {
        return unwritable(WHAT, name, "is empty");
    }
    if name.contains(['[', ']']) {
        return unwritable(WHAT, name, "holds a bracket");
    }
    if normalize_section(name) != name {
        return unwritable(WHAT, name, "has leading, trailing or repeated spaces");
    }
    if name.ends_with('\\') {
        return unwritable(WHAT, name, "ends with a backslash");
    }
    Ok(())
}

fn check_key(key: &str) -> Result<(), Unwritable> {
    const WHAT: &str = "key";
    check_no_control(WHAT, key)?;
    if key.is_empty() || py_strip(key) != key {
        return unwritable(WHAT, key, "is empty or has surrounding spaces");
    }
    if key.contains(['=', ':']) || key.starts_with(['[', '#', ';']) {
        return unwritable(
            WHAT,
            key,
            "holds `=` or `:`, or starts like a header or comment",
        );
    }
    Ok(())
}

fn check_value(dialect: Dialect, value: &str) -> Result<(), Unwritable> {
    const WHAT: &str = "value";
    check_no_control(WHAT, value)?;
    if py_strip(value) != value || value.trim() != value {
        return unwritable(WHAT, value, "begins or ends with a space");
    }
    if dialect == Dialect::Properties && value.ends_with('\\') {
        return unwritable(
            WHAT,
            value,
            "ends with a backslash (which joins the next line)",
        );
    }
    Ok(())
}

impl IniDocument {
    /// Parse any text; never fails. `parse(x).render() == x` for every `x`.
    pub fn parse(text: &str) -> IniDocument {
        let (bom, mut rest) = match text.strip_prefix('\u{feff}') {
            Some(r) => (true, r),
            None => (false, text),
        };
        let mut lines = Vec::new();
        while !rest.is_empty() {
            match rest.find('\n') {
                Some(p) => {
                    let seg = &rest[..p];
                    let (t, eol) = match seg.strip_suffix('\r') {
                        Some(t) => (t, "\r\n"),
                        None => (seg, "\n"),
                    };
                    lines.push(Line {
                        text: t.to_string(),
                        eol,
                    });
                    rest = &rest[p + 1..];
                }
                None => {
                    lines.push(Line {
                        text: rest.to_string(),
                        eol: "",
                    });
                    break;
                }
            }
        }
        IniDocument {
            bom,
            lines,
            dialect: Dialect::ConfigParser,
        }
    }

    /// Parse okta-aws's own config file: top-level keys (section `TOP_SECTION`), no
    /// continuation lines.
    pub fn parse_properties(text: &str) -> IniDocument {
        IniDocument {
            dialect: Dialect::Properties,
            ..IniDocument::parse(text)
        }
    }

    pub fn render(&self) -> String {
        let mut out =
            String::with_capacity(self.lines.iter().map(|l| l.text.len() + 2).sum::<usize>() + 3);
        if self.bom {
            out.push('\u{feff}');
        }
        for l in &self.lines {
            out.push_str(&l.text);
            out.push_str(l.eol);
        }
        out
    }

    /// The value botocore would read (configparser's, with continuation lines joined by
    /// `\n`; a nested block therefore starts with `\n`). First matching section, last
    /// matching key.
    pub fn get(&self, section: &str, key: &str) -> Option<String> {
        let kinds = self.kinds();
        let block = self.find_block(&kinds, section)?;
        let (i, end) = *self.key_spans(&kinds, &block, key).last()?;
        let (_, vs) = split_key(&self.lines[i].text)?;
        let mut parts = vec![py_strip(&self.lines[i].text[vs..]).to_string()];
        for (line, kind) in self.lines[i + 1..=end].iter().zip(&kinds[i + 1..=end]) {
            match kind {
                Kind::Continuation => parts.push(py_strip(&line.text).to_string()),
                Kind::Blank => parts.push(String::new()),
                _ => {}
            }
        }
        Some(parts.join("\n").trim_end_matches(is_py_space).to_string())
    }

    /// Section names in file order, whitespace-normalized, without duplicates.
    pub fn section_names(&self) -> Vec<String> {
        let kinds = self.kinds();
        let mut names: Vec<String> = Vec::new();
        for (i, k) in kinds.iter().enumerate() {
            if *k == Kind::Header {
                let n = normalize_section(self.header_text(i));
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        names
    }

    pub fn has_section(&self, section: &str) -> bool {
        self.find_block(&self.kinds(), section).is_some()
    }

    /// The keys of a section (lowercased, as configparser reports them), in file order,
    /// without duplicates.
    pub fn keys(&self, section: &str) -> Vec<String> {
        let kinds = self.kinds();
        let Some(b) = self.find_block(&kinds, section) else {
            return Vec::new();
        };
        let mut keys: Vec<String> = Vec::new();
        for (line, kind) in self.lines[b.start..b.end]
            .iter()
            .zip(&kinds[b.start..b.end])
        {
            if *kind == Kind::Key {
                let k = split_key(&line.text)
                    .map(|(k, _)| k.to_lowercase())
                    .unwrap_or_default();
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        keys
    }

    /// Set `key` in `section` to `value`, or refuse (changing nothing) when the file's
    /// readers would not read back exactly that section, key and value (see `Unwritable`).
    /// An existing key keeps its line's spelling, indentation and spacing around the
    /// delimiter, only the value changes (and continuation lines of the old value go). A new
    /// key goes after the section's last key; a new section goes at the end of the file.
    pub fn set(&mut self, section: &str, key: &str, value: &str) -> Result<(), Unwritable> {
        self.check_writable(section, key, value)?;
        self.set_checked(section, key, value);
        Ok(())
    }

    /// Whether `set(section, key, value)` would be taken: the names and value fit on their
    /// lines and read back unchanged (see `Unwritable`).
    pub fn check_writable(&self, section: &str, key: &str, value: &str) -> Result<(), Unwritable> {
        if !(self.dialect == Dialect::Properties && section == TOP_SECTION) {
            check_section_name(section)?;
        }
        check_key(key)?;
        check_value(self.dialect, value)
    }

    fn set_checked(&mut self, section: &str, key: &str, value: &str) {
        let kinds = self.kinds();
        let Some(block) = self.find_block(&kinds, section) else {
            self.append_section(section, key, value);
            return;
        };
        let spans = self.key_spans(&kinds, &block, key);
        if let Some(&(i, end)) = spans.last() {
            let line = &self.lines[i].text;
            let (_, vs) = split_key(line).expect("a key line");
            let mut new = line[..vs].to_string();
            // `s3 =` gets `s3 = v`, not `s3 =v`; `k=` stays tight: `k=v`.
            if vs == line.len() && !value.is_empty() {
                let mut tail = new.chars().rev().skip(1);
                if tail.next().is_some_and(is_py_space) {
                    new.push(' ');
                }
            }
            new.push_str(value);
            self.lines[i].text = new;
            let ended_bare = self.ends_without_newline();
            self.remove_lines(i + 1, end + 1);
            self.restore_ending(ended_bare);
            return;
        }
        // New key: after the last key (and its continuation lines), else after the header.
        let (after, base) = match (self.key_spans_all(&kinds, &block).last(), block.header) {
            (Some(&(i, end)), _) => (end, i),
            (None, Some(header)) => (header, header),
            (None, None) => {
                self.insert_top_key(&kinds, &block, Self::key_line(key, value));
                return;
            }
        };
        let mut indent = indent_of(&self.lines[base].text).0.to_string();
        // Never indent less than the next significant line, or that line would become a
        // continuation of the new key (e.g. an indented header right after a key-less section).
        if let Some(j) = (after + 1..self.lines.len())
            .find(|&j| !matches!(kinds[j], Kind::Blank | Kind::Comment))
        {
            let (ind, n) = indent_of(&self.lines[j].text);
            if n > indent.chars().count() {
                indent = ind.to_string();
            }
        }
        let text = format!("{indent}{}", Self::key_line(key, value));
        self.insert_after(after, text);
    }

    /// Remove every occurrence of `key` (and its continuation lines) from the section.
    pub fn remove_key(&mut self, section: &str, key: &str) -> bool {
        let kinds = self.kinds();
        let Some(block) = self.find_block(&kinds, section) else {
            return false;
        };
        let spans = self.key_spans(&kinds, &block, key);
        if spans.is_empty() {
            return false;
        }
        let ended_bare = self.ends_without_newline();
        for &(i, end) in spans.iter().rev() {
            self.remove_lines_keeping_meaning(i, end + 1);
        }
        self.restore_ending(ended_bare);
        true
    }

    /// Remove the (first) section: its header and every line up to the next section header.
    /// When it is the last section, the blank lines before it go too.
    pub fn remove_section(&mut self, section: &str) -> bool {
        let kinds = self.kinds();
        let Some(block) = self.find_block(&kinds, section) else {
            return false;
        };
        let mut start = block.header.unwrap_or(block.start);
        if block.end == self.lines.len() {
            while start > 0 && kinds[start - 1] == Kind::Blank {
                start -= 1;
            }
        }
        let ended_bare = self.ends_without_newline();
        self.remove_lines_keeping_meaning(start, block.end);
        self.restore_ending(ended_bare);
        true
    }

    // ---- internals ----

    fn key_line(key: &str, value: &str) -> String {
        if value.is_empty() {
            format!("{key} =")
        } else {
            format!("{key} = {value}")
        }
    }

    /// The file's own newline: that of its first terminated line, else LF.
    fn newline(&self) -> &'static str {
        self.lines
            .iter()
            .map(|l| l.eol)
            .find(|e| !e.is_empty())
            .unwrap_or("\n")
    }

    fn ends_without_newline(&self) -> bool {
        self.lines.last().is_some_and(|l| l.eol.is_empty())
    }

    fn restore_ending(&mut self, ended_bare: bool) {
        // (an empty line must keep its newline: without one it would not exist)
        if ended_bare
            && let Some(last) = self.lines.last_mut()
            && !last.text.is_empty()
        {
            last.eol = "";
        }
    }

    fn remove_lines(&mut self, from: usize, to: usize) {
        if from < to {
            self.lines.drain(from..to);
        }
    }

    /// Remove lines `from..to` (a whole key span or section). A line after them that then
    /// becomes a continuation of an earlier key (it is indented deeper than that key: an
    /// indented header, or a key indented deeper than the previous key) would change its
    /// meaning, so its indentation is removed; repeated until nothing after `from` changes.
    fn remove_lines_keeping_meaning(&mut self, from: usize, to: usize) {
        let before = self.kinds();
        self.remove_lines(from, to);
        loop {
            let after = self.kinds();
            let changed = (from..after.len()).find(|&j| after[j] != before[j + (to - from)]);
            match changed {
                Some(j) if after[j] == Kind::Continuation => {
                    let t = &self.lines[j].text;
                    self.lines[j].text = t.trim_start_matches(is_py_space).to_string();
                }
                _ => break,
            }
        }
    }

    /// Insert a line after line `idx`; if that was the unterminated last line, it gets the
    /// file's newline and the new line becomes the unterminated last line.
    fn insert_after(&mut self, idx: usize, text: String) {
        let nl = self.newline();
        let eol = if self.lines[idx].eol.is_empty() {
            self.lines[idx].eol = nl;
            ""
        } else {
            nl
        };
        self.lines.insert(idx + 1, Line { text, eol });
    }

    fn append_section(&mut self, section: &str, key: &str, value: &str) {
        let nl = self.newline();
        let ended_bare = self.ends_without_newline();
        if let Some(last) = self.lines.last_mut() {
            if last.eol.is_empty() {
                last.eol = nl;
            }
            if !py_strip(&last.text).is_empty() {
                self.lines.push(Line {
                    text: String::new(),
                    eol: nl,
                });
            }
        }
        self.lines.push(Line {
            text: format!("[{section}]"),
            eol: nl,
        });
        self.lines.push(Line {
            text: Self::key_line(key, value),
            eol: nl,
        });
        self.restore_ending(ended_bare);
    }

    fn header_text(&self, i: usize) -> &str {
        header_name(py_strip(&self.lines[i].text)).unwrap_or("")
    }

    /// Classify every line, following configparser's `_read` loop.
    fn kinds(&self) -> Vec<Kind> {
        let mut kinds = Vec::with_capacity(self.lines.len());
        let mut in_section = false;
        let mut open_key_indent: Option<usize> = None;
        for line in &self.lines {
            let s = py_strip(&line.text);
            let kind = if is_comment(s) {
                Kind::Comment
            } else if s.is_empty() {
                Kind::Blank
            } else {
                let (_, ind) = indent_of(&line.text);
                let continues = self.dialect == Dialect::ConfigParser;
                if continues && open_key_indent.is_some_and(|k| ind > k) {
                    Kind::Continuation
                } else if header_name(s).is_some() {
                    in_section = true;
                    open_key_indent = None;
                    Kind::Header
                } else if (in_section || self.dialect == Dialect::Properties)
                    && split_key(s).is_some()
                {
                    open_key_indent = Some(ind);
                    Kind::Key
                } else {
                    open_key_indent = None;
                    Kind::Other
                }
            };
            kinds.push(kind);
        }
        kinds
    }

    /// The first section whose (whitespace-normalized) name is `section`.
    fn find_block(&self, kinds: &[Kind], section: &str) -> Option<Block> {
        let next_header = |from: usize| (from..kinds.len()).find(|&i| kinds[i] == Kind::Header);
        if self.dialect == Dialect::Properties && section == TOP_SECTION {
            let end = next_header(0).unwrap_or(kinds.len());
            return Some(Block {
                header: None,
                start: 0,
                end,
            });
        }
        let want = normalize_section(section);
        let header = (0..kinds.len()).find(|&i| {
            kinds[i] == Kind::Header && normalize_section(self.header_text(i)) == want
        })?;
        let end = next_header(header + 1).unwrap_or(kinds.len());
        Some(Block {
            header: Some(header),
            start: header + 1,
            end,
        })
    }

    /// The first key of a key-less top section: after the file's opening comment lines (a
    /// title stays first), and kept apart from a section header that would follow it.
    fn insert_top_key(&mut self, kinds: &[Kind], block: &Block, text: String) {
        let after_comments = (0..block.end)
            .take_while(|&i| matches!(kinds[i], Kind::Comment | Kind::Blank))
            .filter(|&i| kinds[i] == Kind::Comment)
            .last();
        let nl = self.newline();
        let at = after_comments.map_or(0, |i| i + 1);
        let mut new_lines = vec![Line { text, eol: nl }];
        if kinds.get(at) == Some(&Kind::Header) {
            new_lines.push(Line {
                text: String::new(),
                eol: nl,
            });
        }
        match after_comments {
            Some(i) if self.lines[i].eol.is_empty() => {
                // The comment was the unterminated last line: the new key takes that place.
                self.lines[i].eol = nl;
                new_lines.last_mut().expect("one line").eol = "";
            }
            None if self.lines.is_empty() => new_lines.last_mut().expect("one line").eol = nl,
            _ => {}
        }
        self.lines.splice(at..at, new_lines);
    }

    /// (key line, last continuation line) of every key line in the block.
    fn key_spans_all(&self, kinds: &[Kind], block: &Block) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        for i in block.start..block.end {
            if kinds[i] != Kind::Key {
                continue;
            }
            let mut end = i;
            for (j, k) in kinds.iter().enumerate().take(block.end).skip(i + 1) {
                match k {
                    Kind::Continuation => end = j,
                    Kind::Blank | Kind::Comment => {}
                    _ => break,
                }
            }
            spans.push((i, end));
        }
        spans
    }

    fn key_spans(&self, kinds: &[Kind], block: &Block, key: &str) -> Vec<(usize, usize)> {
        let want = py_strip(key).to_lowercase();
        self.key_spans_all(kinds, block)
            .into_iter()
            .filter(|&(i, _)| {
                split_key(&self.lines[i].text).is_some_and(|(k, _)| k.to_lowercase() == want)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Edit = fn(&mut IniDocument);

    /// A hand-written case: input, edit, exact expected output, and what botocore must read
    /// from the output (section, key, Python literal; `None` = skip botocore, which rejects
    /// the file, e.g. duplicate sections or a BOM).
    struct Case {
        name: &'static str,
        input: &'static str,
        edit: Edit,
        expected: &'static str,
        boto: Option<&'static [(&'static str, &'static str, &'static str)]>,
    }

    fn corpus() -> Vec<Case> {
        vec![
            Case {
                name: "comments, replace and add",
                input: "# top comment\n[default]\naws_access_key_id = OLD\n; semicolon comment\nregion=us-east-1\n\n# about other\n[other]\nx = 1\n",
                edit: |d| {
                    d.set("default", "aws_access_key_id", "NEW").unwrap();
                    d.set("default", "aws_session_token", "TOK").unwrap();
                },
                expected: "# top comment\n[default]\naws_access_key_id = NEW\n; semicolon comment\nregion=us-east-1\naws_session_token = TOK\n\n# about other\n[other]\nx = 1\n",
                boto: Some(&[
                    ("default", "aws_access_key_id", "'NEW'"),
                    ("default", "aws_session_token", "'TOK'"),
                    ("default", "region", "'us-east-1'"),
                    ("other", "x", "'1'"),
                ]),
            },
            Case {
                name: "CRLF, no final newline, new key and new section",
                input: "[a]\r\nk = v\r\n\r\n[b]\r\ny=2",
                edit: |d| {
                    d.set("b", "z", "3").unwrap();
                    d.set("c", "q", "1").unwrap();
                },
                expected: "[a]\r\nk = v\r\n\r\n[b]\r\ny=2\r\nz = 3\r\n\r\n[c]\r\nq = 1",
                boto: Some(&[
                    ("a", "k", "'v'"),
                    ("b", "y", "'2'"),
                    ("b", "z", "'3'"),
                    ("c", "q", "'1'"),
                ]),
            },
            Case {
                name: "CRLF with final newline, new section",
                input: "[a]\r\nk = v\r\n",
                edit: |d| d.set("profile x", "region", "eu-west-1").unwrap(),
                expected: "[a]\r\nk = v\r\n\r\n[profile x]\r\nregion = eu-west-1\r\n",
                boto: Some(&[("a", "k", "'v'"), ("profile x", "region", "'eu-west-1'")]),
            },
            Case {
                name: "nested s3 block in the middle",
                input: "[profile dev]\nregion = eu-west-1\ns3 =\n    max_concurrent_requests = 20\n    # inner comment\n\n    addressing_style = path\noutput = json\n\n[default]\n",
                edit: |d| {
                    d.set("profile dev", "max_concurrent_requests", "5")
                        .unwrap();
                    d.set("profile dev", "region", "us-east-2").unwrap();
                },
                expected: "[profile dev]\nregion = us-east-2\ns3 =\n    max_concurrent_requests = 20\n    # inner comment\n\n    addressing_style = path\noutput = json\nmax_concurrent_requests = 5\n\n[default]\n",
                boto: Some(&[
                    (
                        "profile dev",
                        "s3",
                        "{'max_concurrent_requests': '20', 'addressing_style': 'path'}",
                    ),
                    ("profile dev", "max_concurrent_requests", "'5'"),
                    ("profile dev", "region", "'us-east-2'"),
                    ("profile dev", "output", "'json'"),
                ]),
            },
            Case {
                name: "nested block last in its section: new key after it",
                input: "[profile dev]\ns3 =\n    max_concurrent_requests = 20\n\n# next\n[x]\na = b\n",
                edit: |d| d.set("profile dev", "region", "r").unwrap(),
                expected: "[profile dev]\ns3 =\n    max_concurrent_requests = 20\nregion = r\n\n# next\n[x]\na = b\n",
                boto: Some(&[
                    ("profile dev", "s3", "{'max_concurrent_requests': '20'}"),
                    ("profile dev", "region", "'r'"),
                    ("profile dev", "max_concurrent_requests", "None"),
                    ("x", "a", "'b'"),
                ]),
            },
            Case {
                name: "remove a nested block",
                input: "[p]\ns3 =\n  a = 1\n  b = 2\nregion = r\n",
                edit: |d| assert!(d.remove_key("p", "S3")),
                expected: "[p]\nregion = r\n",
                boto: Some(&[
                    ("p", "s3", "None"),
                    ("p", "region", "'r'"),
                    ("p", "a", "None"),
                ]),
            },
            Case {
                name: "indented keys: new key keeps the indentation",
                input: "[default]\n  aws_access_key_id = A\n  aws_secret_access_key = B\n[next]\n",
                edit: |d| d.set("default", "aws_session_token", "T").unwrap(),
                expected: "[default]\n  aws_access_key_id = A\n  aws_secret_access_key = B\n  aws_session_token = T\n[next]\n",
                boto: Some(&[
                    ("default", "aws_access_key_id", "'A'"),
                    ("default", "aws_secret_access_key", "'B'"),
                    ("default", "aws_session_token", "'T'"),
                ]),
            },
            Case {
                name: "[ default ] is default",
                input: "[ default ]\nk = 1\n",
                edit: |d| {
                    assert!(d.has_section("default"));
                    d.set("default", "k", "2").unwrap();
                },
                expected: "[ default ]\nk = 2\n",
                // configparser keeps the spaces in the name
                boto: Some(&[(" default ", "k", "'2'")]),
            },
            Case {
                name: "[profile  dev] is profile dev",
                input: "[profile  dev]\nregion = a\n",
                edit: |d| d.set("profile dev", "region", "b").unwrap(),
                expected: "[profile  dev]\nregion = b\n",
                boto: Some(&[("profile  dev", "region", "'b'")]),
            },
            Case {
                name: "duplicate sections: the first is edited",
                input: "[a]\nk = 1\n[b]\n[a]\nk = 2\n",
                edit: |d| {
                    d.set("a", "k", "9").unwrap();
                    d.set("a", "n", "new").unwrap();
                },
                expected: "[a]\nk = 9\nn = new\n[b]\n[a]\nk = 2\n",
                boto: None,
            },
            Case {
                name: "duplicate keys: the last is set",
                input: "[d]\nk = 1\nK = 2\nz = 0\n",
                edit: |d| d.set("d", "k", "9").unwrap(),
                expected: "[d]\nk = 1\nK = 9\nz = 0\n",
                boto: None,
            },
            Case {
                name: "duplicate keys: remove_key removes all",
                input: "[d]\nk = 1\nK = 2\nz = 0\n",
                edit: |d| assert!(d.remove_key("d", "k")),
                expected: "[d]\nz = 0\n",
                boto: Some(&[("d", "k", "None"), ("d", "z", "'0'")]),
            },
            Case {
                name: "empty file",
                input: "",
                edit: |d| {
                    d.set("default", "aws_access_key_id", "A").unwrap();
                    d.set("default", "aws_secret_access_key", "B").unwrap();
                },
                expected: "[default]\naws_access_key_id = A\naws_secret_access_key = B\n",
                boto: Some(&[
                    ("default", "aws_access_key_id", "'A'"),
                    ("default", "aws_secret_access_key", "'B'"),
                ]),
            },
            Case {
                name: "BOM kept",
                input: "\u{feff}[default]\nk=1\n",
                edit: |d| d.set("default", "k", "2").unwrap(),
                expected: "\u{feff}[default]\nk=2\n",
                boto: None, // Python reads the BOM as text: MissingSectionHeaderError
            },
            Case {
                name: "file of only comments, no final newline",
                input: "# a\n; b",
                edit: |d| d.set("default", "k", "v").unwrap(),
                expected: "# a\n; b\n\n[default]\nk = v",
                boto: Some(&[("default", "k", "'v'")]),
            },
            Case {
                name: "values with = # ; :",
                input: "[d]\nurl = https://x/?a=b#frag\n",
                edit: |d| {
                    assert_eq!(d.get("d", "url").as_deref(), Some("https://x/?a=b#frag"));
                    d.set("d", "tok", "ab==#;c:d").unwrap();
                },
                expected: "[d]\nurl = https://x/?a=b#frag\ntok = ab==#;c:d\n",
                boto: Some(&[
                    ("d", "url", "'https://x/?a=b#frag'"),
                    ("d", "tok", "'ab==#;c:d'"),
                ]),
            },
            Case {
                name: "unicode",
                input: "[профиль]\nключ = значение ☃\n",
                edit: |d| {
                    assert_eq!(d.get("профиль", "ключ").as_deref(), Some("значение ☃"));
                    d.set("профиль", "ключ", "новое ✓").unwrap();
                },
                expected: "[профиль]\nключ = новое ✓\n",
                boto: Some(&[("профиль", "ключ", "'новое ✓'")]),
            },
            Case {
                name: "colon delimiter and key spelling kept",
                input: "[d]\nregion: us-east-1\nAWS_Access_Key_ID\t=\tA   \n",
                edit: |d| {
                    d.set("d", "region", "eu-west-1").unwrap();
                    d.set("d", "aws_access_key_id", "B").unwrap();
                },
                expected: "[d]\nregion: eu-west-1\nAWS_Access_Key_ID\t=\tB\n",
                boto: Some(&[
                    ("d", "region", "'eu-west-1'"),
                    ("d", "aws_access_key_id", "'B'"),
                ]),
            },
            Case {
                name: "empty value gets a space",
                input: "[d]\ns3 =\nk=\n",
                edit: |d| {
                    d.set("d", "s3", "x").unwrap();
                    d.set("d", "k", "y").unwrap();
                },
                expected: "[d]\ns3 = x\nk=y\n",
                boto: Some(&[("d", "s3", "'x'"), ("d", "k", "'y'")]),
            },
            Case {
                name: "set drops the old value's continuation lines",
                input: "[a]\nk = one\n  two\nz = 3\n",
                edit: |d| {
                    assert_eq!(d.get("a", "k").as_deref(), Some("one\ntwo"));
                    d.set("a", "k", "v").unwrap();
                },
                expected: "[a]\nk = v\nz = 3\n",
                boto: Some(&[("a", "k", "'v'"), ("a", "z", "'3'")]),
            },
            Case {
                name: "key-less section before an indented header",
                input: "[a]\n  [b]\nk=1\n",
                edit: |d| d.set("a", "x", "1").unwrap(),
                expected: "[a]\n  x = 1\n  [b]\nk=1\n",
                boto: Some(&[("a", "x", "'1'"), ("b", "k", "'1'")]),
            },
            Case {
                name: "header with trailing text, section with only comments",
                input: "[a] ; note\n# nothing yet\n\n[b]\n",
                edit: |d| d.set("a", "k", "v").unwrap(),
                expected: "[a] ; note\nk = v\n# nothing yet\n\n[b]\n",
                boto: Some(&[("a", "k", "'v'")]),
            },
            Case {
                name: "whitespace-only last line counts as the separator",
                input: "[a]\nx=1\n  ",
                edit: |d| d.set("b", "y", "2").unwrap(),
                expected: "[a]\nx=1\n  \n[b]\ny = 2",
                boto: Some(&[("a", "x", "'1'"), ("b", "y", "'2'")]),
            },
            Case {
                name: "remove a middle section",
                input: "[a]\nx=1\n\n[b]\n# b's comment\ny=2\n\n[c]\nz=3\n",
                edit: |d| assert!(d.remove_section("b")),
                expected: "[a]\nx=1\n\n[c]\nz=3\n",
                boto: Some(&[("a", "x", "'1'"), ("c", "z", "'3'"), ("b", "y", "None")]),
            },
            Case {
                name: "remove the last section, no final newline",
                input: "[a]\nx=1\n\n\n[b]\ny=2",
                edit: |d| assert!(d.remove_section("b")),
                expected: "[a]\nx=1",
                boto: Some(&[("a", "x", "'1'")]),
            },
            Case {
                name: "remove the last key keeps the missing final newline",
                input: "[a]\r\nx=1\r\ny=2",
                edit: |d| assert!(d.remove_key("a", "y")),
                expected: "[a]\r\nx=1",
                boto: Some(&[("a", "x", "'1'"), ("a", "y", "None")]),
            },
            Case {
                name: "missing things are no-ops",
                input: "[a]\nx=1\n",
                edit: |d| {
                    assert!(!d.remove_key("a", "nope"));
                    assert!(!d.remove_key("zz", "x"));
                    assert!(!d.remove_section("zz"));
                    assert_eq!(d.get("zz", "x"), None);
                },
                expected: "[a]\nx=1\n",
                boto: Some(&[("a", "x", "'1'")]),
            },
        ]
    }

    #[test]
    fn corpus_cases() {
        for c in corpus() {
            let mut d = IniDocument::parse(c.input);
            assert_eq!(d.render(), c.input, "round trip: {}", c.name);
            (c.edit)(&mut d);
            assert_eq!(d.render(), c.expected, "case: {}", c.name);
        }
    }

    #[test]
    fn reads() {
        let d = IniDocument::parse(
            "pre = 1\n[ default ]\nK = v\n[profile dev]\ns3 =\n  a = 1\n\n  b = 2\n# c\n[default]\nk = other\n",
        );
        assert_eq!(d.get("default", "pre"), None);
        assert_eq!(d.get("default", "k").as_deref(), Some("v"));
        assert_eq!(
            d.get("profile dev", "s3").as_deref(),
            Some("\na = 1\n\nb = 2")
        );
        assert_eq!(d.get("profile dev", "a"), None);
        assert_eq!(d.section_names(), vec!["default", "profile dev"]);
        assert_eq!(d.keys("profile dev"), vec!["s3"]);
        assert!(d.has_section("profile  dev"));
        assert!(!d.has_section("Default"));
    }

    // ---------- botocore cross-check ----------

    fn py_str(s: &str) -> String {
        let mut o = String::from("'");
        for ch in s.chars() {
            match ch {
                '\\' => o.push_str("\\\\"),
                '\'' => o.push_str("\\'"),
                '\n' => o.push_str("\\n"),
                '\r' => o.push_str("\\r"),
                '\t' => o.push_str("\\t"),
                c => o.push(c),
            }
        }
        o.push('\'');
        o
    }

    fn have_botocore() -> bool {
        let ok = std::process::Command::new("python3")
            .args(["-c", "import botocore.configloader"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            eprintln!("SKIP: python3 with botocore not available; botocore cross-check not run");
        }
        ok
    }

    /// Run botocore over files. Each check is (file, section, key, python literal, nested):
    /// `nested` = parse subsections (botocore's default) or read raw configparser values.
    /// Returns botocore's complaints, one a line.
    fn botocore_check(
        dir: &std::path::Path,
        checks: &[(String, String, String, String, bool)],
    ) -> String {
        let mut manifest = String::from("[\n");
        for (file, sec, key, lit, nested) in checks {
            manifest += &format!(
                "({}, {}, {}, {}, {}),\n",
                py_str(file),
                py_str(sec),
                py_str(key),
                lit,
                if *nested { "True" } else { "False" }
            );
        }
        manifest += "]\n";
        let mpath = dir.join("manifest.py");
        std::fs::write(&mpath, manifest).unwrap();
        let script = r#"
import sys, botocore.configloader as c
checks = eval(open(sys.argv[1], encoding='utf-8').read())
cache = {}
for f, sec, key, want, nested in checks:
    k = (f, nested)
    if k not in cache:
        try:
            cache[k] = c.raw_config_parse(f, parse_subsections=nested)
        except Exception as e:
            cache[k] = e
    cfg = cache[k]
    if isinstance(cfg, Exception):
        print(f"{f}: botocore failed: {cfg}")
        continue
    got = cfg.get(sec, {}).get(key)
    if got != want:
        print(f"{f}: [{sec}] {key}: botocore reads {got!r}, expected {want!r}")
"#;
        let out = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&mpath)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "python failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[test]
    fn botocore_reads_the_corpus_outputs() {
        if !have_botocore() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut checks = Vec::new();
        for (n, c) in corpus().into_iter().enumerate() {
            let Some(boto) = c.boto else { continue };
            let mut d = IniDocument::parse(c.input);
            (c.edit)(&mut d);
            let file = dir.path().join(format!("case{n}.ini"));
            std::fs::write(&file, d.render()).unwrap();
            let file = file.to_str().unwrap().to_string();
            for (sec, key, lit) in boto {
                checks.push((
                    file.clone(),
                    sec.to_string(),
                    key.to_string(),
                    lit.to_string(),
                    true,
                ));
            }
        }
        assert!(checks.len() > 40);
        let complaints = botocore_check(dir.path(), &checks);
        assert!(complaints.is_empty(), "{complaints}");
    }

    /// Generated clean files (what botocore accepts), edited: botocore's raw values must be
    /// exactly what `get` says, for every key of every section.
    #[test]
    fn botocore_agrees_with_get_on_generated_files() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::{Config, TestRunner};
        if !have_botocore() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut runner = TestRunner::new(Config::default());
        let mut checks = Vec::new();
        let strategy = (clean_doc(), prop::collection::vec(edit_strategy(), 1..5));
        for n in 0..150 {
            let (text, edits) = strategy.new_tree(&mut runner).unwrap().current();
            let mut d = IniDocument::parse(&text);
            for (sec, key, value) in &edits {
                d.set(sec, key, value).unwrap();
            }
            let file = dir.path().join(format!("gen{n}.ini"));
            std::fs::write(&file, d.render()).unwrap();
            let file = file.to_str().unwrap().to_string();
            for sec in d.section_names() {
                for key in d.keys(&sec) {
                    let lit = py_str(&d.get(&sec, &key).unwrap());
                    checks.push((file.clone(), sec.clone(), key, lit, false));
                }
            }
            // the last edit of each key wins
            for (n, (sec, key, value)) in edits.iter().enumerate() {
                let later = edits[n + 1..]
                    .iter()
                    .any(|(s, k, _)| s == sec && k.eq_ignore_ascii_case(key));
                if !later {
                    assert_eq!(d.get(sec, key).as_deref(), Some(value.as_str()));
                    checks.push((
                        file.clone(),
                        sec.clone(),
                        key.to_lowercase(),
                        py_str(value),
                        false,
                    ));
                }
            }
        }
        let complaints = botocore_check(dir.path(), &checks);
        if let Some(first) = complaints.lines().next() {
            let f = first.split(':').next().unwrap();
            panic!(
                "{complaints}\n{f}:\n{:?}",
                std::fs::read_to_string(f).unwrap()
            );
        }
    }

    /// Property tests are bounded for CI: a fixed number of cases of bounded size, and on a
    /// failure at most this long spent shrinking it (issue 11 item 13).
    const SHRINK_MS: u32 = 10_000;

    // ---------- generators ----------

    const SECTIONS: &[&str] = &["default", "profile dev", "a", "b"];
    const KEYS: &[&str] = &["aws_access_key_id", "region", "Region", "s3", "x"];

    fn eol_strategy() -> impl Strategy<Value = &'static str> {
        prop_oneof![Just("\n"), Just("\r\n")]
    }

    fn value_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            "[A-Za-z0-9/+=#;:._-]([A-Za-z0-9/+=#;:._ é☃-]{0,12}[A-Za-z0-9/+=#;:._-])?",
        ]
    }

    fn edit_strategy() -> impl Strategy<Value = (String, String, String)> {
        (
            prop::sample::select(SECTIONS),
            prop::sample::select(KEYS),
            value_strategy(),
        )
            .prop_map(|(s, k, v)| (s.to_string(), k.to_string(), v))
    }

    /// Groups of lines (a nested block is one group), anything goes: duplicates, junk,
    /// indentation, keys before any section.
    fn line_group() -> impl Strategy<Value = Vec<String>> {
        let header = (
            "[ \t]{0,2}",
            "[ ]?",
            prop::sample::select(SECTIONS),
            "[ ]?",
            "( ; x)?",
        )
            .prop_map(|(i, a, n, b, t)| vec![format!("{i}[{a}{n}{b}]{t}")]);
        let key = (
            "[ \t]{0,3}",
            prop::sample::select(KEYS),
            "( ?= ?|=|: | = )",
            value_strategy(),
            "[ ]?",
        )
            .prop_map(|(i, k, d, v, t)| vec![format!("{i}{k}{d}{v}{t}")]);
        let nested = (
            prop::sample::select(KEYS),
            prop::collection::vec(("[ ]{1,4}", "[a-z_]{1,6}", value_strategy()), 1..3),
        )
            .prop_map(|(k, subs)| {
                let mut v = vec![format!("{k} =")];
                v.extend(
                    subs.into_iter()
                        .map(|(i, sk, sv)| format!("{i}{sk} = {sv}")),
                );
                v
            });
        prop_oneof![
            3 => key,
            2 => header,
            1 => nested,
            1 => Just(vec![String::new()]),
            1 => "[ \t]{1,3}".prop_map(|s| vec![s]),
            1 => "[ ]{0,3}[#;][ -~]{0,10}".prop_map(|s| vec![s]),
            1 => "[ ]{0,3}[a-z \\[\\]]{1,8}".prop_map(|s| vec![s]),
            1 => "[a-zé☃]{1,4} = [ -~é☃]{0,6}".prop_map(|s| vec![s]),
        ]
    }

    fn assemble(groups: Vec<Vec<String>>, eol: &str, final_nl: bool, bom: bool) -> String {
        let lines: Vec<String> = groups.into_iter().flatten().collect();
        let mut s = if bom {
            "\u{feff}".to_string()
        } else {
            String::new()
        };
        for (i, l) in lines.iter().enumerate() {
            s += l;
            if i + 1 < lines.len() || final_nl {
                s += eol;
            }
        }
        s
    }

    fn any_doc() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(line_group(), 0..14),
            eol_strategy(),
            any::<bool>(),
            prop::bool::weighted(0.1),
        )
            .prop_map(|(g, e, f, b)| assemble(g, e, f, b))
    }

    /// Files botocore accepts: distinct sections, distinct keys, no junk, no BOM.
    fn clean_doc() -> impl Strategy<Value = String> {
        let section = (
            "[ ]{0,2}",
            prop::sample::subsequence(KEYS.to_vec(), 0..=KEYS.len()).prop_shuffle(),
            prop::collection::vec(prop_oneof![Just(String::new()), "[#;][ -~]{0,8}"], 0..2),
        );
        (
            prop::sample::subsequence(SECTIONS.to_vec(), 0..=SECTIONS.len()).prop_shuffle(),
            prop::collection::vec(section, SECTIONS.len()),
            eol_strategy(),
            any::<bool>(),
        )
            .prop_map(|(names, bodies, eol, final_nl)| {
                let mut groups = vec![];
                for (name, (indent, keys, trailer)) in names.into_iter().zip(bodies) {
                    groups.push(vec![format!("[{name}]")]);
                    let mut seen = Vec::new();
                    for k in keys {
                        if seen.contains(&k.to_lowercase()) {
                            continue;
                        }
                        seen.push(k.to_lowercase());
                        if k == "s3" {
                            groups.push(vec![
                                format!("{indent}s3 ="),
                                format!("{indent}   max_concurrent_requests = 3"),
                                String::new(),
                                format!("{indent}   x = y"),
                            ]);
                        } else {
                            groups.push(vec![format!("{indent}{k} = v={k}#")]);
                        }
                    }
                    groups.push(trailer);
                }
                assemble(groups, eol, final_nl, false)
            })
    }

    // ---------- properties ----------

    /// `old` minus the lines `skip` must be a subsequence of `new` (comparing text and line
    /// ending, except that the old last line may have gained a newline). Returns the lines
    /// of `new` left over.
    /// `dedent_ok`: a removal may remove the indentation of a line (see
    /// `remove_lines_keeping_meaning`).
    fn leftovers(
        old: &IniDocument,
        skip: &[usize],
        new: &IniDocument,
        dedent_ok: bool,
    ) -> Result<Vec<String>, String> {
        let mut used = vec![false; new.lines.len()];
        let mut j = 0;
        for (i, l) in old.lines.iter().enumerate() {
            if skip.contains(&i) {
                continue;
            }
            let last = i + 1 == old.lines.len();
            loop {
                if j == new.lines.len() {
                    return Err(format!("old line {i} {l:?} missing"));
                }
                let n = &new.lines[j];
                j += 1;
                let new_last = j == new.lines.len();
                let same = n.text == l.text
                    || dedent_ok
                        && n.text.trim_start_matches(is_py_space)
                            == l.text.trim_start_matches(is_py_space);
                if same
                    && (n.eol == l.eol
                        || (last && l.eol.is_empty())
                        || (new_last && n.eol.is_empty()))
                {
                    used[j - 1] = true;
                    break;
                }
            }
        }
        Ok(new
            .lines
            .iter()
            .zip(used)
            .filter(|(_, u)| !u)
            .map(|(l, _)| l.text.clone())
            .collect())
    }

    /// Lines of the key's spans in the section: all of them, or only the last (what `set` edits).
    fn span_lines(d: &IniDocument, section: &str, key: &str, only_last: bool) -> Vec<usize> {
        let kinds = d.kinds();
        let Some(b) = d.find_block(&kinds, section) else {
            return vec![];
        };
        let mut spans = d.key_spans(&kinds, &b, key);
        if only_last && spans.len() > 1 {
            spans.drain(..spans.len() - 1);
        }
        spans.into_iter().flat_map(|(i, e)| i..=e).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, max_shrink_time: SHRINK_MS, ..ProptestConfig::default() })]

        #[test]
        fn round_trip_any_string(s in any::<String>()) {
            prop_assert_eq!(IniDocument::parse(&s).render(), s);
        }

        #[test]
        fn round_trip_ini_alphabet(s in "[\\[\\]=:#; \tab\r\n\u{feff}é]{0,60}") {
            prop_assert_eq!(IniDocument::parse(&s).render(), s);
        }

        #[test]
        fn round_trip_docs(s in any_doc()) {
            prop_assert_eq!(IniDocument::parse(&s).render(), s);
        }

        #[test]
        fn set_then_get_and_nothing_else_changes(text in any_doc(), edits in prop::collection::vec(edit_strategy(), 1..6)) {
            let mut d = IniDocument::parse(&text);
            let mut want: Vec<(String, String, String)> = Vec::new();
            for (sec, key, value) in &edits {
                let before = d.clone();
                let skip = span_lines(&before, sec, key, true);
                let had_section = before.has_section(sec);
                d.set(sec, key, value).unwrap();
                // the document still round-trips
                prop_assert_eq!(IniDocument::parse(&d.render()), d.clone());
                let extra = leftovers(&before, &skip, &d, false).map_err(TestCaseError::fail)?;
                if had_section {
                    prop_assert_eq!(extra.len(), 1, "{:?}", extra);
                    let (k, vs) = split_key(&extra[0]).unwrap();
                    prop_assert_eq!(k.to_lowercase(), key.to_lowercase());
                    prop_assert_eq!(py_strip(&extra[0][vs..]), value.as_str());
                    if let Some(&i) = skip.first() {
                        // an existing line keeps its key spelling and spacing
                        let old = &before.lines[i].text;
                        let (_, ovs) = split_key(old).unwrap();
                        prop_assert!(extra[0].starts_with(&old[..ovs]), "{:?} -> {:?}", old, extra[0]);
                    }
                } else {
                    let n = extra.len();
                    prop_assert!(n == 2 || n == 3, "{:?}", extra);
                    prop_assert!(n == 2 || extra[0].is_empty());
                    prop_assert_eq!(&extra[n - 2], &format!("[{sec}]"));
                    prop_assert_eq!(&extra[n - 1], &IniDocument::key_line(key, value));
                }
                want.retain(|(s, k, _)| !(s == sec && k.eq_ignore_ascii_case(key)));
                want.push((sec.clone(), key.clone(), value.clone()));
                for (s, k, v) in &want {
                    prop_assert_eq!(d.get(s, k), Some(v.clone()), "[{}] {} in {:?}", s, k, d.render());
                }
            }
            // the ending is kept (unless the file was empty)
            let r = d.render();
            let t = text.trim_start_matches('\u{feff}');
            if !t.is_empty() {
                prop_assert_eq!(r.ends_with('\n'), t.ends_with('\n'));
                // new lines use the file's line ending
                if !t.contains('\r') {
                    prop_assert!(!r.contains('\r'));
                }
                if t.contains('\n') && !t.replace("\r\n", "").contains('\n') {
                    prop_assert!(!r.replace("\r\n", "").contains('\n'));
                }
            }
            prop_assert_eq!(r.starts_with('\u{feff}'), text.starts_with('\u{feff}'));
        }

        #[test]
        fn remove_key_then_gone(text in any_doc(), sec in prop::sample::select(SECTIONS), key in prop::sample::select(KEYS)) {
            let mut d = IniDocument::parse(&text);
            let before = d.clone();
            let skip = span_lines(&before, sec, key, false);
            let removed = d.remove_key(sec, key);
            prop_assert_eq!(removed, !skip.is_empty());
            prop_assert_eq!(d.get(sec, key), None);
            let extra = leftovers(&before, &skip, &d, true).map_err(TestCaseError::fail)?;
            prop_assert!(extra.is_empty(), "{:?}", extra);
            prop_assert_eq!(IniDocument::parse(&d.render()), d.clone());
            let r = d.render();
            if text.ends_with('\n') {
                prop_assert!(r.ends_with('\n') || r.is_empty());
            } else if d.lines.last().is_some_and(|l| !l.text.is_empty()) && !text.ends_with("\n\n") {
                prop_assert!(!r.ends_with('\n'));
            }
        }

        #[test]
        fn remove_section_then_other_sections_unchanged(text in any_doc(), sec in prop::sample::select(SECTIONS)) {
            let mut d = IniDocument::parse(&text);
            let before = d.clone();
            let others: Vec<_> = SECTIONS.iter().filter(|s| **s != sec)
                .flat_map(|s| KEYS.iter().map(move |k| (*s, *k))).collect();
            let removed = d.remove_section(sec);
            prop_assert_eq!(removed, before.has_section(sec));
            // every line left was there, in order
            let extra = leftovers(&d, &[], &before, true).map_err(TestCaseError::fail)?;
            prop_assert!(extra.len() + d.lines.len() == before.lines.len());
            let dup = before.render().matches(&format!("[{sec}]")).count() > 1;
            for (s, k) in others {
                if !dup {
                    prop_assert_eq!(d.get(s, k), before.get(s, k));
                }
            }
        }
    }

    // ---------- the properties dialect (okta-aws's own config file) ----------

    fn set_props(text: &str, section: &str, key: &str, value: &str) -> String {
        let mut d = IniDocument::parse_properties(text);
        d.set(section, key, value).unwrap();
        d.render()
    }

    #[test]
    fn properties_top_section_edits() {
        // a new file
        assert_eq!(
            set_props("", TOP_SECTION, "OKTA_ORG", "a.okta.com"),
            "OKTA_ORG = a.okta.com\n"
        );
        // an existing key keeps its spelling and tight `=`; other lines stay
        assert_eq!(
            set_props(
                "okta_org=old\n# c\n[dev]\nOKTA_ORG=d\n",
                TOP_SECTION,
                "OKTA_ORG",
                "new"
            ),
            "okta_org=new\n# c\n[dev]\nOKTA_ORG=d\n"
        );
        // the first top key goes after the opening comments, apart from the header
        assert_eq!(
            set_props("# title\n\n[dev]\nA=1\n", TOP_SECTION, "OKTA_ORG", "x"),
            "# title\nOKTA_ORG = x\n\n[dev]\nA=1\n"
        );
        assert_eq!(
            set_props("[dev]\r\nA=1", TOP_SECTION, "OKTA_ORG", "x"),
            "OKTA_ORG = x\r\n\r\n[dev]\r\nA=1"
        );
        assert_eq!(set_props("# only", TOP_SECTION, "K", "v"), "# only\nK = v");
        // a new key goes after the last top key, before the sections
        assert_eq!(
            set_props("A=1\n\n[dev]\n", TOP_SECTION, "B", "2"),
            "A=1\nB = 2\n\n[dev]\n"
        );
        // indented lines are keys of their own, not continuations (as rust-ini reads them)
        let text = "A=1\n  OKTA_USERNAME=bob\n";
        let d = IniDocument::parse_properties(text);
        assert_eq!(d.get(TOP_SECTION, "okta_username").as_deref(), Some("bob"));
        assert_eq!(
            set_props(text, TOP_SECTION, "A", "2"),
            "A=2\n  OKTA_USERNAME=bob\n"
        );
        // in the ~/.aws dialect the top is no section at all
        assert!(!IniDocument::parse("A=1\n").has_section(TOP_SECTION));
    }

    #[test]
    fn properties_sections_and_removal() {
        assert_eq!(
            set_props("OKTA_ORG=a\n", "dev", "OKTA_ORG", "b"),
            "OKTA_ORG=a\n\n[dev]\nOKTA_ORG = b\n"
        );
        let mut d =
            IniDocument::parse_properties("A=1\nOKTA_USERNAME=bob\n[dev]\nOKTA_USERNAME=x\n");
        assert!(d.remove_key(TOP_SECTION, "okta_username"));
        assert_eq!(d.render(), "A=1\n[dev]\nOKTA_USERNAME=x\n");
    }

    const PROPERTY_KEYS: &[&str] = &["OKTA_ORG", "okta_username", "OKTA_AWS_REGION"];
    const PROPERTY_SECTIONS: &[&str] = &[TOP_SECTION, "dev", "prod"];

    /// Config files as users write them: top keys, then sections; comments and blank lines
    /// anywhere; keys indented or not, repeated or not.
    fn properties_doc() -> impl Strategy<Value = String> {
        let line = prop_oneof![
            4 => ("[ ]{0,2}", prop::sample::select(PROPERTY_KEYS), "(=| = |: )", "[A-Za-z0-9/._:-]{0,10}")
                .prop_map(|(i, k, d, v)| format!("{i}{k}{d}{v}")),
            1 => Just(String::new()),
            1 => "[#;][ -~]{0,10}",
        ];
        let body = || prop::collection::vec(line.clone(), 0..4);
        (
            body(),
            prop::sample::subsequence(PROPERTY_SECTIONS[1..].to_vec(), 0..=2).prop_shuffle(),
            prop::collection::vec(body(), 2),
            eol_strategy(),
            any::<bool>(),
        )
            .prop_map(|(top, names, bodies, eol, final_nl)| {
                let mut groups = vec![top];
                for (name, body) in names.into_iter().zip(bodies) {
                    groups.push(vec![format!("[{name}]")]);
                    groups.push(body);
                }
                assemble(groups, eol, final_nl, false)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, max_shrink_time: SHRINK_MS, ..ProptestConfig::default() })]

        /// After `set`, the config file's own reader (rust-ini, through `ConfigFile`) reads
        /// the new value, and every other line is unchanged.
        #[test]
        fn properties_set_is_read_back_by_the_config_reader(
            text in properties_doc(),
            section in prop::sample::select(PROPERTY_SECTIONS),
            key in prop::sample::select(PROPERTY_KEYS),
            value in "[A-Za-z0-9/._:-]([A-Za-z0-9/._: -]{0,10}[A-Za-z0-9/._:-])?",
        ) {
            let before = IniDocument::parse_properties(&text);
            let skip = span_lines(&before, section, key, true);
            let mut d = before.clone();
            d.set(section, key, &value).unwrap();
            let extra = leftovers(&before, &skip, &d, false).map_err(TestCaseError::fail)?;
            prop_assert!(extra.len() <= 3, "{:?}", extra);
            let out = d.render();
            let path = std::path::Path::new("config.properties");
            let read = crate::settings::ConfigFile::parse(&out, path)
                .map_err(|e| TestCaseError::fail(format!("{e}: {out:?}")))?;
            let values = if section == TOP_SECTION {
                Some(read.top())
            } else {
                read.section(section)
            };
            prop_assert_eq!(
                values.and_then(|v| v.get(&key.to_ascii_uppercase())),
                Some(&value),
                "{:?}", out
            );
        }
    }
    // ---------- names and values that would not read back (issue 11 item 7) ----------

    #[test]
    fn names_and_values_that_would_not_read_back_are_refused() {
        let text = "[default]\naws_access_key_id = MINE\n";
        let refused = |section: &str, key: &str, value: &str| {
            let mut d = IniDocument::parse(text);
            let err = d.set(section, key, value).unwrap_err();
            assert_eq!(d.render(), text, "changed on {err}");
            err.reason
        };
        assert!(refused("x]\n[work", "k", "v").contains("control"));
        assert!(refused("x\n[default]", "k", "v").contains("control"));
        assert!(refused("x]", "k", "v").contains("bracket"));
        assert!(refused("[x", "k", "v").contains("bracket"));
        assert!(refused(" x", "k", "v").contains("spaces"));
        assert!(refused("a  b", "k", "v").contains("spaces"));
        assert!(refused("", "k", "v").contains("empty"));
        assert!(refused("x", "k=", "v").contains('='));
        assert!(refused("x", " k", "v").contains("spaces"));
        assert!(refused("x", "#k", "v").contains("comment"));
        assert!(refused("x", "k", "v\n[default]").contains("control"));
        assert!(refused("x", "k", "v\r").contains("control"));
        assert!(refused("x", "k", "\u{1b}]0;title\u{7}").contains("control"));
        assert!(refused("x", "k", " v").contains("space"));
        // the properties dialect: a trailing backslash joins the next line for rust-ini
        let mut p = IniDocument::parse_properties("A=1\nB=2\n");
        let err = p.set(TOP_SECTION, "A", "C:\\dir\\").unwrap_err();
        assert!(err.reason.contains("backslash"), "{err}");
        assert!(err.to_string().contains("C:\\\\dir"), "{err}");
        p.set(TOP_SECTION, "A", "C:\\dir\\x").unwrap();
        p.set("dev", "A", "a]b [c] #d ;e").unwrap();
        let read =
            crate::settings::ConfigFile::parse(&p.render(), std::path::Path::new("c")).unwrap();
        assert_eq!(read.top().get("A").map(String::as_str), Some("C:\\dir\\x"));
        assert_eq!(read.top().get("B").map(String::as_str), Some("2"));
        let dev = read.section("dev").unwrap();
        assert_eq!(dev.get("A").map(String::as_str), Some("a]b [c] #d ;e"));
        // ~/.aws files read a trailing backslash as it is
        let mut d = IniDocument::parse(text);
        d.set("default", "k", "v\\").unwrap();
        assert_eq!(d.get("default", "k").as_deref(), Some("v\\"));
    }

    /// Names and values as a hostile assertion or a user's answer might hold them: mostly
    /// the characters INI files give meaning to.
    fn hostile_text() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => "[\\[\\]=:#;\\\\ \t\r\n\u{b}\u{c}\u{1b}\u{85}\u{2028}\u{feff}aé/.-]{0,12}",
            1 => any::<String>(),
            1 => "[A-Za-z0-9/._ -]{1,12}",
        ]
    }

    /// The other sections' values, as the reader sees them, for "nothing else changed".
    fn all_values(d: &IniDocument) -> Vec<(String, String, Option<String>)> {
        let mut values = Vec::new();
        for section in d.section_names() {
            for key in d.keys(&section) {
                let value = d.get(&section, &key);
                values.push((section.clone(), key, value));
            }
        }
        values
    }

    proptest! {
        // Bounded for CI: a few hundred cases, each a small document (well under a second).
        #![proptest_config(ProptestConfig { cases: 256, max_shrink_time: SHRINK_MS, ..ProptestConfig::default() })]

        /// Whatever we are asked to set reads back identical, or is refused and the document
        /// is unchanged; every other section and key reads as before.
        #[test]
        fn set_reads_back_identical_or_is_refused(
            text in clean_doc(),
            section in prop_oneof![prop::sample::select(SECTIONS).prop_map(String::from), hostile_text()],
            key in prop::sample::select(KEYS),
            value in hostile_text(),
        ) {
            let before = IniDocument::parse(&text);
            let mut d = before.clone();
            match d.set(&section, key, &value) {
                Err(_) => prop_assert_eq!(d.render(), text),
                Ok(()) => {
                    prop_assert_eq!(d.get(&section, key), Some(value.clone()));
                    let reparsed = IniDocument::parse(&d.render());
                    prop_assert_eq!(reparsed.get(&section, key), Some(value.clone()));
                    let others = |doc: &IniDocument| -> Vec<_> {
                        all_values(doc).into_iter()
                            .filter(|(s, k, _)| !(s == &section && k.eq_ignore_ascii_case(key)))
                            .collect()
                    };
                    prop_assert_eq!(others(&reparsed), others(&before));
                }
            }
        }

        /// The same in the properties dialect, read back by the config file's own reader
        /// (rust-ini, through `ConfigFile`).
        #[test]
        fn properties_set_reads_back_identical_or_is_refused(
            text in properties_doc(),
            section in prop_oneof![prop::sample::select(PROPERTY_SECTIONS).prop_map(String::from), hostile_text()],
            key in prop::sample::select(PROPERTY_KEYS),
            value in hostile_text(),
        ) {
            let path = std::path::Path::new("config.properties");
            let read_before = crate::settings::ConfigFile::parse(&text, path).unwrap();
            let mut d = IniDocument::parse_properties(&text);
            match d.set(&section, key, &value) {
                Err(_) => prop_assert_eq!(d.render(), text),
                Ok(()) => {
                    let out = d.render();
                    let read = crate::settings::ConfigFile::parse(&out, path)
                        .map_err(|e| TestCaseError::fail(format!("{e}: {out:?}")))?;
                    let upper = key.to_ascii_uppercase();
                    let values = |f: &crate::settings::ConfigFile, s: &str| {
                        if s == TOP_SECTION { Some(f.top().clone()) } else { f.section(s).cloned() }
                    };
                    let got = values(&read, &section).and_then(|v| v.get(&upper).cloned());
                    prop_assert_eq!(got, Some(value.clone()), "{:?}", out);
                    for other in PROPERTY_SECTIONS.iter().filter(|s| **s != section) {
                        prop_assert_eq!(values(&read, other), values(&read_before, other), "{:?}", out);
                    }
                }
            }
        }
    }
}
