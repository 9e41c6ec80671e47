use super::*;
use crate::RuleSet;

/// Texts of random tokens that make the shipped patterns (and the ones below) match, nearly
/// match and overlap.
fn texts() -> Vec<String> {
    let tokens = [
        "MRN",
        "mr#",
        "MR no.",
        "IMPRESSION",
        "Impression",
        "FINDINGS",
        "Chief complaint",
        "Hi",
        "Hello",
        "F",
        "male",
        "Med Rec #",
        "medical record",
        "EMPI",
        "epi",
        "chart no.",
        ":",
        "#",
        " ",
        "  ",
        "\t",
        "\n",
        "446-3973",
        "00482913",
        "AB0187589-01",
        "member",
        "Subscriber ID",
        "policy no",
        "Dear",
        "Mrs.",
        "Ms",
        "Ann",
        "Lee",
        "Patient",
        "PT:",
        "93",
        "9",
        "119",
        "1",
        "10",
        "y/o",
        "yo",
        "Y.O.",
        "years old",
        "yr-old",
        "age",
        "aged",
        "AGE:",
        "edad",
        "años",
        "101",
        "x",
        "_",
        "-",
        ".",
        "K",
        "s",
        "ab",
        "ba",
        "aba",
        "ok",
        "u",
        // Case variants of literals matched in their own case (`T`, `On`, `Is`) or any case.
        "the",
        "T",
        "Tsh",
        "TSH ",
        "total",
        "Total",
        "on",
        "On",
        "one",
        "is",
        "Is",
        "Na",
        "na",
        "k",
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut out = Vec::new();
    for _ in 0..400 {
        let mut t = String::new();
        for _ in 0..40 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            t.push_str(tokens[(seed % tokens.len() as u64) as usize]);
        }
        out.push(t);
    }
    // One plain line per shipped detector, so each is seen to match at least once.
    for line in [
        "MRN: 00482913, Member ID AB0187589-01, Dear Ann Lee, PT: Ann Lee",
        "age 93; a 94 y/o resident",
        "Bed 4: 67M s/p lap chole POD1; rm 12 - 81 yo F",
        "Acct # 00482913 past due; claim no. 1234567890 denied",
        "ZIP: 02139-1234 and codigo postal: 10001",
        "ZZTEST, TEST PATIENT, sample record, not a real patient",
        "Admit 97F; she is ninety-four years old",
        "From: Kayla <k@mail.example>; On Mon, Dec 1, 2026 Tyler <t@mail.example> wrote:",
        "TSH 7.9 mIU/L, Hgb 6.9 g/dL L, BP 148/86; CPT 99214",
        "BEGIN:VCARD\nFN:Sam Ortiz\nTITLE:Account Representative\nEND:VCARD",
        "BEGIN:VEVENT\nSUMMARY:Megan Cunningham\nLOCATION:Exam 3\nMRNs 4065877, Patient ID 6775592",
        "Employee: Marcus Bell; Injured worker: Dwayne Phillips",
        // Ninth pass (`59-phi-ninth.toml`, `clock-time`).
        "resource type: Practitioner\nresource type: Patient\nD2740 crown; subscriber # ABC 7788990011",
        "Order 4582103377612403 paid with card ending 7781 at 9:30 AM",
        "Med Rec #\tAccount\tDisch Date; Dx: CHF exacerbation, likely d/c 10/21",
        "ATTENDEE;CN=Ana Ruiz:mailto:ana.ruiz@gmail.com\nRoster: Ana Ruiz; Tom Brandt",
        "pt ana ruiz ph 555-201-3344 rash; 66 yo f lives on 12 elm st",
        // Tenth pass (`59-phi-shorthand.toml`).
        "Released to the funeral home: DOD 11/02/2026, time of death 03:12; INR was 4.6 tonight",
        "We represent Ann Lee and request her records; our client, Mr. Dariusz Nowak, agrees.",
    ] {
        out.push(line.to_string());
    }
    out
}

fn compare(pattern: &str, texts: &[String]) -> usize {
    let Some(fast) = Prefiltered::new(pattern, 1 << 20) else {
        panic!("{pattern}: no finite prefix set");
    };
    let re = regex::RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .expect("pattern compiles");
    let mut found = 0;
    for t in texts.iter().filter(|t| t.is_ascii()) {
        let want: Vec<(usize, usize)> = re.find_iter(t).map(|m| (m.start(), m.end())).collect();
        let mut got = Vec::new();
        let words = word_candidates(t.as_bytes(), &[Some(&fast)]);
        fast.for_each(t, &words[0], usize::MAX, |s, e| got.push((s, e)));
        assert_eq!(got, want, "{pattern}");
        found += got.len();
    }
    found
}

/// The shipped detectors all get a prefilter, and with the word starts of all of them found in
/// one pass it finds exactly what `find_iter` finds.
#[test]
fn shipped_patterns_match_like_find_iter() {
    let set = RuleSet::embedded_default();
    let fast: Vec<_> = set
        .compiled
        .custom
        .iter()
        .map(|d| d.fast.as_ref())
        .collect();
    // The rule set's two tables: detectors without `only_with` (walked) and with it.
    let part = |gated: bool| -> Vec<_> {
        let c = set.compiled.custom.iter();
        c.map(|d| d.fast.as_ref().filter(|_| d.only_with.is_some() == gated))
            .collect()
    };
    let (plain, gated) = (part(false), part(true));
    assert!(
        gated.iter().any(Option::is_some),
        "record-digits has only_with"
    );
    let mut found = vec![0; fast.len()];
    for t in texts() {
        let words = word_candidates(t.as_bytes(), &fast);
        // The tables compiled with the rule set are the same tables.
        let plain_words = set.compiled.word_starts.candidates(t.as_bytes());
        let gated_words = set.compiled.gated_word_starts.candidates(t.as_bytes());
        assert_eq!(plain_words, word_candidates(t.as_bytes(), &plain));
        assert_eq!(gated_words, word_candidates(t.as_bytes(), &gated));
        // And so are the lists filled during the keyword walk.
        let (_, walked) =
            (set.compiled.keywords).find_with_starts(t.as_bytes(), &set.compiled.word_starts);
        assert_eq!(walked, plain_words);
        for (i, d) in set.compiled.custom.iter().enumerate() {
            // Each detector's list from its table is its list from a table of all of them.
            let mine = if d.only_with.is_some() {
                &gated_words[i]
            } else {
                &plain_words[i]
            };
            assert_eq!(mine, &words[i], "{}", d.name);
            let Some(f) = d.fast.as_ref() else {
                panic!(
                    "every shipped detector has a prefilter: {} has none",
                    d.name
                )
            };
            let ascii = d.ascii.as_ref().expect("ASCII mode");
            let want: Vec<_> = ascii.find_iter(&t).map(|m| (m.start(), m.end())).collect();
            let mut got = Vec::new();
            f.for_each(&t, &words[i], usize::MAX, |s, e| got.push((s, e)));
            assert_eq!(got, want, "{}", d.name);
            found[i] += got.len();
        }
    }
    // Detectors of words in other scripts (`health-term-zh`) cannot match ASCII text.
    let ascii_only = set.compiled.custom.iter().map(|d| d.re.as_str().is_ascii());
    assert!(
        found.iter().zip(ascii_only).all(|(&n, a)| n > 0 || !a),
        "{found:?}"
    );
    for p in set.compiled.custom.iter() {
        compare(p.re.as_str(), &texts());
    }
}

/// Overlapping literals (`ab` inside `aba`), alternatives that prefer a shorter match, lazy
/// repetitions, boundaries that fail after a word byte, and literals not at a word start.
#[test]
fn tricky_patterns_match_like_find_iter() {
    let texts = texts();
    for p in [
        r"ab|ba",
        r"a(?:b|ba)+?",
        r"(?:aba|ab)a?",
        r"(?i)\b(?:9\d|1[01]\d)\b",
        r"(?i)\bAGE\b|yo\b",
        r"\b(?:Ms|K)\b\.?\s*\w*",
        r"(?i)e(?:pi|dad)\s*[:#]?\s*\d+",
        r"(?:_|-)[x1]\d",
    ] {
        assert!(compare(p, &texts) > 0, "{p} never matched");
    }
}

#[test]
fn no_prefilter_without_a_finite_prefix_set() {
    for p in [
        r"\w+",
        r"[A-Z]{0,3}\d{6}",
        r"x*",
        r"(?i)\b[a-z]+ years",
        r"a|",
    ] {
        assert!(Prefiltered::new(p, 1 << 20).is_none(), "{p}");
    }
    assert!(Prefiltered::new(r"\bab", 1 << 20).is_some_and(|p| p.word_start));
    assert!(Prefiltered::new(r"\b#a", 1 << 20).is_some_and(|p| !p.word_start));
    assert!(Prefiltered::new(r"\b_a", 1 << 20).is_some_and(|p| !p.word_start));
}

/// The match limit holds.
#[test]
fn stops_at_the_limit() {
    let fast = Prefiltered::new(r"\bab\b", 1 << 20).expect("prefix set");
    let (mut n, text) = (0, "ab ".repeat(100));
    let words = word_candidates(text.as_bytes(), &[Some(&fast)]);
    fast.for_each(&text, &words[0], 7, |_, _| n += 1);
    assert_eq!(n, 7);
}

/// Many word-start literals in all (three copies of the age detector's, more than 64), some in
/// the same buckets: each detector still gets every candidate.
#[test]
fn many_literals_match_like_find_iter() {
    let set = RuleSet::embedded_default();
    let age = set.compiled.custom.iter().find(|d| d.name == "age-over-89");
    let age = age.expect("the shipped age detector");
    let fast: Vec<_> = (0..3).map(|_| age.fast.as_ref()).collect();
    let ascii = age.ascii.as_ref().expect("ASCII mode");
    let mut found = 0;
    for t in texts() {
        let words = word_candidates(t.as_bytes(), &fast);
        let want: Vec<_> = ascii.find_iter(&t).map(|m| (m.start(), m.end())).collect();
        for w in (0..fast.len()).map(|d| &words[d]) {
            let mut got = Vec::new();
            age.fast
                .as_ref()
                .expect("prefilter")
                .for_each(&t, w, usize::MAX, |s, e| got.push((s, e)));
            assert_eq!(got, want);
            found += got.len();
        }
    }
    assert!(found > 0);
}

/// A detector whose every literal holds a non-ASCII byte is not searched on ASCII text; one
/// with an ASCII alternative still is.
#[test]
fn non_ascii_literals_skip_ascii_text() {
    let texts = vec!["thuoc and yao, cafe a".to_string()];
    assert_eq!(compare("(?:药|thuốc|医生)", &texts), 0);
    assert_eq!(compare("(?:café|cafe)", &texts), 1);
}

/// Literals written in one case are candidates only in that case (`the`, `one` are none of
/// `T\.? ?[Bb]ili`, `On `); a literal in every case (`[Ii]s `, `(?i:age)`) in any.
#[test]
fn word_literals_keep_their_case() {
    let pattern = r"\b(?:T\.? ?[Bb]ili|TSH|On [A-Z]|[Ii]s \d|(?i:age)\s*\d)";
    let fast = Prefiltered::new(pattern, 1 << 20).expect("a prefix set");
    let text = "the one on X On X Is 1 is 2 The T.bili Tbili AGE 3 Age 4 aGe 5 age 6 TSH total \
                island";
    let words = word_candidates(text.as_bytes(), &[Some(&fast)]);
    let got: Vec<&str> = words[0]
        .iter()
        .map(|&s| text[s as usize..].split(' ').next().unwrap_or(""))
        .collect();
    // `The` and `island` begin with a literal (`T`, `is`: cut at whitespace) but go on with
    // two bytes no match can continue with: their follow tables drop them.
    assert_eq!(
        got,
        [
            "On", "Is", "is", "T.bili", "Tbili", "AGE", "Age", "aGe", "age", "TSH"
        ]
    );
    compare(pattern, &texts());
}

/// Random texts of digits, the bytes that follow them in ages, dates and codes, and letters.
fn digit_texts() -> Vec<String> {
    let alphabet = b"0123456789  -/.:,yYoO/MFmfalex\n\t#";
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut out: Vec<String> = [
        "12/03/1960 67M 82 yo F 54 y/o male 3yoF 555-0123 2024 1234 M 10 m 99 y.o. 45yr-F",
        "67M",
        "6",
        "67",
        "678",
        "6789",
        "67 ",
        "1",
        "9 yo",
        "100 F",
        "7 yrs female",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for _ in 0..3000 {
        let len = (next() % 24) as usize;
        let t: String = (0..len)
            .map(|_| char::from(alphabet[(next() % alphabet.len() as u64) as usize]))
            .collect();
        out.push(t);
    }
    out
}

/// The run filter only skips starts where the anchored search finds no match (a superset test),
/// for the shipped `age-sex` and for patterns that end in, or right after, a run of digits.
#[test]
fn run_filter_never_skips_a_match() {
    let set = RuleSet::embedded_default();
    let age_sex = set.compiled.custom.iter().find(|d| d.name == "age-sex");
    let age_sex = age_sex.expect("age-sex is shipped").re.as_str().to_string();
    let texts = digit_texts();
    let mut skipped = 0;
    for p in [
        age_sex.as_str(),
        r"\b(?:[1-9]\d{1,2}\s?[MF]\b|\d{1,3}\s?-?\s?(?:yo|y/o)\b)",
        r"\b\d+\s?[MF]\b",
        r"[0-9]+(?:x|\.5)",
        r"\d{1,2}(?:/\d\d)?-",
        r"(?i)[a-c]{1,3}[0-9]",
        r"[0-9][0-9]?",
        r"\d+\b",
    ] {
        let f = Prefiltered::new(p, 1 << 20).unwrap_or_else(|| panic!("{p}: no prefix set"));
        let mut cache = None;
        for t in &texts {
            let hay = t.as_bytes();
            for s in 0..hay.len() {
                if f.run_filter.as_ref().is_some_and(|r| !r.may_match(hay, s)) {
                    skipped += 1;
                    assert_eq!(f.anchored(hay, s, &mut cache), None, "{p} at {s} of {t:?}");
                }
            }
        }
        compare(p, &texts);
    }
    assert!(skipped > 10_000, "{skipped}");
    // Built for digit patterns whose matches cannot end inside a bounded run; not for a match
    // that may end inside the run, a run of any length, or longer literals.
    let built = |p: &str| Prefiltered::new(p, 1 << 20).is_some_and(|f| f.run_filter.is_some());
    assert!(built(&age_sex));
    assert!(!built(r"[0-9][0-9]?") && !built(r"\b\d+\s?[MF]\b") && !built(r"\bMRN\d+"));
}

/// A word-start candidate stays only where the two bytes after its literal may continue a
/// match (`literal_filter`): `room our` and `roomy` are no candidates of a room number, `room
/// 12`, `Room #4` and a `room` too near the end to tell are; the matches are `find_iter`'s.
#[test]
fn follow_tables_drop_candidates_no_match_continues() {
    let pattern = r"(?i)\broom\s*#?\s*\d+";
    let fast = Prefiltered::new(pattern, 1 << 20).expect("a prefix set");
    let text = "room our room 12 roomy Room #4 room";
    let words = word_candidates(text.as_bytes(), &[Some(&fast)]);
    assert_eq!(words[0], [9, 23, 31]);
    let mut got = Vec::new();
    fast.for_each(text, &words[0], usize::MAX, |s, e| got.push((s, e)));
    assert_eq!(got, [(9, 16), (23, 30)]);
    compare(pattern, &texts());
}

/// The word-start table's buckets keep a literal's first letter in its case and its next
/// bytes to those a match may have (from the DFA): `review` is no candidate of `Review`, `the`
/// and `to` none of `T\.? ?[Bb]ili`, a number of four digits none of an age of at most three,
/// nor the digits before a `/` or `,`; the matches stay `find_iter`'s.
#[test]
fn buckets_drop_words_no_literal_can_begin() {
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            r"\b(?:Review of [Ss]ystems|REVIEW OF SYSTEMS|resident)\b",
            "review Review of systems resident REVIEW OF SYSTEMS Resident",
            &["Review", "resident", "REVIEW"],
        ),
        (
            r"\bT\.? ?[Bb]ili\b",
            "the to T.bili tab T bili Tbili",
            &["T.bili", "T", "Tbili"],
        ),
        (
            r"\b\d{1,3}\s?(?:yo|y/o)\b",
            "2024 yo 82 yo 1234 y/o 245yo 67",
            &["82", "245yo", "67"],
        ),
        (
            // `\s` takes the vertical tab and the form feed, classed with the other spaces:
            // the `/` of a date and the `,` of an amount are not.
            r"\b\d{1,3}\s?(?:yo|y/o)\b",
            "12/5 yo 1,234 yo 45 yo 100\x0byo",
            &["5", "234", "45", "100\x0byo"],
        ),
    ];
    for (pattern, text, want) in cases {
        let fast = Prefiltered::new(pattern, 1 << 20).expect("a prefix set");
        let words = word_candidates(text.as_bytes(), &[Some(&fast)]);
        let got: Vec<&str> = words[0]
            .iter()
            .map(|&s| text[s as usize..].split(' ').next().unwrap_or(""))
            .collect();
        assert_eq!(got, want, "{pattern}");
        compare(pattern, &texts());
        compare(pattern, &digit_texts());
    }
}

/// Past a literal the extractor cut (every spelling of `policy` and the rest is too many),
/// or when the expression has too many byte classes for a pair table, the follow table still
/// drops a word at the first byte no match can have there, up to the word's eighth byte:
/// `your project` and `your pa ` are no candidates of `[Yy]our (?:client|patient),`; `your
/// patient,` is.
#[test]
fn follow_tables_look_past_the_pair() {
    let pattern = r"\b[Yy]our (?:client|patient),[ \t]*(?u:\p{Lu}\p{Ll}+)";
    let fast = Prefiltered::new(pattern, 1 << 20).expect("a prefix set");
    let text = "your project your patient, Ann your pa your client, Bo";
    let words = word_candidates(text.as_bytes(), &[Some(&fast)]);
    assert_eq!(words[0], [13, 39]);
    let mut got = Vec::new();
    fast.for_each(text, &words[0], usize::MAX, |s, e| got.push((s, e)));
    assert_eq!(got, [(13, 30), (39, 54)]);
    compare(pattern, &texts());
    // `health-plan-id`'s words, which the extractor cuts (`poli`): a byte the paths reject
    // after a byte they allow (`policy and`: `#` may be followed by a letter, a space not by
    // `a`).
    let pattern = r"(?i)\b(?:member|mbr|subscriber|beneficiary|policy|insurance|ins)\.?\s*(?:id|no\.?|number|#)\s*[:#]?\s*[A-Z]{0,4}-?\d[A-Z0-9]{6,14}\b";
    let fast = Prefiltered::new(pattern, 1 << 20).expect("a prefix set");
    let text = "policy and policy review policy #A1234567 member id 12345678 policyholder";
    let words = word_candidates(text.as_bytes(), &[Some(&fast)]);
    assert_eq!(words[0], [25, 42]);
    compare(pattern, &texts());
}
