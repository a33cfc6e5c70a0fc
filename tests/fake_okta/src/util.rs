//! Small helpers: random identifiers, Okta-style timestamps, escaping.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A 64-bit random number. Tokens of a test fake need to be unpredictable enough
/// not to collide, not to be secure: std's `RandomState` is randomly keyed per
/// process, and a counter makes every call different.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish()
}

/// `prefix` followed by `len` random letters and digits, like Okta's ids.
pub fn random_id(prefix: &str, len: usize) -> String {
    let mut id = String::with_capacity(prefix.len() + len);
    id.push_str(prefix);
    for _ in 0..len {
        let index = (random_u64() % ALNUM.len() as u64) as usize;
        id.push(ALNUM[index] as char);
    }
    id
}

pub fn epoch_seconds(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}

/// `now + offset` as Okta writes times: `2024-05-01T12:00:00.000Z`.
pub fn iso_in(offset: Duration) -> String {
    iso(SystemTime::now() + offset)
}

pub fn iso_ago(offset: Duration) -> String {
    iso(SystemTime::now() - offset)
}

pub fn iso(at: SystemTime) -> String {
    let since_epoch = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since_epoch.as_secs();
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let day_secs = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        day_secs / 3600,
        day_secs / 60 % 60,
        day_secs % 60,
        since_epoch.subsec_millis()
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian
/// calendar (Howard Hinnant's algorithm), to avoid a date crate.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// OWASP HTML attribute encoding, as Okta applies it to the SAML form:
/// everything but ASCII letters, digits and `,.-_` becomes `&#xHH;`.
pub fn attr_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 2);
    for c in value.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, ',' | '.' | '-' | '_') {
            out.push(c);
        } else {
            out.push_str(&format!("&#x{:x};", c as u32));
        }
    }
    out
}

/// Escapes text for XML element content and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query parameter value (RFC 3986 unreserved kept).
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates() {
        assert_eq!(iso(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap = UNIX_EPOCH + Duration::from_millis(1_709_210_096_789);
        assert_eq!(iso(leap), "2024-02-29T12:34:56.789Z");
    }

    #[test]
    fn encodes_attributes_like_okta() {
        assert_eq!(
            attr_encode("https://signin.aws.amazon.com/saml"),
            "https&#x3a;&#x2f;&#x2f;signin.aws.amazon.com&#x2f;saml"
        );
        assert_eq!(attr_encode("ab+c="), "ab&#x2b;c&#x3d;");
    }

    #[test]
    fn ids_have_prefix_and_length() {
        let id = random_id("opf", 17);
        assert!(id.starts_with("opf"));
        assert_eq!(id.len(), 20);
        assert_ne!(random_id("", 20), random_id("", 20));
    }
}
