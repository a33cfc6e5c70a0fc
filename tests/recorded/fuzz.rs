//! Property tests (issue 11 item 13): hostile input never panics the parsers that read what
//! Okta and AWS answer. Inputs are arbitrary text and bytes, and the recordings mutated:
//! bytes cut, inserted and replaced, and JSON values swapped for values of another type.
//! Case counts keep the whole file to a few seconds in a debug build.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use okta_aws::aws::signin_page::parse_account_names;
use okta_aws::okta::ApiError;
use okta_aws::okta::saml_page::read_page;
use okta_aws::okta::transaction::decode_answer;
use okta_aws::saml::Assertion;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

use crate::recordings;

/// One edit of a byte string.
#[derive(Debug, Clone)]
enum Edit {
    Cut(Index, usize),
    Insert(Index, Vec<u8>),
    Replace(Index, u8),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<Index>(), 1usize..64).prop_map(|(at, len)| Edit::Cut(at, len)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Edit::Insert(at, bytes)),
        (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Edit::Replace(at, byte)),
        // Characters that matter to the formats: quotes, brackets, entities, base64.
        (
            any::<Index>(),
            prop::sample::select(&b"<>\"'&;=+/{}[],:\\#x0"[..])
        )
            .prop_map(|(at, byte)| Edit::Replace(at, byte)),
    ];
    prop::collection::vec(edit, 1..8)
}

fn mutate(original: &str, edits: &[Edit]) -> String {
    let mut bytes = original.as_bytes().to_vec();
    for edit in edits {
        let len = bytes.len().max(1);
        match edit {
            Edit::Cut(at, n) => {
                let start = at.index(len).min(bytes.len());
                let end = (start + n).min(bytes.len());
                bytes.drain(start..end);
            }
            Edit::Insert(at, new) => {
                let at = at.index(len + 1).min(bytes.len());
                bytes.splice(at..at, new.iter().copied());
            }
            Edit::Replace(at, byte) => {
                if !bytes.is_empty() {
                    let at = at.index(bytes.len());
                    bytes[at] = *byte;
                }
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Every value in a JSON document, by JSON pointer.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                pointers(child, format!("{at}/{escaped}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn json_values() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
        Just(serde_json::json!([{"id": 1}, "x", null])),
    ]
}

/// A recording with one of its values (or the whole) replaced by a value of any type.
fn swap_value(original: &str, at: Index, new: Value) -> String {
    let mut json: Value = serde_json::from_str(original).expect("recordings are JSON");
    let mut all = Vec::new();
    pointers(&json, String::new(), &mut all);
    let pointer = &all[at.index(all.len())];
    match json.pointer_mut(pointer) {
        Some(slot) => *slot = new,
        None => json = new,
    }
    json.to_string()
}

/// What the login does with a decoded answer: none of it may panic.
fn use_answer(status: u16, reset_at: Option<u64>, text: &str) {
    match decode_answer(status, reset_at, text) {
        Ok(t) => {
            for factor in t.factors() {
                assert!(!factor.choice_name().is_empty());
            }
            let _ = t
                .challenge_factor()
                .and_then(|f| f.pointer("/_embedded/challenge/correctAnswer"))
                .and_then(Value::as_u64);
            for name in ["next", "cancel", "prev", "skip", "resend"] {
                let _ = t.link(name);
            }
        }
        Err(e) => match ApiError::of(&e) {
            Some(api) => assert!(!api.to_user_error().cause.is_empty()),
            None => assert!(!e.to_string().is_empty()),
        },
    }
}

fn texts(kind: &str) -> Vec<String> {
    recordings::all(kind).into_iter().map(|(_, t)| t).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn saml_parser_takes_any_text(text in ".{0,300}") {
        let _ = Assertion::parse(&text);
    }

    #[test]
    fn saml_parser_takes_any_decoded_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = Assertion::parse(&STANDARD.encode(&bytes));
    }

    #[test]
    fn saml_parser_takes_mutated_recordings(pick in any::<Index>(), edits in edits()) {
        let all = texts("saml");
        let xml = mutate(&all[pick.index(all.len())], &edits);
        if let Ok(assertion) = Assertion::parse(&STANDARD.encode(&xml)) {
            for role in &assertion.roles {
                let arn = &role.role_arn;
                let _ = (arn.account(), arn.name(), arn.partition(), arn.short());
            }
        }
    }

    #[test]
    fn sign_in_page_parser_takes_any_text(text in ".{0,400}") {
        let _ = parse_account_names(&text);
    }

    #[test]
    fn sign_in_page_parser_takes_mutated_recordings(pick in any::<Index>(), edits in edits()) {
        let all = texts("aws-signin");
        let _ = parse_account_names(&mutate(&all[pick.index(all.len())], &edits));
    }

    #[test]
    fn sign_in_page_parser_takes_any_meta_data(
        content in prop_oneof![
            ".{0,200}",
            prop::collection::vec(any::<u8>(), 0..200).prop_map(|b| STANDARD.encode(b)),
        ],
    ) {
        let page = format!(r#"<html><head><meta name="data" content="{}"></head></html>"#,
            content.replace('"', "&quot;"));
        let _ = parse_account_names(&page);
    }

    #[test]
    fn sign_in_page_parser_takes_meta_data_of_any_shape(at in any::<Index>(), new in json_values()) {
        let data = r#"{"invalid_accounts":{},"RelayState":"","name":null,
            "roles_accounts":{"testaccount1 (012345678901)":["arn:aws:iam::012345678901:role/a"],
            "987654321987":["arn:aws:iam::987654321987:role/b"]},"foreign_accounts":{},
            "region":"IAD","portal":null,"SAMLResponse":"PHg+","problems":"{}","policy":null}"#;
        let page = format!(r#"<meta name="data" content="{}">"#,
            STANDARD.encode(swap_value(data, at, new)));
        let _ = parse_account_names(&page);
    }

    #[test]
    fn app_page_reader_takes_any_text(status in any::<u16>(), path in ".{0,40}", text in ".{0,400}") {
        let _ = read_page(status, &path, &text);
    }

    #[test]
    fn app_page_reader_takes_mutated_recordings(pick in any::<Index>(), edits in edits()) {
        let all = texts("okta-pages");
        let page = mutate(&all[pick.index(all.len())], &edits);
        if let okta_aws::okta::saml_page::PageOutcome::Saml(form) =
            read_page(200, "/home/amazon_aws/x/272", &page)
        {
            let _ = Assertion::parse(&form.saml_response);
        }
    }

    #[test]
    fn okta_answers_of_any_text_decode_or_explain(
        status in prop_oneof![Just(200u16), Just(401), Just(429), any::<u16>()],
        reset_at in any::<Option<u64>>(),
        text in ".{0,300}",
    ) {
        use_answer(status, reset_at, &text);
    }

    #[test]
    fn okta_answers_mutated_byte_wise_decode_or_explain(pick in any::<Index>(), edits in edits()) {
        let mut all = texts("okta-authn");
        all.extend(texts("okta-errors"));
        let text = mutate(&all[pick.index(all.len())], &edits);
        use_answer(200, None, &text);
        use_answer(403, Some(u64::MAX), &text);
    }

    #[test]
    fn okta_answers_with_values_of_any_type_decode_or_explain(
        pick in any::<Index>(),
        at in any::<Index>(),
        new in json_values(),
    ) {
        let mut all = texts("okta-authn");
        all.extend(texts("okta-errors"));
        let text = swap_value(&all[pick.index(all.len())], at, new);
        use_answer(200, None, &text);
        use_answer(429, Some(0), &text);
    }
}
