//! Per-tenant secret tokens: the value the tenant's platform stamps on every message in the
//! token header (an Exchange transport rule or Google's "Add custom headers" can only set a
//! fixed value). Kept as a SHA-256 digest and compared in constant time.

use sha2::{Digest, Sha256};

/// The header field carrying the token (removed before the message goes on).
pub const TOKEN_HEADER: &str = "X-Sealgate-Token";

/// Shortest token accepted from a token file.
pub const MIN_TOKEN_LEN: usize = 32;

/// A tenant's token, as a digest.
#[derive(Clone, PartialEq, Eq)]
pub struct Token([u8; 32]);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)")
    }
}

/// Why a token file's content is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Shorter than [`MIN_TOKEN_LEN`] after trimming.
    #[error("token is shorter than {MIN_TOKEN_LEN} characters")]
    TooShort,
    /// Not printable ASCII (a header value must be).
    #[error("token must be printable ASCII without spaces")]
    NotPrintable,
}

impl Token {
    /// A token from a token file's content (surrounding white space trimmed).
    pub fn from_file_content(content: &[u8]) -> Result<Token, TokenError> {
        let t = content.trim_ascii();
        if t.len() < MIN_TOKEN_LEN {
            return Err(TokenError::TooShort);
        }
        if !t.iter().all(|b| b.is_ascii_graphic()) {
            return Err(TokenError::NotPrintable);
        }
        Ok(Token(Sha256::digest(t).into()))
    }

    /// True when `presented` (a header value, trimmed) is this token. The digests are compared
    /// in constant time, so timing tells nothing about the token.
    pub fn matches(&self, presented: &[u8]) -> bool {
        let d: [u8; 32] = Sha256::digest(presented.trim_ascii()).into();
        d.iter()
            .zip(self.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_matches_itself_only() {
        let t = Token::from_file_content(b"0123456789abcdef0123456789abcdef\n").unwrap();
        assert!(t.matches(b" 0123456789abcdef0123456789abcdef "));
        assert!(!t.matches(b"0123456789abcdef0123456789abcdeX"));
        assert!(!t.matches(b""));
        assert_eq!(
            Token::from_file_content(b"short"),
            Err(TokenError::TooShort)
        );
        assert_eq!(
            Token::from_file_content(b"0123456789abcdef 0123456789abcdef"),
            Err(TokenError::NotPrintable)
        );
    }
}
