//! A link as a QR code for the terminal, so that the Identity Engine sign-in can be finished
//! on a phone. Encoding and rendering are the `qrcode` crate's; this only picks the options:
//! two modules a character cell (Unicode half blocks), the quiet zone the standard asks for,
//! and light modules drawn as blocks, which shows right on the usual dark terminal (on a
//! light one the code shows inverted, which phone cameras read as well).

use qrcode::render::unicode::Dense1x2;
use qrcode::{EcLevel, QrCode};

/// The widest code shown: a standard terminal's 80 columns, quiet zone included. A longer
/// link (a console sign-in URL) makes a code no terminal shows whole; it is left out.
pub const MAX_COLUMNS: usize = 80;

/// The quiet zone the renderer draws around the code, in modules, on each side.
const QUIET_ZONE: usize = 4;

/// `text` as a QR code of Unicode half blocks, lines joined by `\n` (no final newline); `None`
/// when it would be wider than `MAX_COLUMNS`.
pub fn terminal_qr(text: &str) -> Option<String> {
    // Level L (7 % recovery) keeps the code smallest; a screen is not a worn-out label.
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L).ok()?;
    if code.width() + 2 * QUIET_ZONE > MAX_COLUMNS {
        return None;
    }
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rendered text back as a greyscale image (a block's upper or lower half lit =
    /// a light module), `scale` pixels a module.
    fn as_image(rendered: &str, scale: usize) -> (usize, usize, Vec<u8>) {
        let rows: Vec<Vec<char>> = rendered.lines().map(|l| l.chars().collect()).collect();
        let columns = rows[0].len();
        assert!(rows.iter().all(|r| r.len() == columns), "ragged rows");
        let mut modules: Vec<Vec<bool>> = Vec::new(); // true = light
        for row in &rows {
            let (upper, lower): (Vec<bool>, Vec<bool>) = row
                .iter()
                .map(|c| match c {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    ' ' => (false, false),
                    other => panic!("unexpected character {other:?}"),
                })
                .unzip();
            modules.push(upper);
            modules.push(lower);
        }
        let (width, height) = (columns * scale, modules.len() * scale);
        let mut pixels = vec![0u8; width * height];
        for (y, pixel_row) in pixels.chunks_mut(width).enumerate() {
            for (x, pixel) in pixel_row.iter_mut().enumerate() {
                *pixel = if modules[y / scale][x / scale] {
                    255
                } else {
                    0
                };
            }
        }
        (width, height, pixels)
    }

    fn decode(rendered: &str) -> String {
        let (width, height, pixels) = as_image(rendered, 4);
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
            pixels[y * width + x]
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one code expected");
        let (_, content) = grids[0].decode().expect("the code decodes");
        content
    }

    #[test]
    fn a_sign_in_link_decodes_back_to_itself() {
        let link = "https://acme.okta.com/activate?user_code=WDJB-MJHT";
        let rendered = terminal_qr(link).expect("short links fit");
        assert_eq!(decode(&rendered), link);
    }

    #[test]
    fn it_has_the_quiet_zone_and_two_modules_a_line() {
        let link = "https://acme.okta.com/activate?user_code=WDJB-MJHT";
        let rendered = terminal_qr(link).unwrap();
        let code = QrCode::with_error_correction_level(link, EcLevel::L).unwrap();
        let side = code.width() + 2 * QUIET_ZONE;
        let lines: Vec<&str> = rendered.lines().collect();
        assert_eq!(lines.len(), side.div_ceil(2));
        assert!(lines.iter().all(|l| l.chars().count() == side));
        // The quiet zone is light: the first line is all blocks.
        assert!(lines[0].chars().all(|c| c == '█'), "{}", lines[0]);
        assert!(!rendered.ends_with('\n'));
    }

    #[test]
    fn a_link_too_long_for_a_terminal_is_left_out() {
        let link = |length: usize| {
            let base = "https://acme.okta.com/activate?user_code=";
            format!("{base}{}", "a".repeat(length - base.len()))
        };
        // Lower case is byte mode: 300 bytes need version 11 at level L (61 modules, 69
        // columns), 420 bytes version 13 (69 modules, 77 columns): shown.
        for fits in [300, 420] {
            let rendered = terminal_qr(&link(fits)).expect("fits");
            assert!(rendered.lines().all(|l| l.chars().count() <= MAX_COLUMNS));
        }
        // 450 bytes need version 14 (73 modules, 81 columns), a console URL far more.
        assert_eq!(terminal_qr(&link(450)), None);
        assert_eq!(terminal_qr(&link(1500)), None);
    }
}
