//! IAM identity policies → the roles they let their holder assume (`sts:AssumeRole`).
//!
//! Pure: no I/O. `iam.rs` fetches the documents; this file decides what they grant.
//!
//! The rules, and why:
//! * Only `Effect: Allow` statements with an `Action` list matching `sts:AssumeRole` and a
//!   concrete role ARN in `Resource` give targets. Wildcard resources (`*`,
//!   `arn:aws:iam::*:role/*`, `role/Dev?`, `role/${aws:username}`) name no particular role,
//!   and `NotAction` / `NotResource` allows are the "everything but" shapes of broad
//!   policies: we cannot list what they cover, so the user names the role by hand.
//! * An `Allow` with a `Condition` still counts: the condition (MFA, source IP, tags) may
//!   well hold, and if it does not, STS says so clearly when the role is assumed. Hiding a
//!   usable role would be worse than offering one that fails with a clear message.
//! * A `Deny` removes every target its resources cover, read with IAM's `*`/`?` globs, and
//!   `NotAction` / `NotResource` denies are evaluated exactly (they deny the complement).
//!   A `Deny` with a `Condition` removes nothing, for the same reason an allow with one
//!   counts: we cannot evaluate the condition, and it may not apply.
//! * Statements with `Principal` / `NotPrincipal` belong to trust or resource policies,
//!   not to the identity's permissions: ignored.
//! * The role's own ARN is never a target; the result keeps the order in which targets
//!   first appear, without duplicates (role names are case-insensitive in IAM).

use serde_json::Value;

use crate::arn::RoleArn;

/// The action whose grants we look for, lower-cased (IAM actions are case-insensitive).
const ASSUME_ROLE: &str = "sts:assumerole";

/// Why a policy document could not be read.
#[derive(Debug)]
pub enum PolicyError {
    /// A `%` not followed by two hex digits.
    BadPercentEncoding,
    /// The decoded bytes are not UTF-8.
    NotUtf8,
    /// Not JSON at all.
    Json(serde_json::Error),
    /// JSON, but not an object (`{…}`), so not a policy.
    NotAnObject,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyError::BadPercentEncoding => f.write_str("bad URL encoding"),
            PolicyError::NotUtf8 => f.write_str("not UTF-8 once URL-decoded"),
            PolicyError::Json(e) => write!(f, "not valid JSON: {e}"),
            PolicyError::NotAnObject => f.write_str("not a JSON object"),
        }
    }
}

impl std::error::Error for PolicyError {}

/// A policy document as IAM returns it: URL-encoded (AWS always, moto for some calls) or
/// plain JSON (moto's GetPolicyVersion). A JSON policy starts with `{`, an encoded one with
/// `%7B`, so decode only when it does not start with `{`.
pub fn decode_policy_document(raw: &str) -> Result<Value, PolicyError> {
    let raw = raw.trim();
    let decoded;
    let text = if raw.starts_with('{') {
        raw
    } else {
        decoded = percent_decode(raw)?;
        decoded.as_str()
    };
    match serde_json::from_str::<Value>(text).map_err(PolicyError::Json)? {
        object @ Value::Object(_) => Ok(object),
        _ => Err(PolicyError::NotAnObject),
    }
}

/// RFC 3986 percent-decoding. Unlike form decoding, `+` stays `+`: IAM encodes a space as
/// `%20`, and a literal `+` (in a condition value, say) must survive.
fn percent_decode(s: &str) -> Result<String, PolicyError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .ok_or(PolicyError::BadPercentEncoding)?;
            let hex = std::str::from_utf8(hex).map_err(|_| PolicyError::BadPercentEncoding)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| PolicyError::BadPercentEncoding)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PolicyError::NotUtf8)
}

/// The concrete role ARNs that `documents` (all the identity policies of one role, decoded)
/// allow that role to assume, minus those any of them deny, minus `own_role_arn`.
pub fn assumable_roles(documents: &[Value], own_role_arn: &str) -> Vec<String> {
    // Statements that say nothing about sts:AssumeRole cannot grant or deny it.
    let statements: Vec<Statement> = documents
        .iter()
        .flat_map(statements_of)
        .filter_map(Statement::parse)
        .filter(Statement::covers_assume_role)
        .collect();
    let mut targets: Vec<String> = Vec::new();
    for statement in statements.iter().filter(|s| s.effect == Effect::Allow) {
        for arn in statement.concrete_targets() {
            let seen = targets.iter().any(|t| same_role(t, arn));
            if !seen && !same_role(arn, own_role_arn) {
                targets.push(arn.to_string());
            }
        }
    }
    // Deny wins over Allow wherever it appears, in any of the role's policies.
    targets.retain(|target| !statements.iter().any(|s| s.denies(target)));
    targets
}

/// `Statement` is an object or an array of them; anything else holds no statements.
fn statements_of(document: &Value) -> Vec<&Value> {
    match document.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(object @ Value::Object(_)) => vec![object],
        _ => Vec::new(),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
}

/// An `Action`/`NotAction` or `Resource`/`NotResource` element.
#[derive(Debug)]
enum Patterns<'a> {
    Listed(Vec<&'a str>),
    AllBut(Vec<&'a str>),
}

impl Patterns<'_> {
    /// Whether the element covers `value`, with IAM's `*`/`?` globs.
    fn covers(&self, value: &str) -> bool {
        match self {
            Patterns::Listed(patterns) => patterns.iter().any(|p| glob_match(p, value)),
            Patterns::AllBut(patterns) => !patterns.iter().any(|p| glob_match(p, value)),
        }
    }
}

#[derive(Debug)]
struct Statement<'a> {
    effect: Effect,
    actions: Patterns<'a>,
    resources: Patterns<'a>,
    conditional: bool,
}

impl<'a> Statement<'a> {
    /// An identity-policy statement, or `None` for trust-policy statements and shapes IAM
    /// would reject (no Effect, no Action, both Action and NotAction, …).
    fn parse(value: &'a Value) -> Option<Statement<'a>> {
        let object = value.as_object()?;
        if object.contains_key("Principal") || object.contains_key("NotPrincipal") {
            return None;
        }
        let effect = match object.get("Effect")?.as_str()? {
            e if e.eq_ignore_ascii_case("Allow") => Effect::Allow,
            e if e.eq_ignore_ascii_case("Deny") => Effect::Deny,
            _ => return None,
        };
        Some(Statement {
            effect,
            actions: patterns(object, "Action", "NotAction")?,
            resources: patterns(object, "Resource", "NotResource")?,
            conditional: object.get("Condition").is_some_and(|c| !is_empty(c)),
        })
    }

    fn covers_assume_role(&self) -> bool {
        self.actions.covers(ASSUME_ROLE)
    }

    /// The role ARNs an Allow names outright (see the module comment for what is left out).
    fn concrete_targets(&self) -> Vec<&'a str> {
        match (&self.actions, &self.resources) {
            (Patterns::Listed(_), Patterns::Listed(resources)) => resources
                .iter()
                .copied()
                .filter(|r| is_concrete_role_arn(r))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether this is an unconditional Deny of sts:AssumeRole on `target`.
    fn denies(&self, target: &str) -> bool {
        self.effect == Effect::Deny && !self.conditional && self.resources.covers(target)
    }
}

/// The element `listed` or its negation `all_but`; exactly one must be present.
fn patterns<'a>(
    object: &'a serde_json::Map<String, Value>,
    listed: &str,
    all_but: &str,
) -> Option<Patterns<'a>> {
    match (object.get(listed), object.get(all_but)) {
        (Some(v), None) => Some(Patterns::Listed(strings(v))),
        (None, Some(v)) => Some(Patterns::AllBut(strings(v))),
        _ => None,
    }
}

/// A string or an array of strings (other array items are ignored).
fn strings(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME` with no wildcard or policy variable.
fn is_concrete_role_arn(arn: &str) -> bool {
    if arn.contains(['*', '?']) || arn.contains("${") {
        return false;
    }
    RoleArn::parse(arn).is_some_and(|role| {
        let account = role.account();
        role.partition().starts_with("aws")
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
    })
}

/// IAM role names are unique case-insensitively, so ARNs differing in case are one role.
fn same_role(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// IAM's wildcard match: `*` any run of characters, `?` one character, case-insensitive.
/// Case-insensitive and with `*` free to cross `:` and `/`, it is never narrower than IAM's
/// own ARN matching, so a Deny always removes what it might cover. A policy variable
/// (`${aws:username}`) is unknown to us, so it matches like `*`.
fn glob_match(pattern: &str, value: &str) -> bool {
    crate::glob::matches(&replace_policy_variables(pattern), value)
}

/// `${…}` → `*`; an unterminated `${` is left as it is.
fn replace_policy_variables(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push('*');
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OWN: &str = "arn:aws:iam::111111111111:role/Developer";
    const PROD: &str = "arn:aws:iam::222222222222:role/Admin";
    const PROD_RO: &str = "arn:aws:iam::222222222222:role/ReadOnly";
    const STAGE: &str = "arn:aws:iam::333333333333:role/Deployer";

    /// One real-world policy shape and the targets it should give.
    struct Case {
        name: &'static str,
        documents: Vec<Value>,
        want: Vec<&'static str>,
    }

    fn case(name: &'static str, documents: Vec<Value>, want: Vec<&'static str>) -> Case {
        Case {
            name,
            documents,
            want,
        }
    }

    fn allow(action: Value, resource: Value) -> Value {
        json!({"Version": "2012-10-17",
               "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
    }

    fn cases() -> Vec<Case> {
        vec![
            // The AWS IAM User Guide's "grant a user permission to switch roles" example.
            case(
                "aws docs: Statement as an object",
                vec![json!({"Version": "2012-10-17", "Statement": {
                    "Effect": "Allow", "Action": "sts:AssumeRole",
                    "Resource": "arn:aws:iam::222222222222:role/Admin"}})],
                vec![PROD],
            ),
            // What Terraform's jsonencode(aws_iam_policy_document) writes: Sids, arrays of one.
            case(
                "terraform: Sid, arrays, role path",
                vec![json!({"Version": "2012-10-17", "Statement": [{
                    "Sid": "AssumeDeployer", "Effect": "Allow", "Action": ["sts:AssumeRole"],
                    "Resource": ["arn:aws:iam::333333333333:role/teams/ci/Deployer"]}]})],
                vec!["arn:aws:iam::333333333333:role/teams/ci/Deployer"],
            ),
            case(
                "multiple statements, one target each, in order",
                vec![json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": STAGE},
                    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": PROD}]})],
                vec![STAGE, PROD],
            ),
            case(
                "Action array among other actions",
                vec![allow(
                    json!(["sts:GetCallerIdentity", "sts:AssumeRole", "sts:TagSession"]),
                    json!(PROD),
                )],
                vec![PROD],
            ),
            case(
                "mixed case action",
                vec![allow(json!("STS:assumerole"), json!(PROD))],
                vec![PROD],
            ),
            case(
                "sts:Assume*",
                vec![allow(json!("sts:Assume*"), json!(PROD))],
                vec![PROD],
            ),
            case(
                "sts:*",
                vec![allow(json!("sts:*"), json!(PROD))],
                vec![PROD],
            ),
            case("Action *", vec![allow(json!("*"), json!(PROD))], vec![PROD]),
            case(
                "sts:Assume?ole",
                vec![allow(json!("sts:Assume?ole"), json!(PROD))],
                vec![PROD],
            ),
            // AssumeRoleWithSAML / WithWebIdentity are other actions: no AssumeRole grant.
            case(
                "sts:AssumeRoleWithSAML and sts:AssumeRoleWith* do not grant AssumeRole",
                vec![allow(
                    json!(["sts:AssumeRoleWithSAML", "sts:AssumeRoleWith*"]),
                    json!(PROD),
                )],
                vec![],
            ),
            case(
                "AdministratorAccess: * on * names no role",
                vec![allow(json!("*"), json!("*"))],
                vec![],
            ),
            case(
                "wildcard-only resources",
                vec![allow(
                    json!("sts:AssumeRole"),
                    json!([
                        "*",
                        "arn:aws:iam::*:role/*",
                        "arn:aws:iam::222222222222:role/*",
                        "arn:aws:iam::222222222222:role/Dev?",
                        "arn:aws:iam::222222222222:role/${aws:username}"
                    ]),
                )],
                vec![],
            ),
            case(
                "resource list mixing wildcards and concrete ARNs",
                vec![allow(
                    json!("sts:AssumeRole"),
                    json!([
                        "arn:aws:iam::*:role/OrganizationAccountAccessRole",
                        STAGE,
                        "arn:aws:iam::222222222222:role/*",
                        PROD
                    ]),
                )],
                vec![STAGE, PROD],
            ),
            case(
                "Allow NotAction is not a source of targets",
                vec![json!({"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "NotAction": ["iam:*", "organizations:*"],
                    "Resource": PROD}]})],
                vec![],
            ),
            case(
                "Allow NotResource is not a source of targets",
                vec![json!({"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": "sts:AssumeRole", "NotResource": PROD}]})],
                vec![],
            ),
            case(
                "Deny by exact ARN overrides Allow",
                vec![json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [PROD, STAGE]},
                    {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": PROD}]})],
                vec![STAGE],
            ),
            case(
                "Deny by wildcard ARN removes the whole account",
                vec![json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole",
                     "Resource": [PROD, STAGE, PROD_RO]},
                    {"Effect": "Deny", "Action": "sts:*",
                     "Resource": "arn:aws:iam::222222222222:role/*"}]})],
                vec![STAGE],
            ),
            case(
                "Deny written before the Allow, differently cased",
                vec![json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Deny", "Action": "STS:AssumeRole",
                     "Resource": "arn:aws:iam::222222222222:role/admin"},
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [PROD, STAGE]}]})],
                vec![STAGE],
            ),
            case(
                "Deny * on * removes everything",
                vec![json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [PROD, STAGE]},
                    {"Effect": "Deny", "Action": "*", "Resource": "*"}]})],
                vec![],
            ),
            case(
                "Deny of other actions removes nothing",
                vec![json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": PROD},
                    {"Effect": "Deny", "Action": ["iam:PassRole", "sts:AssumeRoleWithSAML"],
                     "Resource": "*"}]})],
                vec![PROD],
            ),
            case(
                "Deny NotAction sts:AssumeRole keeps AssumeRole",
                vec![json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": PROD},
                    {"Effect": "Deny", "NotAction": "sts:AssumeRole", "Resource": "*"}]})],
                vec![PROD],
            ),
            case(
                "Deny NotAction of other services denies AssumeRole too",
                vec![json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": PROD},
                    {"Effect": "Deny", "NotAction": ["iam:*", "s3:*"], "Resource": "*"}]})],
                vec![],
            ),
            case(
                "Deny NotResource removes all but the excepted roles",
                vec![json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole",
                     "Resource": [PROD, STAGE, PROD_RO]},
                    {"Effect": "Deny", "Action": "sts:AssumeRole",
                     "NotResource": ["arn:aws:iam::333333333333:role/*", PROD_RO]}]})],
                vec![STAGE, PROD_RO],
            ),
            // We cannot evaluate conditions: a conditional Deny may not apply, so it keeps
            // the target; a conditional Allow may apply, so it gives one.
            case(
                "Deny with a Condition removes nothing",
                vec![json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": PROD},
                    {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*",
                     "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]})],
                vec![PROD],
            ),
            case(
                "Allow with a Condition counts",
                vec![json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": PROD,
                     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]})],
                vec![PROD],
            ),
            case(
                "Deny with an empty Condition is unconditional",
                vec![json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": PROD},
                    {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": PROD,
                     "Condition": {}}]})],
                vec![],
            ),
            // The role's own trust policy: Principal-bearing statements grant nothing.
            case(
                "trust policy statements (Principal) are ignored",
                vec![json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow",
                     "Principal": {"Federated": "arn:aws:iam::111111111111:saml-provider/Okta"},
                     "Action": "sts:AssumeRoleWithSAML",
                     "Condition": {"StringEquals":
                        {"SAML:aud": "https://signin.aws.amazon.com/saml"}}},
                    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
                     "Action": "sts:AssumeRole", "Resource": PROD},
                    {"Effect": "Deny", "NotPrincipal": {"AWS": OWN},
                     "Action": "sts:AssumeRole", "Resource": STAGE},
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": STAGE}]})],
                vec![STAGE],
            ),
            case(
                "other services' actions on role ARNs are ignored",
                vec![allow(
                    json!(["iam:PassRole", "iam:GetRole", "sts:TagSession"]),
                    json!([PROD, STAGE]),
                )],
                vec![],
            ),
            case(
                "resources that are not roles are ignored",
                vec![allow(
                    json!("sts:AssumeRole"),
                    json!([
                        "arn:aws:iam::222222222222:user/bob",
                        "arn:aws:sts::222222222222:assumed-role/Admin/bob",
                        "arn:aws:iam::2222:role/Short",
                        "arn:aws:iam::222222222222:role/",
                        "Admin",
                        PROD
                    ]),
                )],
                vec![PROD],
            ),
            case(
                "own role excluded, duplicates (any case) kept once",
                vec![json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [OWN, PROD]},
                    {"Effect": "Allow", "Action": "sts:*",
                     "Resource": ["arn:aws:iam::222222222222:role/ADMIN", STAGE, PROD]}]})],
                vec![PROD, STAGE],
            ),
            case(
                "other partitions",
                vec![allow(
                    json!("sts:AssumeRole"),
                    json!([
                        "arn:aws-cn:iam::444444444444:role/China",
                        "arn:aws-us-gov:iam::555555555555:role/Gov"
                    ]),
                )],
                vec![
                    "arn:aws-cn:iam::444444444444:role/China",
                    "arn:aws-us-gov:iam::555555555555:role/Gov",
                ],
            ),
            case(
                "several documents: a Deny in one removes an Allow of another",
                vec![
                    allow(json!("sts:AssumeRole"), json!([PROD, STAGE])),
                    allow(json!("sts:AssumeRole"), json!(PROD_RO)),
                    json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny",
                        "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::333333333333:*"}}),
                ],
                vec![PROD, PROD_RO],
            ),
            case(
                "odd shapes are skipped, not fatal",
                vec![
                    json!({"Version": "2012-10-17", "Statement": "sts:AssumeRole"}),
                    json!({"Version": "2012-10-17"}),
                    json!({"Statement": [
                        42,
                        {"Action": "sts:AssumeRole", "Resource": PROD},
                        {"Effect": "Maybe", "Action": "sts:AssumeRole", "Resource": PROD},
                        {"Effect": "Allow", "Resource": PROD},
                        {"Effect": "Allow", "Action": "sts:AssumeRole", "NotAction": "s3:*",
                         "Resource": PROD},
                        {"Effect": "Allow", "Action": [7, "sts:AssumeRole"],
                         "Resource": [null, STAGE]}]}),
                ],
                vec![STAGE],
            ),
        ]
    }

    #[test]
    fn policy_shapes() {
        let cases = cases();
        assert!(cases.len() >= 15);
        for c in cases {
            assert_eq!(
                assumable_roles(&c.documents, OWN),
                c.want,
                "case: {}",
                c.name
            );
        }
    }

    #[test]
    fn no_documents_no_targets() {
        assert!(assumable_roles(&[], OWN).is_empty());
    }

    #[test]
    fn decodes_plain_and_url_encoded_documents() {
        let plain = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::222222222222:role/Admin"}}"#;
        // As GetRolePolicy answers on AWS: Python's quote(), spaces as %20, `/` kept.
        let encoded = "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Action%22%3A%20%22sts%3AAssumeRole%22%2C%20%22Resource%22%3A%20%22arn%3Aaws%3Aiam%3A%3A222222222222%3Arole/Admin%22%7D%7D";
        let from_plain = decode_policy_document(plain).unwrap();
        assert_eq!(decode_policy_document(encoded).unwrap(), from_plain);
        assert_eq!(
            decode_policy_document(&format!("\n  {plain}  \n")).unwrap(),
            from_plain
        );
        assert_eq!(assumable_roles(&[from_plain], OWN), vec![PROD]);
    }

    #[test]
    fn plus_is_not_a_space() {
        let doc = decode_policy_document("%7B%22Sid%22%3A%22a+b%20c%22%7D").unwrap();
        assert_eq!(doc["Sid"], "a+b c");
        // Lower-case hex is fine too.
        let doc = decode_policy_document("%7b%22Sid%22%3a%22x%22%7d").unwrap();
        assert_eq!(doc["Sid"], "x");
    }

    #[test]
    fn malformed_documents_are_errors() {
        for (raw, want) in [
            ("%7B%22a%22%3A1%7", "bad URL encoding"),
            ("%7B%zz%7D", "bad URL encoding"),
            ("%7B%22%FF%22%3A1%7D", "not UTF-8"),
            ("{\"Version\": ", "not valid JSON"),
            ("%7B%22Version%22%3A", "not valid JSON"),
            ("", "not valid JSON"),
            ("Version=2012-10-17", "not valid JSON"),
            ("%5B%5D", "not a JSON object"),
            ("\"text\"", "not a JSON object"),
        ] {
            let err = decode_policy_document(raw).unwrap_err().to_string();
            assert!(err.contains(want), "{raw:?}: {err}");
        }
    }

    #[test]
    fn glob_semantics() {
        for (pattern, value, want) in [
            ("*", "anything:at/all", true),
            ("*", "", true),
            ("", "", true),
            ("", "x", false),
            ("sts:Assume*", "sts:assumerole", true),
            ("sts:AssumeRoleWith*", "sts:assumerole", false),
            ("sts:AssumeRole", "sts:assumerolewithsaml", false),
            ("sts:?ssumeRole", "sts:assumerole", true),
            ("sts:?ssumeRole", "sts:ssumerole", false),
            ("*:*Role", "sts:assumerole", true),
            ("arn:aws:iam::*:role/*", PROD, true),
            ("arn:aws:iam::222222222222:role/*", STAGE, false),
            ("arn:aws:iam::222222222222:role/A*n", PROD, true),
            ("arn:aws:iam::222222222222:role/A*x", PROD, false),
            ("arn:aws:iam::222222222222:role/**", PROD, true),
            ("arn:aws:iam::222222222222:role/${aws:username}", PROD, true),
            (
                "arn:aws:iam::${aws:PrincipalAccount}:role/Admin",
                STAGE,
                false,
            ),
            ("arn:aws:iam::222222222222:role/${unterminated", PROD, false),
        ] {
            assert_eq!(glob_match(pattern, value), want, "{pattern} vs {value}");
        }
    }

    #[test]
    fn concrete_role_arns() {
        assert!(is_concrete_role_arn(PROD));
        assert!(is_concrete_role_arn("arn:aws:iam::222222222222:role/a/b/C"));
        for arn in [
            "arn:aws:iam::222222222222:role/*",
            "arn:aws:iam::22222222222x:role/A",
            "arn:aws:iam:us-east-1:222222222222:role/A",
            "arn:aws:iam::222222222222:role/path/",
            "arn:aws:iam::222222222222:policy/A",
            "arn:aws:s3:::bucket",
            "nonsense",
        ] {
            assert!(!is_concrete_role_arn(arn), "{arn}");
        }
    }
}
