//! The HTML Okta serves: the SAML launch page and its assertion, the sign-in,
//! step-up and error pages.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::scenario::SamlRole;
use crate::util::{attr_encode, iso_ago, iso_in, random_id, xml_escape};

const PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const XS_NS: &str = "http://www.w3.org/2001/XMLSchema";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
const ISSUER: &str = "http://www.okta.com/exk1fakeoktaissuer";
const ROLE_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
const SESSION_NAME_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
const DURATION_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/SessionDuration";

/// What goes into one assertion.
pub struct AssertionInput<'a> {
    pub login: &'a str,
    pub acs_url: &'a str,
    pub roles: &'a [SamlRole],
    pub session_duration: Option<u32>,
}

/// The unsigned `saml2p:Response` XML (nobody checks a signature).
pub fn assertion_xml(input: &AssertionInput) -> String {
    let now = iso_in(Duration::ZERO);
    let not_before = iso_ago(Duration::from_secs(5 * 60));
    let not_after = iso_in(Duration::from_secs(5 * 60));
    let login = xml_escape(input.login);
    let acs = xml_escape(input.acs_url);
    let response_id = random_id("id", 30);
    let assertion_id = random_id("id", 30);
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<saml2p:Response xmlns:saml2p="{protocol}" Destination="{acs}" ID="{response_id}" IssueInstant="{now}" Version="2.0" xmlns:xs="{xs}">"#,
            r#"<saml2:Issuer xmlns:saml2="{assertion_ns}" Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">{issuer}</saml2:Issuer>"#,
            r#"<saml2p:Status><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></saml2p:Status>"#,
            r#"<saml2:Assertion xmlns:saml2="{assertion_ns}" ID="{assertion_id}" IssueInstant="{now}" Version="2.0" xmlns:xs="{xs}">"#,
            r#"<saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">{issuer}</saml2:Issuer>"#,
            r#"<saml2:Subject><saml2:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">{login}</saml2:NameID>"#,
            r#"<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">"#,
            r#"<saml2:SubjectConfirmationData NotOnOrAfter="{not_after}" Recipient="{acs}"/></saml2:SubjectConfirmation></saml2:Subject>"#,
            r#"<saml2:Conditions NotBefore="{not_before}" NotOnOrAfter="{not_after}">"#,
            r#"<saml2:AudienceRestriction><saml2:Audience>urn:amazon:webservices</saml2:Audience></saml2:AudienceRestriction></saml2:Conditions>"#,
            r#"<saml2:AuthnStatement AuthnInstant="{now}" SessionIndex="{assertion_id}"><saml2:AuthnContext>"#,
            r#"<saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml2:AuthnContextClassRef>"#,
            r#"</saml2:AuthnContext></saml2:AuthnStatement>"#,
            r#"<saml2:AttributeStatement>{attributes}</saml2:AttributeStatement>"#,
            r#"</saml2:Assertion></saml2p:Response>"#,
        ),
        protocol = PROTOCOL_NS,
        assertion_ns = ASSERTION_NS,
        xs = XS_NS,
        issuer = ISSUER,
        acs = acs,
        response_id = response_id,
        assertion_id = assertion_id,
        now = now,
        not_before = not_before,
        not_after = not_after,
        login = login,
        attributes = attributes_xml(input),
    )
}

fn attributes_xml(input: &AssertionInput) -> String {
    let roles: Vec<String> = input.roles.iter().map(SamlRole::attribute_value).collect();
    let mut xml = attribute_xml(ROLE_ATTRIBUTE, &roles);
    xml.push_str(&attribute_xml(
        SESSION_NAME_ATTRIBUTE,
        &[input.login.to_string()],
    ));
    if let Some(seconds) = input.session_duration {
        xml.push_str(&attribute_xml(DURATION_ATTRIBUTE, &[seconds.to_string()]));
    }
    xml
}

fn attribute_xml(name: &str, values: &[String]) -> String {
    let mut xml = format!(
        r#"<saml2:Attribute Name="{name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">"#
    );
    for value in values {
        xml.push_str(&format!(
            r#"<saml2:AttributeValue xmlns:xsi="{XSI_NS}" xsi:type="xs:string">{}</saml2:AttributeValue>"#,
            xml_escape(value)
        ));
    }
    xml.push_str("</saml2:Attribute>");
    xml
}

/// The app launch page exactly as Okta renders it: an auto-submitting form whose
/// action and SAMLResponse are OWASP attribute-encoded.
pub fn saml_page(input: &AssertionInput) -> String {
    let saml_response = STANDARD.encode(assertion_xml(input));
    format!(
        r#"<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
    <meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
    <meta name="robots" content="none" />
    <title>Acme - Signing in...</title>
</head>
<body>
    <div class="hidden">
        <form id="appForm" action="{action}" method="POST">
            <input name="SAMLResponse" type="hidden" value="{value}"/>
            <input name="RelayState" type="hidden" value=""/>
        </form>
    </div>
    <script type="text/javascript">
    (function() {{
        document.getElementById('appForm').submit();
    }})();
    </script>
</body>
</html>
"#,
        action = attr_encode(input.acs_url),
        value = attr_encode(&saml_response),
    )
}

/// Okta's sign-in page: a form with username and password inputs.
pub fn sign_in_page() -> String {
    page(
        "Acme - Sign In",
        r#"<div id="signin-container">
        <form novalidate="novalidate" method="POST" action="/login/do-login" id="form1" class="o-form">
            <h2 class="okta-form-title">Sign In</h2>
            <label for="okta-signin-username">Username</label>
            <input type="text" name="username" id="okta-signin-username" autocomplete="username"/>
            <label for="okta-signin-password">Password</label>
            <input type="password" name="password" id="okta-signin-password" autocomplete="current-password"/>
            <input class="button button-primary" type="submit" value="Sign In" id="okta-signin-submit"/>
        </form>
    </div>"#,
    )
}

/// The page of an app whose policy wants extra verification, shaped as the recorded one
/// (tests/fixtures/recorded/classic): the client continues the transaction through
/// `/api/v1/authn` with the stateToken of its script.
pub fn step_up_page(state_token: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<head>
<title>Acme - Extra Verification</title>
</head>
<body class="auth okta-container">
<div id="signin-container"></div>
<script type="text/javascript">
(function(){{
  var stateToken = '{state_token}';
  var authScheme = 'OAUTH2';
  var webauthn = true;
}})();
</script>
</body>
</html>
"#
    )
}

pub fn error_page() -> String {
    page(
        "Acme - Error",
        r#"<div class="error-content">
        <h1>500</h1>
        <p>An unexpected error has occurred. Please try again.</p>
    </div>"#,
    )
}

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
    <meta charset="utf-8" />
    <meta name="robots" content="none" />
    <title>{title}</title>
</head>
<body>
    {body}
</body>
</html>
"#
    )
}
