//! IAM role ARNs: `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`, and the short form
//! `ACCOUNT/NAME` users type and credentials sections are named after.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An IAM role's ARN, checked once; its parts are read off the text as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoleArn(String);

impl RoleArn {
    /// `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME` (no region, a name after the last `/`).
    pub fn parse(text: &str) -> Option<RoleArn> {
        let [prefix, partition, service, region, account, resource] = arn_fields(text)?;
        let name = resource.strip_prefix("role/")?.rsplit('/').next()?;
        let valid = prefix == "arn"
            && !partition.is_empty()
            && service == "iam"
            && region.is_empty()
            && !account.is_empty()
            && !name.is_empty()
            // No role's ARN holds one; from an assertion it would reach the terminal.
            && !text.chars().any(char::is_control);
        valid.then(|| RoleArn(text.to_string()))
    }

    /// `ACCOUNT/[PATH/]NAME` as a role ARN in `partition`; `None` for anything else.
    pub fn from_short(short: &str, partition: &str) -> Option<RoleArn> {
        let (account, path_and_name) = short.trim().split_once('/')?;
        RoleArn::parse(&format!(
            "arn:{partition}:iam::{account}:role/{path_and_name}"
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `aws`, `aws-us-gov`, `aws-cn`.
    pub fn partition(&self) -> &str {
        self.field(1)
    }

    /// The 12-digit account id (not checked: test accounts are shorter).
    pub fn account(&self) -> &str {
        self.field(4)
    }

    /// `[PATH/]NAME`: what follows `role/`.
    pub fn path_and_name(&self) -> &str {
        let resource = self.field(5);
        &resource["role/".len()..]
    }

    /// The role's name, without its path.
    pub fn name(&self) -> &str {
        let path_and_name = self.path_and_name();
        path_and_name.rsplit('/').next().unwrap_or(path_and_name)
    }

    /// `ACCOUNT/NAME`, the short form users type and the credentials section name.
    pub fn short(&self) -> String {
        format!("{}/{}", self.account(), self.name())
    }

    /// Whether the user's words name this role: the ARN, `[PATH/]NAME`, or `ACCOUNT/NAME`.
    pub fn is_named_by(&self, words: &str) -> bool {
        let words = words.trim();
        self.0 == words || self.0.ends_with(&format!("/{words}")) || self.short() == words
    }

    fn field(&self, index: usize) -> &str {
        arn_fields(&self.0).map_or("", |fields| fields[index])
    }
}

/// The six `:`-separated fields of an ARN (the last one may hold more `:`).
fn arn_fields(text: &str) -> Option<[&str; 6]> {
    let mut fields = text.splitn(6, ':');
    let mut next = || fields.next();
    Some([next()?, next()?, next()?, next()?, next()?, next()?])
}

/// The role name in a role ARN, or in an STS `arn:…:sts::ACCOUNT:assumed-role/NAME/SESSION`.
pub fn role_name_in(text: &str) -> Option<&str> {
    let [prefix, _, service, _, _, resource] = arn_fields(text)?;
    let name = match (prefix, service) {
        ("arn", "iam") => resource.strip_prefix("role/")?.rsplit('/').next()?,
        ("arn", "sts") => resource.strip_prefix("assumed-role/")?.split('/').next()?,
        _ => return None,
    };
    (!name.is_empty()).then_some(name)
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RoleArn {
    type Error = anyhow::Error;

    fn try_from(text: String) -> anyhow::Result<RoleArn> {
        RoleArn::parse(&text).ok_or_else(|| anyhow::anyhow!("{text} is not an IAM role ARN"))
    }
}

impl From<RoleArn> for String {
    fn from(arn: RoleArn) -> String {
        arn.0
    }
}

impl PartialEq<str> for RoleArn {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for RoleArn {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_a_role_arn() {
        let arn = RoleArn::parse("arn:aws-us-gov:iam::222222222222:role/team/ci/Deployer").unwrap();
        assert_eq!(arn.partition(), "aws-us-gov");
        assert_eq!(arn.account(), "222222222222");
        assert_eq!(arn.path_and_name(), "team/ci/Deployer");
        assert_eq!(arn.name(), "Deployer");
        assert_eq!(arn.short(), "222222222222/Deployer");
        assert_eq!(
            arn.to_string(),
            "arn:aws-us-gov:iam::222222222222:role/team/ci/Deployer"
        );
    }

    #[test]
    fn what_is_not_a_role_arn() {
        for text in [
            "arn:aws:iam::1:saml-provider/Okta",
            "arn:aws:iam::1:role/",
            "arn:aws:iam::1:role/path/",
            "arn:aws:iam:us-east-1:1:role/A",
            "arn:aws:sts::1:assumed-role/A/s",
            "arn:aws:iam:::role/A",
            "arn::iam::1:role/A",
            "Developer",
            "",
        ] {
            assert!(RoleArn::parse(text).is_none(), "{text}");
        }
    }

    #[test]
    fn the_short_form_builds_an_arn_in_a_partition() {
        let arn = RoleArn::from_short("222222222222/Deploy", "aws-cn").unwrap();
        assert_eq!(arn.as_str(), "arn:aws-cn:iam::222222222222:role/Deploy");
        assert!(RoleArn::from_short("Deploy", "aws").is_none());
    }

    #[test]
    fn users_name_a_role_by_arn_path_name_or_short_form() {
        let arn = RoleArn::parse("arn:aws:iam::2:role/team/Deploy").unwrap();
        for words in [
            "arn:aws:iam::2:role/team/Deploy",
            "team/Deploy",
            "Deploy",
            " 2/Deploy ",
        ] {
            assert!(arn.is_named_by(words), "{words}");
        }
        assert!(!arn.is_named_by("3/Deploy") && !arn.is_named_by("Dep"));
    }

    #[test]
    fn serialized_as_the_plain_text() {
        let arn = RoleArn::parse("arn:aws:iam::1:role/A").unwrap();
        let json = serde_json::to_string(&arn).unwrap();
        assert_eq!(json, "\"arn:aws:iam::1:role/A\"");
        assert_eq!(serde_json::from_str::<RoleArn>(&json).unwrap(), arn);
        assert!(serde_json::from_str::<RoleArn>("\"nope\"").is_err());
    }

    #[test]
    fn role_names_from_arns() {
        for (arn, want) in [
            (
                "arn:aws:iam::111111111111:role/Developer",
                Some("Developer"),
            ),
            (
                "arn:aws:iam::111111111111:role/teams/ci/Deployer",
                Some("Deployer"),
            ),
            ("arn:aws-cn:iam::111111111111:role/China", Some("China")),
            (
                "arn:aws:sts::111111111111:assumed-role/Developer/alice@example.com",
                Some("Developer"),
            ),
            ("arn:aws:iam::111111111111:user/bob", None),
            ("arn:aws:iam::111111111111:role/", None),
            ("arn:aws:s3:::bucket", None),
            ("Developer", None),
        ] {
            assert_eq!(role_name_in(arn), want, "{arn}");
        }
    }

    #[test]
    fn role_names_in_role_and_assumed_role_arns() {
        assert_eq!(role_name_in("arn:aws:iam::1:role/p/Dev"), Some("Dev"));
        assert_eq!(
            role_name_in("arn:aws:sts::1:assumed-role/Dev/alice"),
            Some("Dev")
        );
        assert_eq!(role_name_in("arn:aws:iam::1:user/bob"), None);
    }
}
