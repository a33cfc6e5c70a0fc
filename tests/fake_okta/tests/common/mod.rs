//! A tiny blocking client for talking to the fake the way okta-aws would.

#![allow(dead_code)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// The value of cookie `name` set by this answer.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().into_iter().find_map(|line| {
            let pair = line.split(';').next()?;
            let (key, value) = pair.split_once('=')?;
            (key == name).then(|| value.to_string())
        })
    }
}

/// A client that reports every status and follows no redirect.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

pub fn answer(response: ureq::http::Response<ureq::Body>) -> Answer {
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    let body = response.into_body().read_to_string().expect("body");
    Answer {
        status,
        headers,
        body,
    }
}

pub fn post(url: &str, body: &Value) -> Answer {
    let response = agent()
        .post(url)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .expect("POST");
    answer(response)
}

/// POST an HTML form (`application/x-www-form-urlencoded`), as OAuth clients do.
pub fn post_form(url: &str, fields: &[(&str, &str)]) -> Answer {
    let response = agent()
        .post(url)
        .header("Accept", "application/json")
        .send_form(fields.iter().copied())
        .expect("POST");
    answer(response)
}

pub fn get(url: &str, cookie: Option<&str>) -> Answer {
    let mut request = agent().get(url);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    answer(request.call().expect("GET"))
}

pub fn delete(url: &str, cookie: &str) -> Answer {
    answer(
        agent()
            .delete(url)
            .header("Cookie", cookie)
            .call()
            .expect("DELETE"),
    )
}

/// `&#xHH;` and `&#DD;` references back to characters (what an HTML parser does).
pub fn decode_char_refs(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("&#") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find(';').expect("unterminated reference");
        let code = match after[..end].strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).expect("hex"),
            None => after[..end].parse().expect("decimal"),
        };
        out.push(char::from_u32(code).expect("char"));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The raw (still encoded) `value` of the hidden input `name` in the SAML page.
pub fn raw_input_value<'a>(html: &'a str, name: &str) -> &'a str {
    let marker = format!(r#"name="{name}" type="hidden" value=""#);
    let start = html.find(&marker).expect("input") + marker.len();
    let len = html[start..].find('"').expect("end of value");
    &html[start..start + len]
}

/// The assertion XML a client would post to AWS.
pub fn assertion_from_page(html: &str) -> String {
    let base64 = decode_char_refs(raw_input_value(html, "SAMLResponse"));
    let xml = STANDARD.decode(base64).expect("base64");
    String::from_utf8(xml).expect("utf-8")
}

pub fn title(html: &str) -> &str {
    let start = html.find("<title>").expect("title") + "<title>".len();
    let end = html.find("</title>").expect("end of title");
    &html[start..end]
}
