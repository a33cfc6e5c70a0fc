//! The fake's stand-in for AWS's SAML sign-in page: the Okta page's form posts to it.

mod common;
mod recorded;

use common::{Answer, agent, answer, decode_char_refs, get, post, raw_input_value};
use fake_okta::{FakeOkta, SamlRole, Scenario, SigninPage, User};
use serde_json::{Value, json};

const DEV_ROLE: &str = "arn:aws:iam::111111111111:role/Developer";
const ADMIN_ROLE: &str = "arn:aws:iam::222222222222:role/Admin";
const OPS_ROLE: &str = "arn:aws:iam::222222222222:role/Ops";

fn start(page: SigninPage) -> FakeOkta {
    let role = |arn: &str| {
        let account = arn.split(':').nth(4).unwrap();
        SamlRole::new(arn, &format!("arn:aws:iam::{account}:saml-provider/Okta"))
    };
    FakeOkta::start(Scenario {
        users: vec![User::new("bob@example.com", "pw")],
        roles: vec![role(DEV_ROLE), role(ADMIN_ROLE), role(OPS_ROLE)],
        signin_page: page,
        account_names: vec![("222222222222".to_string(), "acme <prod> & co".to_string())],
        ..Scenario::default()
    })
}

/// The Okta app page's form, as a browser would read it: (action, SAMLResponse).
fn okta_form(okta: &FakeOkta) -> (String, String) {
    let answer = post(
        &format!("{}/api/v1/authn", okta.base_url()),
        &json!({"username": "bob@example.com", "password": "pw"}),
    )
    .json();
    let token = answer["sessionToken"].as_str().expect("sessionToken");
    let page = get(&format!("{}?onetimetoken={token}", okta.app_url()), None).body;
    let marker = r#"<form id="appForm" action=""#;
    let start = page.find(marker).expect("form") + marker.len();
    let action = &page[start..start + page[start..].find('"').unwrap()];
    let saml = raw_input_value(&page, "SAMLResponse");
    (decode_char_refs(action), decode_char_refs(saml))
}

/// Submit the form as a browser does (no redirects followed).
fn submit(action: &str, fields: &[(&str, &str)]) -> Answer {
    answer(
        agent()
            .post(action)
            .send_form(fields.iter().copied())
            .expect("POST"),
    )
}

fn signin(okta: &FakeOkta) -> Answer {
    let (action, saml) = okta_form(okta);
    assert_eq!(action, format!("{}/aws/saml", okta.base_url()));
    submit(&action, &[("SAMLResponse", &saml), ("RelayState", "")])
}

#[test]
fn the_role_picker_shows_accounts_with_and_without_alias() {
    let okta = start(SigninPage::RolePicker);
    let page = signin(&okta);
    assert_eq!(page.status, 200);
    let html = page.body;
    assert!(
        html.contains(r#"<form id="saml_form" name="saml_form""#),
        "{html}"
    );
    assert!(html.contains(
        r#"<div class="saml-account-name">Account: acme &lt;prod&gt; &amp; co (222222222222)</div>"#
    ));
    assert!(html.contains(r#"<div class="saml-account-name">Account: 111111111111</div>"#));
    for (arn, name) in [
        (DEV_ROLE, "Developer"),
        (ADMIN_ROLE, "Admin"),
        (OPS_ROLE, "Ops"),
    ] {
        assert!(html.contains(&format!(
            r#"<input type="radio" name="roleIndex" value="{arn}" class="saml-radio" id="{arn}" />"#
        )));
        assert!(html.contains(&format!(
            r#"<label for="{arn}" class="saml-role-description">{name}</label>"#
        )));
    }
    // One account block for the account's two roles.
    assert_eq!(html.matches("saml-account-name").count(), 2);
}

#[test]
fn the_current_page_carries_accounts_in_its_meta_data() {
    let okta = start(SigninPage::NextData);
    let (action, saml) = okta_form(&okta);
    let html = submit(&action, &[("SAMLResponse", &saml), ("RelayState", "")]).body;
    let data = recorded::meta_data(&html);
    assert_eq!(
        data["roles_accounts"],
        json!({
            "111111111111": [DEV_ROLE],
            "acme <prod> & co (222222222222)": [ADMIN_ROLE, OPS_ROLE],
        }),
        "an alias as `alias (id)`, a bare id without one"
    );
    assert_eq!(
        data["SAMLResponse"],
        saml.as_str(),
        "the assertion echoed back"
    );
    // As on the real page, `__NEXT_DATA__` carries nothing.
    let marker = "type=\"application/json\">";
    let start = html.find(marker).expect("__NEXT_DATA__") + marker.len();
    let end = start + html[start..].find("</script>").unwrap();
    let next: Value = serde_json::from_str(&html[start..end]).expect("JSON");
    assert_eq!(next["props"]["pageProps"], json!({}));
}

#[test]
fn the_current_page_has_the_recorded_page_s_shape() {
    let recording = recorded::text("aws-signin", "gimme-nextjs-meta-data.html");
    let real = recorded::shape(&recorded::meta_data(&recording));
    let okta = start(SigninPage::NextData);
    let fake = recorded::shape(&recorded::meta_data(&signin(&okta).body));
    assert_eq!(fake, real, "the fake's meta data vs AWS's");
}

#[test]
fn the_role_picker_has_the_recorded_page_s_markup() {
    // Each line the older page's scrapers (saml2aws, gimme-aws-creds, ours) key on, as the
    // recording has it: the fake must have the same, with the same class names.
    let recording = recorded::text("aws-signin", "saml2aws-role-picker.html");
    let html = signin(&start(SigninPage::RolePicker)).body;
    for needle in [
        r#"<form id="saml_form" name="saml_form" action="/saml" method="post">"#,
        r#"<input type="hidden" name="RelayState" value="" />"#,
        r#"<div class="saml-account-name">Account: "#,
        r#"<div class="saml-role" onClick="checkRadio(this);">"#,
        r#"<input type="radio" name="roleIndex" value="arn:aws:iam::"#,
        r#"class="saml-radio" id="arn:aws:iam::"#,
        r#"class="saml-role-description">"#,
        "<fieldset>",
    ] {
        assert!(recording.contains(needle), "recording lacks {needle}");
        assert!(html.contains(needle), "fake lacks {needle}");
    }
}

#[test]
fn broken_single_role_and_missing_assertion() {
    let okta = start(SigninPage::Broken);
    let broken = signin(&okta);
    assert_eq!(broken.status, 500);
    assert!(!broken.body.contains("saml-account"));

    okta.set_signin_page(SigninPage::SingleRole);
    let single = signin(&okta);
    assert_eq!(single.status, 302);
    assert_eq!(
        single.header("Location"),
        Some(format!("{}/console/home", okta.base_url()).as_str())
    );

    let action = format!("{}/aws/saml", okta.base_url());
    assert_eq!(submit(&action, &[("RelayState", "")]).status, 400);
}
