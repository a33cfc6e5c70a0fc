//! The Windows console, where Unix has /dev/tty: its own input and output (`CONIN$`,
//! `CONOUT$`), so questions reach the person whatever standard input, output and error are
//! redirected to. Text goes through ReadConsoleW/WriteConsoleW, as UTF-16: bytes written to
//! or read from a console handle pass through its code page, which mangles any name that is
//! not ASCII.
//!
//! Hand-written because no crate does this on the console's own handles: rpassword reads
//! one key at a time in a mode that Ctrl-C does not end and whose saved state it keeps to
//! itself; console and dialoguer read keys from standard input only. Lines are read in the
//! console's line mode, so the console edits them (backspace, arrows) as at its prompt.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::windows::io::AsRawHandle;
use std::sync::Mutex;

use windows_sys::Win32::Foundation::{ERROR_OPERATION_ABORTED, HANDLE};
use windows_sys::Win32::System::Console::{
    CONSOLE_MODE, ENABLE_ECHO_INPUT, ENABLE_LINE_INPUT, ENABLE_PROCESSED_INPUT, GetConsoleMode,
    ReadConsoleW, SetConsoleMode, WriteConsoleW,
};

/// Whether what is typed is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Echo {
    Shown,
    Hidden,
}

/// The console attached to this process.
#[derive(Debug)]
pub struct Console {
    input: File,
    output: File,
    /// The input mode a read changed, to put back if Ctrl-C ends the program during it.
    mode_to_restore: Mutex<Option<CONSOLE_MODE>>,
}

impl Console {
    /// The console, when this process has one: without one (a service, a process started
    /// detached) `CONIN$` cannot be opened.
    pub fn open() -> Option<Console> {
        let open = |name: &str| OpenOptions::new().read(true).write(true).open(name).ok();
        let console = Console {
            input: open("CONIN$")?,
            output: open("CONOUT$")?,
            mode_to_restore: Mutex::new(None),
        };
        // A console handle has a mode; anything else by that name does not.
        console.input_mode().ok()?;
        Some(console)
    }

    /// Show `text` (`\n` line ends are the console's own).
    pub fn write(&self, text: &str) -> io::Result<()> {
        let wide: Vec<u16> = text.encode_utf16().collect();
        let mut rest = &wide[..];
        while !rest.is_empty() {
            let chunk = rest.len().min(32 * 1024);
            let mut written = 0u32;
            // SAFETY: the pointer and length describe `rest`'s first `chunk` UTF-16 units,
            // alive for the call; the handle is our open CONOUT$.
            let ok = unsafe {
                WriteConsoleW(
                    handle(&self.output),
                    rest.as_ptr(),
                    chunk as u32,
                    &mut written,
                    std::ptr::null(),
                )
            };
            if ok == 0 {
                return Err(io::Error::last_os_error());
            }
            if written == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            rest = &rest[(written as usize).min(rest.len())..];
        }
        Ok(())
    }

    /// One line typed, without its line end; `None` when the input ended or Ctrl-C ended
    /// the read. The input mode is set for the read (line mode, echo as `echo` says) and put
    /// back after it.
    pub fn read_line(&self, echo: Echo) -> io::Result<Option<String>> {
        // Ctrl-C during the read ends the program (exit 130): the handler puts the mode back
        // first (`restore_after_interrupt`). A read in line mode is not ended by Ctrl-C on
        // every console (Wine's goes on reading), so it cannot be left to cancel it.
        super::interrupt::install_handler();
        let saved = self.input_mode()?;
        let line_mode = saved | ENABLE_LINE_INPUT | ENABLE_PROCESSED_INPUT;
        let mode = match echo {
            Echo::Shown => line_mode | ENABLE_ECHO_INPUT,
            Echo::Hidden => line_mode & !ENABLE_ECHO_INPUT,
        };
        *self.lock_mode_to_restore() = Some(saved);
        let read = self
            .set_input_mode(mode)
            .and_then(|()| self.read_until_line_end());
        self.lock_mode_to_restore().take();
        self.set_input_mode(saved)?;
        let line = read?;
        if echo == Echo::Hidden && line.is_some() {
            // The Enter was not echoed either.
            self.write("\n")?;
        }
        Ok(line)
    }

    /// Put back the input mode of a read that Ctrl-C is ending the program during.
    pub fn restore_after_interrupt(&self) {
        if let Some(mode) = self.lock_mode_to_restore().take() {
            let _ = self.set_input_mode(mode);
        }
    }

    fn read_until_line_end(&self) -> io::Result<Option<String>> {
        let mut line: Vec<u16> = Vec::new();
        while line.last() != Some(&u16::from(b'\n')) {
            let mut buffer = [0u16; 512];
            let mut read = 0u32;
            // SAFETY: the buffer is ours and as long as said; no read control (a plain line).
            let ok = unsafe {
                ReadConsoleW(
                    handle(&self.input),
                    buffer.as_mut_ptr().cast(),
                    buffer.len() as u32,
                    &mut read,
                    std::ptr::null(),
                )
            };
            if ok == 0 {
                let error = io::Error::last_os_error();
                return match error.raw_os_error() {
                    Some(code) if code == ERROR_OPERATION_ABORTED as i32 => Ok(None),
                    _ => Err(error),
                };
            }
            // Nothing read: Ctrl-C on Windows' own console (it reports ERROR_OPERATION_ABORTED
            // with success), or the end of the input.
            if read == 0 {
                return Ok(None);
            }
            line.extend_from_slice(&buffer[..(read as usize).min(buffer.len())]);
        }
        Ok(line_typed(&line))
    }

    fn input_mode(&self) -> io::Result<CONSOLE_MODE> {
        let mut mode = 0;
        // SAFETY: `mode` is ours to write; the handle is our open CONIN$.
        if unsafe { GetConsoleMode(handle(&self.input), &mut mode) } == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(mode)
    }

    fn set_input_mode(&self, mode: CONSOLE_MODE) -> io::Result<()> {
        // SAFETY: only sets flags on our open CONIN$.
        if unsafe { SetConsoleMode(handle(&self.input), mode) } == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    fn lock_mode_to_restore(&self) -> std::sync::MutexGuard<'_, Option<CONSOLE_MODE>> {
        self.mode_to_restore
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn handle(file: &File) -> HANDLE {
    file.as_raw_handle() as HANDLE
}

/// The text of a line read in line mode (UTF-16, ending `\r\n`): without the line end; `None`
/// for Ctrl-Z, the console's end of input.
fn line_typed(line: &[u16]) -> Option<String> {
    let text = String::from_utf16_lossy(line);
    if text.starts_with('\u{1a}') {
        return None;
    }
    Some(text.trim_end_matches(['\r', '\n']).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wide(text: &str) -> Vec<u16> {
        text.encode_utf16().collect()
    }

    #[test]
    fn a_line_loses_its_line_end_and_keeps_the_rest() {
        assert_eq!(
            line_typed(&wide(" Jürgen \r\n")).as_deref(),
            Some(" Jürgen ")
        );
        assert_eq!(line_typed(&wide("\r\n")).as_deref(), Some(""));
    }

    #[test]
    fn ctrl_z_ends_the_input() {
        assert_eq!(line_typed(&wide("\u{1a}\r\n")), None);
    }
}
