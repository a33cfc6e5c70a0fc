//! The Okta round trips of a login, as the fake saw them: a cold TOTP login is authn →
//! verify → the app link with the one-time token (which starts the Okta session), and only
//! then `sessions/me` (concurrently with STS); with the Okta session live, the app link is
//! the only Okta request.

use crate::harness::*;

/// Okta's requests: `/aws/saml` is the fake's stand-in for AWS's sign-in page (read for
/// account names beside STS), not Okta.
fn okta_requests(s: &Sandbox) -> Vec<String> {
    s.okta
        .requests()
        .iter()
        .filter(|r| r.path != "/aws/saml")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn a_cold_totp_login_takes_three_okta_round_trips_before_sts() {
    let mut s = Sandbox::new(scenario(
        user_with(vec![Factor::totp("OKTA", "123456")]),
        two_roles(),
    ));
    s.set("OKTA_MFA_CODE", Some("123456"))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"))
        .set("OKTA_ENV_MODE", Some("true"));
    s.run("okta-aws", &["exec", "--", "true"]).success();
    let requests = okta_requests(&s);
    assert_eq!(requests.len(), 4, "{requests:#?}");
    assert_eq!(requests[0], "POST /api/v1/authn");
    assert!(
        requests[1].starts_with("POST /api/v1/authn/factors/") && requests[1].ends_with("/verify"),
        "{requests:#?}"
    );
    assert!(
        requests[2].starts_with("GET /home/amazon_aws/"),
        "{requests:#?}"
    );
    assert!(
        s.okta.requests()[2].query.contains("onetimetoken="),
        "the app link starts the session itself"
    );
    assert_eq!(requests[3], "GET /api/v1/sessions/me", "after the app link");

    // The Okta session's expiry was learned and kept: `status` shows it from the cache.
    let status = s.run("okta-aws", &["status"]);
    status.success();

    // With the Okta session live, a new AWS session costs one Okta request.
    let before = okta_requests(&s).len();
    s.set("OKTA_AWS_MIN_TTL", Some("100000"));
    s.run("okta-aws", &["exec", "--", "true"]).success();
    let after = okta_requests(&s)[before..].to_vec();
    assert_eq!(after.len(), 1, "{after:#?}");
    assert!(after[0].starts_with("GET /home/amazon_aws/"), "{after:#?}");
}
