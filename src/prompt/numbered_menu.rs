//! A menu for a console without arrow keys: numbered lines, then a number (or part of an
//! item's text) typed and Enter. The Windows console's prompter uses it: the menus of
//! dialoguer read keys from the process's standard input there, not from the console
//! itself, so they would fail whenever standard input is redirected. The logic is pure
//! (text in, index out), so it is tested on every target.

use std::io;

/// Ask with `ask` (which shows its text and returns the line typed, `None` when the input
/// ended) until an answer picks one of `items`: the index picked, or `None` if the input
/// ended first. Enter alone takes `default`.
pub fn pick(
    prompt: &str,
    items: &[String],
    default: usize,
    mut ask: impl FnMut(&str) -> io::Result<Option<String>>,
) -> io::Result<Option<usize>> {
    if items.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{prompt}: nothing to choose from"),
        ));
    }
    let default = default.min(items.len() - 1);
    let mut shown = listing(prompt, items);
    loop {
        shown.push_str(&question(default));
        let Some(typed) = ask(&shown)? else {
            return Ok(None);
        };
        match parse(&typed, items, default) {
            Ok(index) => return Ok(Some(index)),
            Err(why) => shown = format!("{why}\n"),
        }
    }
}

/// The prompt, then one numbered line per item.
pub fn listing(prompt: &str, items: &[String]) -> String {
    let width = items.len().to_string().len();
    let mut text = format!("{prompt}:\n");
    for (index, item) in items.iter().enumerate() {
        text.push_str(&format!("  {:>width$}. {item}\n", index + 1));
    }
    text
}

/// The line asking for a number, with the default Enter takes.
fn question(default: usize) -> String {
    format!("Number or part of a name [{}]: ", default + 1)
}

/// The item an answer names: Enter alone the default, a number in range its item, else
/// text found (ignoring case) in exactly one item. Otherwise why not, to show before asking
/// again.
pub fn parse(typed: &str, items: &[String], default: usize) -> Result<usize, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(default);
    }
    if let Ok(number) = typed.parse::<usize>()
        && (1..=items.len()).contains(&number)
    {
        return Ok(number - 1);
    }
    // A longer number may still be part of an item: an account ID.
    let wanted = typed.to_lowercase();
    let matching: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.to_lowercase().contains(&wanted))
        .map(|(index, _)| index)
        .collect();
    match matching[..] {
        [only] => Ok(only),
        [] => Err(format!(
            "nothing matches '{typed}': type a number from 1 to {}",
            items.len()
        )),
        _ => Err(format!(
            "'{typed}' matches {} items: type the number of one",
            matching.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles() -> Vec<String> {
        [
            "111111111111/Developer",
            "222222222222/Admin",
            "333333333333/ReadOnly",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn enter_alone_takes_the_default() {
        assert_eq!(parse("", &roles(), 1), Ok(1));
        assert_eq!(parse("  \r", &roles(), 2), Ok(2));
    }

    #[test]
    fn a_number_counts_from_one() {
        assert_eq!(parse("1", &roles(), 2), Ok(0));
        assert_eq!(parse(" 3 ", &roles(), 0), Ok(2));
    }

    #[test]
    fn a_number_out_of_range_is_refused_with_the_range() {
        for typed in ["0", "4", "18446744073709551616"] {
            let why = parse(typed, &roles(), 0).unwrap_err();
            assert!(why.contains("from 1 to 3"), "{typed}: {why}");
        }
    }

    #[test]
    fn text_found_in_one_item_picks_it_whatever_its_case() {
        assert_eq!(parse("admin", &roles(), 0), Ok(1));
        assert_eq!(parse("READ", &roles(), 0), Ok(2));
        // An account ID is a number too long to be an item's.
        assert_eq!(parse("333333333333", &roles(), 0), Ok(2));
    }

    #[test]
    fn text_found_in_several_items_is_refused() {
        let why = parse("/", &roles(), 0).unwrap_err();
        assert!(why.contains("matches 3 items"), "{why}");
    }

    #[test]
    fn the_listing_numbers_every_item_aligned() {
        let items: Vec<String> = (1..=10).map(|n| format!("role {n}")).collect();
        let text = listing("Role to assume", &items);
        assert!(
            text.starts_with("Role to assume:\n   1. role 1\n"),
            "{text}"
        );
        assert!(text.ends_with("  10. role 10\n"), "{text}");
    }

    /// `pick` with typed lines in order; what it picked and every text it showed.
    fn pick_with(typed: &[&str], default: usize) -> (Option<usize>, Vec<String>) {
        let mut typed = typed.iter();
        let mut shown = Vec::new();
        let picked = pick("Role to assume", &roles(), default, |text| {
            shown.push(text.to_string());
            Ok(typed.next().map(|line| line.to_string()))
        })
        .unwrap();
        (picked, shown)
    }

    #[test]
    fn pick_shows_the_menu_once_and_asks_again_after_a_bad_answer() {
        let (picked, shown) = pick_with(&["9", "dev"], 1);
        assert_eq!(picked, Some(0));
        assert_eq!(shown.len(), 2);
        assert!(
            shown[0].contains("  2. 222222222222/Admin\n"),
            "{}",
            shown[0]
        );
        assert!(shown[0].ends_with("Number or part of a name [2]: "));
        assert!(!shown[1].contains("Admin"), "the menu is not repeated");
        assert!(shown[1].starts_with("nothing matches '9'"), "{}", shown[1]);
    }

    #[test]
    fn pick_ends_with_the_input() {
        assert_eq!(pick_with(&["nothing like it"], 0).0, None);
    }

    #[test]
    fn a_default_past_the_end_is_the_last_item() {
        assert_eq!(pick_with(&[""], 7).0, Some(2));
    }

    #[test]
    fn nothing_to_choose_from_is_an_error_not_a_question() {
        let asked = pick("Role to assume", &[], 0, |_| panic!("asked"));
        assert!(asked.is_err());
    }
}
