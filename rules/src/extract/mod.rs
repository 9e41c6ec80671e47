//! Text extraction from attached documents: PDF, DOCX, XLSX, PPTX, RTF, legacy OLE2 Office
//! files, images and image-only PDF pages by OCR ([`ocr`], tesseract), and plain text inside ZIP
//! archives and gzip files.
//!
//! Guarantees: every parser here is our own bounded code — no recursion deeper than
//! [`MAX_NESTED_ARCHIVES`], decompression stops at the [`Budget`]'s byte limit (so a zip bomb
//! costs at most that much memory), loops check the budget's deadline, and output is capped. A
//! limit hit, malformed input or an encrypted document is an [`ExtractFailure`], which the
//! classifier turns into its fail-closed action.
//!
//! Where it runs is the [`Extractor`]'s choice: [`InProcess`] (budgets plus `catch_unwind`) or
//! [`child::ChildProcess`], which runs [`child::extractor_main`] in a separate process under
//! `RLIMIT_AS` / `RLIMIT_CPU` and a wall-clock kill, so even a bug that loops or allocates without
//! bound cannot hurt the gateway.

pub mod child;
mod gzip;
pub mod ocr;
mod ole2;
mod ooxml;
mod pdf;
mod rtf;
mod xlsx;
mod zip;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

/// How deep archives inside archives are opened.
pub const MAX_NESTED_ARCHIVES: u32 = 2;

/// A document type the extractor understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// PDF.
    Pdf,
    /// A ZIP container: DOCX, XLSX, PPTX, or a plain archive.
    Zip,
    /// Rich Text Format.
    Rtf,
    /// A legacy Office compound file (`.doc`, `.xls`, `.ppt`).
    Ole2,
    /// An image (PNG, JPEG, TIFF, GIF): read by OCR.
    Image,
    /// A gzip file (a compressed log or CSV).
    Gzip,
}

impl DocKind {
    /// Recognises a document by its leading bytes.
    pub fn sniff(bytes: &[u8]) -> Option<DocKind> {
        let head = &bytes[..bytes.len().min(1024)];
        if head.windows(5).any(|w| w == b"%PDF-") {
            Some(DocKind::Pdf)
        } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            Some(DocKind::Zip)
        } else if bytes.starts_with(b"{\\rtf") {
            Some(DocKind::Rtf)
        } else if bytes.starts_with(ole2::MAGIC) {
            Some(DocKind::Ole2)
        } else if ocr::is_image(bytes) {
            Some(DocKind::Image)
        } else if bytes.starts_with(gzip::MAGIC) {
            Some(DocKind::Gzip)
        } else {
            None
        }
    }

    /// One-byte code used on the child-process pipe.
    pub fn code(self) -> u8 {
        match self {
            DocKind::Pdf => b'P',
            DocKind::Zip => b'Z',
            DocKind::Rtf => b'R',
            DocKind::Ole2 => b'O',
            DocKind::Image => b'I',
            DocKind::Gzip => b'G',
        }
    }

    /// Inverse of [`DocKind::code`].
    pub fn from_code(c: u8) -> Option<DocKind> {
        match c {
            b'P' => Some(DocKind::Pdf),
            b'Z' => Some(DocKind::Zip),
            b'R' => Some(DocKind::Rtf),
            b'O' => Some(DocKind::Ole2),
            b'I' => Some(DocKind::Image),
            b'G' => Some(DocKind::Gzip),
            _ => None,
        }
    }
}

/// Why a document could not be scanned. Deliberately carries no detail from the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtractFailure {
    /// A size, depth or count limit was hit (zip bomb, huge document).
    Limit,
    /// The time budget ran out.
    Timeout,
    /// The document is malformed beyond what the parser recovers from.
    Malformed,
    /// The document is password-protected or encrypted.
    Encrypted,
    /// The parser crashed (panic, signal, resource limit in the child).
    Crashed,
    /// Neither text nor a document kind this build reads (`.gz`, OLE2, an image without OCR…).
    Unrecognised,
}

impl ExtractFailure {
    /// Stable name for explanations and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            ExtractFailure::Limit => "limit",
            ExtractFailure::Timeout => "timeout",
            ExtractFailure::Malformed => "malformed",
            ExtractFailure::Encrypted => "encrypted-document",
            ExtractFailure::Crashed => "crashed",
            ExtractFailure::Unrecognised => "unrecognised",
        }
    }

    /// Exit code used by the child process.
    pub fn exit_code(self) -> i32 {
        match self {
            ExtractFailure::Limit => 3,
            ExtractFailure::Timeout => 4,
            ExtractFailure::Malformed => 5,
            ExtractFailure::Encrypted => 6,
            ExtractFailure::Crashed => 7,
            ExtractFailure::Unrecognised => 8,
        }
    }

    /// Inverse of [`ExtractFailure::exit_code`]; anything else is a crash.
    pub fn from_exit_code(code: i32) -> ExtractFailure {
        match code {
            3 => ExtractFailure::Limit,
            4 => ExtractFailure::Timeout,
            5 => ExtractFailure::Malformed,
            6 => ExtractFailure::Encrypted,
            8 => ExtractFailure::Unrecognised,
            _ => ExtractFailure::Crashed,
        }
    }
}

/// Limits for one extraction.
#[derive(Debug, Clone)]
pub struct Budget {
    /// Most bytes decompressed in total and most text produced.
    pub max_bytes: usize,
    /// Deadline.
    pub deadline: Instant,
    used: usize,
}

impl Budget {
    /// A budget of `max_bytes` and `timeout` from now.
    pub fn new(max_bytes: usize, timeout: Duration) -> Budget {
        Budget {
            max_bytes,
            deadline: Instant::now() + timeout,
            used: 0,
        }
    }

    /// Bytes still available.
    pub fn remaining(&self) -> usize {
        self.max_bytes.saturating_sub(self.used)
    }

    /// Accounts `n` decompressed or produced bytes.
    pub fn spend(&mut self, n: usize) -> Result<(), ExtractFailure> {
        self.used = self.used.saturating_add(n);
        if self.used > self.max_bytes {
            return Err(ExtractFailure::Limit);
        }
        self.tick()
    }

    /// Fails once the deadline has passed.
    pub fn tick(&self) -> Result<(), ExtractFailure> {
        if Instant::now() > self.deadline {
            Err(ExtractFailure::Timeout)
        } else {
            Ok(())
        }
    }
}

/// Extracts the text of a document of kind `kind`.
pub fn extract_text(
    kind: DocKind,
    bytes: &[u8],
    budget: &mut Budget,
) -> Result<String, ExtractFailure> {
    extract_nested(kind, bytes, budget, 0)
}

fn extract_nested(
    kind: DocKind,
    bytes: &[u8],
    budget: &mut Budget,
    depth: u32,
) -> Result<String, ExtractFailure> {
    match kind {
        DocKind::Pdf => pdf::text(bytes, budget),
        DocKind::Rtf => rtf::text(bytes, budget),
        DocKind::Zip => ooxml::text(bytes, budget, depth),
        DocKind::Ole2 => ole2::text(bytes, budget),
        DocKind::Image => ocr::image_text(bytes, budget),
        DocKind::Gzip => gzip::text(bytes, budget, depth),
    }
}

/// Runs extraction somewhere it can be stopped.
pub trait Extractor: Send + Sync + std::fmt::Debug {
    /// Extracts text within `max_bytes` and `timeout`.
    fn extract(
        &self,
        kind: DocKind,
        bytes: &[u8],
        max_bytes: usize,
        timeout: Duration,
    ) -> Result<String, ExtractFailure>;
}

/// Extraction on the calling thread, with budgets and `catch_unwind`. Used by tests, by
/// `sealgate explain`, and by the gateway when no child-process extractor is configured: the
/// parsers are our own bounded code (see the module docs), so the budget limits both time and
/// memory; a panic is caught and reported as [`ExtractFailure::Crashed`].
#[derive(Debug, Default, Clone, Copy)]
pub struct InProcess;

impl Extractor for InProcess {
    fn extract(
        &self,
        kind: DocKind,
        bytes: &[u8],
        max_bytes: usize,
        timeout: Duration,
    ) -> Result<String, ExtractFailure> {
        let mut budget = Budget::new(max_bytes, timeout);
        catch_unwind(AssertUnwindSafe(|| extract_text(kind, bytes, &mut budget)))
            .unwrap_or(Err(ExtractFailure::Crashed))
    }
}
