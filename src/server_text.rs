//! Text a server supplied (Okta's error summaries, factor names, account aliases, AWS's
//! error messages), made safe to print: a terminal obeys escape sequences, so an answer
//! could retitle the window, recolour it or rewrite what the user sees. Applied where such
//! text enters our types, so every later print is safe.

/// `text` without control characters: C0 (ESC among them), DEL, C1 (CSI among them), and
/// the bidirectional overrides that reorder what is shown. Line breaks and tabs become
/// spaces (our messages are one line each); runs of whitespace are left as they are.
pub fn clean(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() || is_bidi_control(c) => None,
            c => Some(c),
        })
        .collect()
}

/// For serde: a string field read from a server's answer, cleaned as it is read
/// (`#[serde(deserialize_with = "crate::server_text::cleaned")]`).
pub fn cleaned<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(deserializer)?;
    Ok(clean(&text))
}

/// Unicode's explicit direction controls (embeddings, overrides, isolates, marks).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_through_cleaned_hold_no_escapes() {
        #[derive(serde::Deserialize)]
        struct Answer {
            #[serde(deserialize_with = "cleaned")]
            error_description: String,
        }
        let answer: Answer =
            serde_json::from_str(r#"{"error_description": "denied\u001b]0;owned\u0007"}"#).unwrap();
        assert_eq!(answer.error_description, "denied]0;owned");
    }

    #[test]
    fn escapes_and_control_characters_are_removed() {
        let hostile = "Authentication failed\x1b]0;owned\x07\x1b[31m red\x1b[0m\u{9b}2J\u{7f}\0";
        let cleaned = clean(hostile);
        assert_eq!(cleaned, "Authentication failed]0;owned[31m red[0m2J");
        assert!(!cleaned.chars().any(char::is_control));
    }

    #[test]
    fn line_breaks_become_spaces_and_text_stays() {
        assert_eq!(clean("two\nlines\r\tend"), "two lines  end");
        assert_eq!(
            clean("acme & co (prod) — ünïcödé"),
            "acme & co (prod) — ünïcödé"
        );
        assert_eq!(clean("abc\u{202e}fed"), "abcfed");
    }
}
