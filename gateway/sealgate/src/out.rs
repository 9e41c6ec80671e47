//! Command output that survives a closed pipe.
//!
//! `println!` panics when stdout is a pipe whose reader has gone (`sealgate queue list | head`).
//! [`outln!`] writes the same line but, when stdout can no longer be written, ends the process
//! quietly with the status a shell reports for SIGPIPE (141), as Unix tools do.

/// `println!` for command output; exits with status 141 when stdout is closed.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(141);
        }
    }};
}
