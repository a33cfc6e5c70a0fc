//! SAML Responses with the AWS Role attribute, from Okta, ADFS and others.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use okta_aws::saml::Assertion;

use crate::recordings;

struct Expected {
    file: &'static str,
    /// (role ARN, SAML provider ARN) in the assertion's order.
    roles: &'static [(&'static str, &'static str)],
    duration: Option<i32>,
    name_id: &'static str,
}

const OKTA_IDP_987: &str = "arn:aws:iam::987654321987:saml-provider/OKTA-IDP";
const OKTA_IDP_012: &str = "arn:aws:iam::012345678901:saml-provider/OKTA-IDP";
const ADFS: &str = "arn:aws:iam::123123123123:saml-provider/ExampleADFS";
const OKTA_000: &str = "arn:aws:iam::000000000000:saml-provider/OKTA";

const EXPECTED: &[Expected] = &[
    Expected {
        file: "aws-okta-two-roles-both-orders.xml",
        roles: &[
            (
                "arn:aws:iam::000000000000:role/clowns.are.scary.samlrole",
                OKTA_000,
            ),
            (
                "arn:aws:iam::000000000000:role/sharks.are.friends.samlrole",
                OKTA_000,
            ),
        ],
        duration: None,
        name_id: "userName",
    },
    Expected {
        file: "okta-five-roles-from-aws-page.xml",
        roles: &[
            ("arn:aws:iam::987654321987:role/testrole3", OKTA_IDP_987),
            ("arn:aws:iam::987654321987:role/testrole4", OKTA_IDP_987),
            ("arn:aws:iam::987654321987:role/testrole5", OKTA_IDP_987),
            ("arn:aws:iam::012345678901:role/testrole1", OKTA_IDP_012),
            ("arn:aws:iam::012345678901:role/testrole2", OKTA_IDP_012),
        ],
        duration: Some(3600),
        name_id: "john.doe@example.com",
    },
    Expected {
        file: "okta-one-role-28800.xml",
        roles: &[(
            "arn:aws:iam::111122223333:role/example_engineering_admin",
            "arn:aws:iam::111122223333:saml-provider/Okta",
        )],
        duration: Some(28800),
        name_id: "user@example.com",
    },
    Expected {
        file: "saml2aws-adfs-two-roles.xml",
        roles: &[
            (
                "arn:aws:iam::123123123123:role/AWS-Admin-CloudOPSBuild",
                ADFS,
            ),
            (
                "arn:aws:iam::123123123123:role/AWS-Admin-CloudOPSNonProd",
                ADFS,
            ),
        ],
        duration: None,
        name_id: "EXAMPLE\\user",
    },
];

#[test]
fn every_recorded_assertion_gives_its_roles_duration_and_name_id() {
    let files: Vec<&str> = EXPECTED.iter().map(|e| e.file).collect();
    recordings::assert_covered("saml", &files);
    for expected in EXPECTED {
        let xml = recordings::one("saml", expected.file);
        let assertion = Assertion::parse(&STANDARD.encode(&xml))
            .unwrap_or_else(|e| panic!("{}: {e}", expected.file));
        let roles: Vec<(&str, &str)> = assertion
            .roles
            .iter()
            .map(|r| (r.role_arn.as_str(), r.provider_arn.as_str()))
            .collect();
        assert_eq!(roles, expected.roles, "{}", expected.file);
        assert_eq!(
            assertion.session_duration, expected.duration,
            "{}",
            expected.file
        );
        assert_eq!(
            assertion.name_id.as_deref(),
            Some(expected.name_id),
            "{}",
            expected.file
        );
    }
}

#[test]
fn recorded_assertions_read_alike_wrapped_in_lines() {
    // Some IdPs and proxies wrap base64 at 76 columns, with CRLF.
    for expected in EXPECTED {
        let b64 = STANDARD.encode(recordings::one("saml", expected.file));
        let wrapped: String = b64
            .as_bytes()
            .chunks(76)
            .map(|line| format!("{}\r\n", String::from_utf8_lossy(line)))
            .collect();
        let assertion = Assertion::parse(&wrapped).expect(expected.file);
        assert_eq!(
            assertion.roles.len(),
            expected.roles.len(),
            "{}",
            expected.file
        );
        assert_eq!(
            assertion.base64, b64,
            "passed on to STS without the line breaks"
        );
    }
}

#[test]
fn a_recorded_assertion_cut_short_is_refused() {
    let xml = recordings::one("saml", "okta-one-role-28800.xml");
    let cut = &xml[..xml.len() / 2];
    assert!(Assertion::parse(&STANDARD.encode(cut)).is_err());
}
