//! Unit tests of `content`.

use super::*;

#[test]
fn invisible_characters_cannot_split_numbers() {
    assert_eq!(normalise("１２３\u{ad}-45\u{200b}-6789"), "123-45-6789");
}

#[test]
fn container_count_matches_the_line_walk() {
    let raws: [&[u8]; 5] = [
        b"Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-type:message/rfc822\r\n",
        b"X-Content-Type: multipart/x\ncontent-type:\n multipart/y\nCONTENT-TYPE: \tMessage/partial\n",
        b"content-type: multipa",
        b"body text: content-type: multipart/mixed\n\ncontent-type: text/plain\n",
        b"",
    ];
    for raw in raws {
        assert_eq!(
            containers(raw),
            containers_by_line(raw),
            "{:?}",
            String::from_utf8_lossy(raw)
        );
    }
    assert_eq!(containers(raws[1]), 1);
}

#[test]
fn container_count_is_case_insensitive() {
    let raw =
        b"Content-Type: Multipart/mixed; boundary=a\r\n\r\n--a\r\ncontent-type: message/rfc822\r\n";
    assert_eq!(containers(raw), 2);
}
