//! The SAML assertion Okta hands to AWS: the IAM roles it grants, the session duration, the
//! user's NameID.

use anyhow::Result;
use base64::Engine;
use quick_xml::events::Event;

use crate::arn::RoleArn;
use crate::error::fail;

const ROLE_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
const SESSION_DURATION_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/SessionDuration";

/// One role the assertion grants, with the SAML provider that vouches for it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RolePair {
    pub role_arn: RoleArn,
    pub provider_arn: String,
}

impl RolePair {
    /// Build from one Role attribute value: two ARNs in either order (AWS accepts both).
    pub fn from_attribute_value(value: &str) -> Option<RolePair> {
        let (first, second) = value.split_once(',')?;
        let (first, second) = (first.trim(), second.trim());
        let pair = |role: &str, provider: &str| {
            Some(RolePair {
                role_arn: RoleArn::parse(role)?,
                provider_arn: provider.to_string(),
            })
            .filter(|_| provider.contains(":saml-provider/"))
        };
        pair(second, first).or_else(|| pair(first, second))
    }
}

/// What the tool needs from a SAML Response.
#[derive(Debug, Clone, Default)]
pub struct Assertion {
    /// The base64 text as Okta sent it, passed on to STS unchanged.
    pub base64: String,
    pub roles: Vec<RolePair>,
    pub session_duration: Option<i32>,
    pub name_id: Option<String>,
}

impl Assertion {
    /// Decode and read a base64 SAMLResponse.
    pub fn parse(base64_text: &str) -> Result<Assertion> {
        let compact: String = base64_text.chars().filter(|c| !c.is_whitespace()).collect();
        let Ok(xml) = base64::engine::general_purpose::STANDARD.decode(&compact) else {
            return fail(
                "the SAMLResponse from Okta is not valid base64",
                "check that OKTA_AWS_APP_URL is the AWS app's embed link",
            );
        };
        let Ok(xml) = String::from_utf8(xml) else {
            return fail(
                "the SAML assertion from Okta is not UTF-8 text",
                "check that OKTA_AWS_APP_URL is the AWS app's embed link",
            );
        };
        let parsed = read_xml(&xml)?;
        if parsed.roles.is_empty() {
            return fail(
                "the SAML assertion grants no AWS role",
                "ask your Okta administrator to assign you a role in the AWS app",
            );
        }
        Ok(Assertion {
            base64: compact,
            ..parsed
        })
    }
}

/// Walk the XML with quick-xml. A DOCTYPE is refused outright: an assertion never has one,
/// and refusing it rules out entity-expansion attacks.
fn read_xml(xml: &str) -> Result<Assertion> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut walk = Walk::default();
    let mut root = None;
    loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) => return with_saml_root(root, walk.out),
            Ok(event) => event,
            Err(e) => {
                return fail(
                    format!("the SAML assertion from Okta is not well-formed XML: {e}"),
                    "check that OKTA_AWS_APP_URL is the AWS app's embed link",
                );
            }
        };
        if root.is_none()
            && let Event::Start(e) | Event::Empty(e) = &event
        {
            root = Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
        }
        walk.event(event)?;
    }
}

/// Text with no element at all, or a document that is not a SAML response, is said to be
/// so (rather than "grants no AWS role").
fn with_saml_root(root: Option<String>, assertion: Assertion) -> Result<Assertion> {
    match root.as_deref() {
        Some("Response" | "Assertion") => Ok(assertion),
        Some(other) => fail(
            format!("the SAMLResponse from Okta is XML but not a SAML response (<{other}>)"),
            "check that OKTA_AWS_APP_URL is the AWS app's embed link",
        ),
        None => fail(
            "the SAMLResponse from Okta is not XML",
            "check that OKTA_AWS_APP_URL is the AWS app's embed link",
        ),
    }
}

/// Where the walk through the XML is, and what it has read.
#[derive(Default)]
struct Walk {
    /// The `Name` of the `<Attribute>` we are in.
    attribute: Option<String>,
    /// Inside an `<AttributeValue>` or `<NameID>`: its text is being collected.
    collecting: Option<Collected>,
    text: String,
    out: Assertion,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Collected {
    AttributeValue,
    NameId,
}

impl Walk {
    fn event(&mut self, event: Event) -> Result<()> {
        match event {
            Event::DocType(_) => fail(
                "the SAML assertion carries a DOCTYPE, which is refused",
                "a genuine Okta assertion has none; check OKTA_ORG and OKTA_AWS_APP_URL",
            ),
            Event::Start(e) => {
                self.start(&e);
                Ok(())
            }
            Event::Text(t) if self.collecting.is_some() => match t.unescape() {
                Ok(s) => {
                    self.text.push_str(&s);
                    Ok(())
                }
                Err(e) => fail(
                    format!("the SAML assertion has a bad XML escape: {e}"),
                    "check OKTA_AWS_APP_URL",
                ),
            },
            Event::CData(t) if self.collecting.is_some() => {
                self.text.push_str(&String::from_utf8_lossy(&t));
                Ok(())
            }
            Event::End(e) => {
                self.end(e.local_name().as_ref());
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn start(&mut self, element: &quick_xml::events::BytesStart) {
        let collect = |walk: &mut Walk, what| {
            walk.collecting = Some(what);
            walk.text.clear();
        };
        match element.local_name().as_ref() {
            b"Attribute" => {
                self.attribute = element
                    .try_get_attribute("Name")
                    .ok()
                    .flatten()
                    .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()));
            }
            b"AttributeValue" => collect(self, Collected::AttributeValue),
            b"NameID" => collect(self, Collected::NameId),
            _ => {}
        }
    }

    fn end(&mut self, local_name: &[u8]) {
        match local_name {
            b"AttributeValue" => {
                self.collecting = None;
                record_value(&mut self.out, self.attribute.as_deref(), self.text.trim());
            }
            b"NameID" => {
                self.collecting = None;
                self.out.name_id = Some(self.text.trim().to_string());
            }
            b"Attribute" => self.attribute = None,
            _ => {}
        }
    }
}

fn record_value(out: &mut Assertion, attribute: Option<&str>, value: &str) {
    match attribute {
        Some(ROLE_ATTRIBUTE) => {
            if let Some(pair) = RolePair::from_attribute_value(value)
                && !out.roles.contains(&pair)
            {
                out.roles.push(pair);
            }
        }
        Some(SESSION_DURATION_ATTRIBUTE) => out.session_duration = value.parse().ok(),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(xml: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(xml)
    }

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?><saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol"><saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion"><saml2:Subject><saml2:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">alice@example.com</saml2:NameID></saml2:Subject><saml2:AttributeStatement><saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"><saml2:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">arn:aws:iam::111111111111:role/Developer,arn:aws:iam::111111111111:saml-provider/Okta</saml2:AttributeValue><saml2:AttributeValue>arn:aws:iam::222222222222:saml-provider/Okta,arn:aws:iam::222222222222:role/team/Admin</saml2:AttributeValue></saml2:Attribute><saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml2:AttributeValue>alice@example.com</saml2:AttributeValue></saml2:Attribute><saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/SessionDuration"><saml2:AttributeValue>7200</saml2:AttributeValue></saml2:Attribute></saml2:AttributeStatement></saml2:Assertion></saml2p:Response>"#;

    #[test]
    fn text_that_is_not_a_saml_response_says_so() {
        let message = |text: &str| format!("{:#}", Assertion::parse(&encode(text)).unwrap_err());
        assert!(message("just words").contains("is not XML"));
        assert!(message("").contains("is not XML"));
        assert!(message("<html><body/></html>").contains("not a SAML response (<html>)"));
        let no_roles = SAMPLE.replace("Attributes/Role\"", "Attributes/Other\"");
        assert!(message(&no_roles).contains("grants no AWS role"));
    }

    #[test]
    fn reads_roles_in_either_order_duration_and_name_id() {
        let a = Assertion::parse(&encode(SAMPLE)).unwrap();
        assert_eq!(a.roles.len(), 2);
        assert_eq!(
            a.roles[0].role_arn,
            "arn:aws:iam::111111111111:role/Developer"
        );
        assert_eq!(
            a.roles[1].provider_arn,
            "arn:aws:iam::222222222222:saml-provider/Okta"
        );
        assert_eq!(a.roles[1].role_arn.name(), "Admin");
        assert_eq!(a.roles[1].role_arn.account(), "222222222222");
        assert_eq!(a.roles[1].role_arn.short(), "222222222222/Admin");
        assert_eq!(a.roles[0].role_arn.partition(), "aws");
        assert_eq!(a.session_duration, Some(7200));
        assert_eq!(a.name_id.as_deref(), Some("alice@example.com"));
    }

    #[test]
    fn base64_with_line_breaks_is_accepted() {
        let b64 = encode(SAMPLE);
        let wrapped: String = b64
            .as_bytes()
            .chunks(76)
            .map(|c| format!("{}\n", String::from_utf8_lossy(c)))
            .collect();
        assert_eq!(Assertion::parse(&wrapped).unwrap().roles.len(), 2);
    }

    #[test]
    fn doctype_is_refused() {
        let evil = format!(
            "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x \"boom\">]>{}",
            SAMPLE.trim_start_matches(r#"<?xml version="1.0" encoding="UTF-8"?>"#)
        );
        let err = Assertion::parse(&encode(&evil)).unwrap_err().to_string();
        assert!(err.contains("DOCTYPE"), "{err}");
    }

    #[test]
    fn garbage_and_roleless_assertions_are_clear_errors() {
        assert!(
            Assertion::parse("!!!not base64")
                .unwrap_err()
                .to_string()
                .contains("base64")
        );
        assert!(
            Assertion::parse(&encode("<a><b></a>"))
                .unwrap_err()
                .to_string()
                .contains("XML")
        );
        let none = Assertion::parse(&encode("<Response/>"))
            .unwrap_err()
            .to_string();
        assert!(none.contains("no AWS role"), "{none}");
    }

    #[test]
    fn malformed_role_values_are_skipped() {
        assert!(RolePair::from_attribute_value("arn:aws:iam::1:role/A").is_none());
        assert!(RolePair::from_attribute_value("x,y").is_none());
        let gov = RolePair::from_attribute_value(
            "arn:aws-us-gov:iam::3:role/R, arn:aws-us-gov:iam::3:saml-provider/P",
        )
        .unwrap();
        assert_eq!(gov.role_arn.partition(), "aws-us-gov");
    }
}
