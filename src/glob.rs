//! Wildcard matching as IAM and users write it: `*` any run of characters, `?` one
//! character, case-insensitive. Used for IAM policy resources and for `--role` globs.

/// Whether `value` matches `pattern`.
pub fn matches(pattern: &str, value: &str) -> bool {
    let pattern: Vec<char> = pattern.to_lowercase().chars().collect();
    let value: Vec<char> = value.to_lowercase().chars().collect();
    let (mut p, mut v) = (0, 0);
    // Where the last `*` was, and the value position it currently stands for up to.
    let mut star: Option<(usize, usize)> = None;
    while v < value.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, v));
                p += 1;
            }
            Some(&c) if c == '?' || c == value[v] => {
                p += 1;
                v += 1;
            }
            _ => match star {
                // Let the last `*` swallow one more character and retry from there.
                Some((star_p, star_v)) => {
                    star = Some((star_p, star_v + 1));
                    p = star_p + 1;
                    v = star_v + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// Whether `text` is a pattern rather than a plain name.
pub fn is_pattern(text: &str) -> bool {
    text.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_questions_and_case() {
        assert!(matches("prod-*/Admin", "prod-eu/admin"));
        assert!(matches("*", ""));
        assert!(matches("a?c", "ABC"));
        assert!(!matches("a?c", "ac"));
        assert!(matches("*/Dev*", "111111111111/Developer"));
        assert!(!matches("prod-*/Admin", "dev-eu/Admin"));
        assert!(is_pattern("x*") && !is_pattern("x"));
    }
}
