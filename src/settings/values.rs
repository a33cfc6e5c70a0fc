//! What a setting's text must be: each parser takes the text as resolved and gives the value,
//! or what was wrong with it (the caller names the key and where the text came from).

use url::Url;

const DEFAULT_REGION: &str = "us-east-1";

/// Why a setting's text is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// Not set, and it must be.
    Missing,
    /// Not of the expected form: the text as shown in the message, and what was expected.
    Form {
        shown: String,
        expected: &'static str,
    },
    /// Plain http off loopback: the URL would carry a password or a token in the clear.
    Insecure(Url),
}

fn form<T>(shown: impl Into<String>, expected: &'static str) -> Result<T, Invalid> {
    Err(Invalid::Form {
        shown: shown.into(),
        expected,
    })
}

const ORG_EXPECTED: &str = "a host name (acme.okta.com) or a URL";
const APP_LINK_EXPECTED: &str = "the AWS app's embed link, https://ORG/home/amazon_aws/APP_ID/272";

/// The Okta org's base URL (`https://acme.okta.com/`), from a host name or a URL.
pub fn org(text: &str) -> Result<Url, Invalid> {
    let raw = text.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("https://{raw}")
    };
    let Ok(mut url) = Url::parse(&with_scheme) else {
        return form(raw, ORG_EXPECTED);
    };
    if url.host_str().is_none() {
        return form(raw, ORG_EXPECTED);
    }
    check_secure(&url)?;
    url.set_path("/");
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// The AWS app's embed link.
pub fn app_link(text: &str) -> Result<Url, Invalid> {
    let raw = text.trim();
    let url = Url::parse(raw).or_else(|_| form(raw, APP_LINK_EXPECTED))?;
    if url.host_str().is_none() || !matches!(url.scheme(), "https" | "http") {
        return form(raw, APP_LINK_EXPECTED);
    }
    check_secure(&url)?;
    Ok(url)
}

/// Plain http is only for loopback (tests, the demo): never send a password over it.
fn check_secure(url: &Url) -> Result<(), Invalid> {
    if url.scheme() == "https" || (url.scheme() == "http" && crate::net::is_loopback(url)) {
        Ok(())
    } else {
        Err(Invalid::Insecure(url.clone()))
    }
}

/// STS session seconds: AWS allows 900 to 43200.
pub fn sts_duration(text: &str) -> Result<i32, Invalid> {
    let secs = number::<i32>(text, "a number of seconds (900 to 43200)")?;
    if !(900..=43200).contains(&secs) {
        return form(secs.to_string(), "between 900 and 43200 seconds");
    }
    Ok(secs)
}

/// A count of seconds.
pub fn seconds(text: &str) -> Result<u64, Invalid> {
    number(text, "a number of seconds")
}

/// A network deadline: 1 to 3600 seconds.
pub fn timeout_secs(text: &str) -> Result<u64, Invalid> {
    let secs = number::<u64>(text, "a number of seconds (1 to 3600)")?;
    if !(1..=3600).contains(&secs) {
        return form(secs.to_string(), "between 1 and 3600 seconds");
    }
    Ok(secs)
}

fn number<T: std::str::FromStr>(text: &str, expected: &'static str) -> Result<T, Invalid> {
    text.trim().parse().or_else(|_| form(text, expected))
}

/// `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`, any case.
pub fn switch(text: &str) -> Result<bool, Invalid> {
    let word = text.trim().to_ascii_lowercase();
    match word.as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" | "" => Ok(false),
        _ => form(word, "true or false"),
    }
}

/// The partition a region belongs to.
pub fn partition_of_region(region: &str) -> &'static str {
    if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("cn-") {
        "aws-cn"
    } else {
        "aws"
    }
}

/// The partition's usual region (us-east-1, us-gov-west-1, cn-north-1).
pub fn default_region(partition: &str) -> &'static str {
    match partition {
        "aws-us-gov" => "us-gov-west-1",
        "aws-cn" => "cn-north-1",
        _ => DEFAULT_REGION,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_accepts_host_names_and_urls() {
        assert_eq!(
            org("acme.okta.com").unwrap().as_str(),
            "https://acme.okta.com/"
        );
        assert_eq!(
            org("https://acme.okta.com/some/path?x=1").unwrap().as_str(),
            "https://acme.okta.com/"
        );
        assert_eq!(
            org("http://127.0.0.1:8080").unwrap().as_str(),
            "http://127.0.0.1:8080/"
        );
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        assert!(matches!(
            org("http://acme.okta.com"),
            Err(Invalid::Insecure(_))
        ));
        assert!(app_link("http://10.0.0.1/home/amazon_aws/x/272").is_err());
        assert!(app_link("http://localhost:9/home/amazon_aws/x/272").is_ok());
    }

    #[test]
    fn numbers_and_switches_are_checked() {
        assert_eq!(sts_duration("7200"), Ok(7200));
        assert_eq!(
            sts_duration("10"),
            form("10", "between 900 and 43200 seconds")
        );
        assert!(sts_duration("soon").is_err());
        assert_eq!(switch("TRUE"), Ok(true));
        assert_eq!(switch("off"), Ok(false));
        assert_eq!(switch("Maybe"), form("maybe", "true or false"));
        assert_eq!(seconds(" 60 "), Ok(60));
    }

    #[test]
    fn partitions_of_regions() {
        assert_eq!(partition_of_region("cn-northwest-1"), "aws-cn");
        assert_eq!(partition_of_region("us-gov-east-1"), "aws-us-gov");
        assert_eq!(partition_of_region("eu-west-1"), "aws");
        assert_eq!(default_region("aws-us-gov"), "us-gov-west-1");
    }
}
