//! OCR of attached images and image-only PDF pages with Debian's `tesseract` (tesseract-ocr).
//!
//! Bounded like every extractor: at most [`MAX_PAGES`] images per document (more is
//! [`ExtractFailure::Limit`]), at most [`MAX_CONCURRENT`] tesseract processes at once in this
//! process and as many image extraction children of a [`super::child::ChildProcess`] (a caller
//! waits for a slot until its deadline; a scanned PDF's pages are read inside its own child), each one killed at the extraction
//! deadline, its output capped by the budget. OCR that is switched off (`SEALGATE_OCR=off`),
//! absent (no `tesseract` on `PATH`) or out of budget is a failure, so the part counts as
//! unscannable and the rules fail closed. Images are passed on stdin and text read from stdout:
//! nothing touches the disk.

use super::{Budget, ExtractFailure};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Condvar, Mutex};
use std::time::Instant;
use wait_timeout::ChildExt;

/// Most images (pages) read by OCR in one document.
pub const MAX_PAGES: usize = 10;
/// Most tesseract processes at once.
pub const MAX_CONCURRENT: usize = 2;
/// Environment variable that switches OCR off (`off`).
pub const OCR_ENV: &str = "SEALGATE_OCR";

static SLOTS: Mutex<usize> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

/// A held tesseract slot, given back on drop.
pub(crate) struct Slot;

impl Slot {
    /// Waits for a free slot until `deadline`.
    pub(crate) fn take(deadline: Instant) -> Result<Slot, ExtractFailure> {
        let mut used = SLOTS.lock().map_err(|_| ExtractFailure::Crashed)?;
        while *used >= MAX_CONCURRENT {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ExtractFailure::Timeout);
            }
            used = FREED
                .wait_timeout(used, left)
                .map_err(|_| ExtractFailure::Crashed)?
                .0;
        }
        *used += 1;
        Ok(Slot)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut used) = SLOTS.lock() {
            *used = used.saturating_sub(1);
        }
        FREED.notify_one();
    }
}

/// An image file format tesseract reads, by its leading bytes.
pub fn is_image(b: &[u8]) -> bool {
    b.starts_with(b"\x89PNG\r\n\x1a\n")
        || b.starts_with(b"\xff\xd8\xff")
        || b.starts_with(b"II*\0")
        || b.starts_with(b"MM\0*")
        || b.starts_with(b"GIF87a")
        || b.starts_with(b"GIF89a")
        || b.starts_with(b"P5\n")
        || b.starts_with(b"P6\n")
}

/// The text tesseract reads in one image (PNG, JPEG, TIFF, GIF, PGM/PPM).
pub fn image_text(image: &[u8], budget: &mut Budget) -> Result<String, ExtractFailure> {
    if std::env::var(OCR_ENV).is_ok_and(|v| v.eq_ignore_ascii_case("off")) {
        return Err(ExtractFailure::Unrecognised);
    }
    let _slot = Slot::take(budget.deadline)?;
    let mut child = Command::new("tesseract")
        .args(["stdin", "stdout", "--psm", "3"])
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        // Not installed: OCR absent, the image stays unread.
        .map_err(|_| ExtractFailure::Unrecognised)?;
    let mut stdin = child.stdin.take().ok_or(ExtractFailure::Crashed)?;
    let mut stdout = child.stdout.take().ok_or(ExtractFailure::Crashed)?;
    let input = image.to_vec();
    let writer = std::thread::spawn(move || {
        // A tesseract that exits early closes the pipe; its exit status tells.
        let _ = stdin.write_all(&input);
    });
    let cap = budget.remaining().saturating_add(1) as u64;
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = (&mut stdout).take(cap).read_to_end(&mut out);
        out
    });
    let left = budget.deadline.saturating_duration_since(Instant::now());
    let status = match child.wait_timeout(left) {
        Ok(Some(s)) => Some(s),
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            None
        }
    };
    let _ = writer.join();
    let out = reader.join().map_err(|_| ExtractFailure::Crashed)?;
    match status {
        None => Err(ExtractFailure::Timeout),
        Some(s) if s.success() => {
            budget.spend(out.len())?;
            Ok(String::from_utf8_lossy(&out).into_owned())
        }
        Some(_) => Err(ExtractFailure::Malformed),
    }
}

/// The text of several images (the pages of a scanned PDF), within the page budget.
pub fn pages_text(images: &[Vec<u8>], budget: &mut Budget) -> Result<String, ExtractFailure> {
    if images.len() > MAX_PAGES {
        return Err(ExtractFailure::Limit);
    }
    let mut out = String::new();
    for img in images {
        budget.tick()?;
        out.push_str(&image_text(img, budget)?);
        out.push('\n');
    }
    Ok(out)
}

/// A PGM (grey) or PPM (colour) file of raw 8-bit samples, undoing PNG row predictors
/// (`/Predictor` ≥ 10 in a PDF's `/DecodeParms`). `None` when the sizes do not add up.
pub fn netpbm(
    raw: &[u8],
    width: usize,
    height: usize,
    colours: usize,
    png: bool,
) -> Option<Vec<u8>> {
    let row = width.checked_mul(colours)?;
    let stride = row + usize::from(png);
    if width == 0 || height == 0 || raw.len() < stride.checked_mul(height)? {
        return None;
    }
    let magic = if colours == 1 { "P5" } else { "P6" };
    let mut out = format!("{magic}\n{width} {height}\n255\n").into_bytes();
    let header = out.len();
    out.resize(header + row * height, 0);
    for y in 0..height {
        let src = &raw[y * stride..(y + 1) * stride];
        let (filter, data) = if png { (src[0], &src[1..]) } else { (0, src) };
        let (done, rest) = out[header..].split_at_mut(y * row);
        let prev = if y > 0 {
            Some(&done[(y - 1) * row..])
        } else {
            None
        };
        let cur = &mut rest[..row];
        for x in 0..row {
            let a = if x >= colours { cur[x - colours] } else { 0 };
            let b = prev.map_or(0, |p| p[x]);
            let c = if x >= colours {
                prev.map_or(0, |p| p[x - colours])
            } else {
                0
            };
            let pred = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                4 => paeth(a, b, c),
                _ => return None,
            };
            cur[x] = data[x].wrapping_add(pred);
        }
    }
    Some(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_predictors_are_undone() {
        // 2×2 grey, rows filtered Sub (1) and Up (2).
        let raw = [1, 10, 5, 2, 1, 1];
        let img = netpbm(&raw, 2, 2, 1, true).unwrap();
        assert_eq!(&img[img.len() - 4..], &[10, 15, 11, 16]);
        assert!(netpbm(&raw, 3, 2, 1, true).is_none(), "sizes do not add up");
    }
}
