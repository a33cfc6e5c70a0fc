//! Which okta-aws profile a command is about, and how messages name it.

use super::keys::OKTA_PROFILE;

/// An okta-aws profile: a `[NAME]` section (or `config.NAME.properties`), or the unnamed top.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile(Option<String>);

impl Profile {
    pub fn unnamed() -> Profile {
        Profile(None)
    }

    pub fn named(name: impl Into<String>) -> Profile {
        Profile(Some(name.into()))
    }

    /// The profile asked for: the flag, else `OKTA_PROFILE`, else the unnamed one.
    pub fn requested(flag: Option<&str>) -> Profile {
        Profile(
            flag.map(str::to_string)
                .or_else(|| std::env::var(OKTA_PROFILE).ok())
                .filter(|p| !p.trim().is_empty()),
        )
    }

    /// `None` for the unnamed profile.
    pub fn name(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// The name used for sections: the profile's name, `default` for the unnamed one.
    pub fn label(&self) -> &str {
        self.name().unwrap_or("default")
    }

    /// `profile NAME`, or `the default profile`, for messages.
    pub fn describe(&self) -> String {
        match self.name() {
            Some(name) => format!("profile {name}"),
            None => "the default profile".to_string(),
        }
    }

    /// ` --profile NAME` to add to a suggested command line (empty for the unnamed one).
    pub fn flag(&self) -> String {
        self.name()
            .map(|name| format!(" --profile {name}"))
            .unwrap_or_default()
    }
}
