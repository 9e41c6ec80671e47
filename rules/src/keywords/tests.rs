//! Unit tests of `keywords`.

use super::*;

#[test]
fn word_boundaries_and_shared_terms() {
    let mut b = KeywordIndexBuilder::default();
    let health = b.add_list(["diabetes", "type 2 diabetes", "flu"]);
    let ctx = b.add_list(["diabetes", "dx"]);
    let idx = b.build().unwrap();
    let hits = idx.find(b"Dx: Type 2 Diabetes; influenza is not flu-like? fluid");
    assert_eq!(hits.count(health), 3, "type 2 diabetes, diabetes, flu");
    assert_eq!(hits.count(ctx), 2);
    assert!(hits.near(ctx, 40, 41, 30));
    assert!(!hits.near(ctx, 400, 401, 30));
}

/// Issue 14: a context word directly followed by digits (`SS#123…`) was dropped.
#[test]
fn context_word_directly_followed_by_digits() {
    let mut b = KeywordIndexBuilder::default();
    let ssn = b.add_list(["ss#", "ssn", "dob"]);
    let idx = b.build().unwrap();
    assert_eq!(idx.find(b"SS#123456789").count(ssn), 1);
    assert_eq!(idx.find(b"SSN123456789 DOB03141962").count(ssn), 2);
    assert_eq!(
        idx.find(b"xss#1 assn dobs").count(ssn),
        0,
        "glued on the left"
    );
}

/// The matcher before the first-word table: an Aho-Corasick automaton over every term,
/// then the boundary filter. The table must find exactly what it found.
fn reference(terms: &[Vec<&str>], text: &[u8]) -> Vec<Vec<(u32, u32)>> {
    let mut all: Vec<String> = Vec::new();
    let mut owners: Vec<Vec<usize>> = Vec::new();
    for (list, ts) in terms.iter().enumerate() {
        for t in ts {
            let t = t.trim().to_ascii_lowercase();
            if t.is_empty() {
                continue;
            }
            match all.iter().position(|x| *x == t) {
                Some(i) if !owners[i].contains(&list) => owners[i].push(list),
                Some(_) => {}
                None => {
                    all.push(t);
                    owners.push(vec![list]);
                }
            }
        }
    }
    let ac = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&all)
        .unwrap();
    let mut out = vec![Vec::new(); terms.len()];
    let bounded = |c: Option<u8>| c.is_none_or(|c: u8| !c.is_ascii_alphanumeric());
    for m in ac.find_overlapping_iter(text) {
        let (s, e, p) = (m.start(), m.end(), m.pattern().as_usize());
        let b = all[p].as_bytes();
        let last = b[b.len() - 1];
        let after = text.get(e).copied();
        let left = !b[0].is_ascii_alphanumeric() || bounded(s.checked_sub(1).map(|i| text[i]));
        let right = !last.is_ascii_alphanumeric()
            || bounded(after)
            || (last.is_ascii_alphabetic() && after.is_some_and(|c| c.is_ascii_digit()));
        if left && right {
            for &l in &owners[p] {
                out[l].push((s as u32, e as u32));
            }
        }
    }
    for v in &mut out {
        v.sort_unstable();
    }
    out
}

fn shipped_lists() -> Vec<Vec<&'static str>> {
    [
        include_str!("../../../deploy/rules/dictionaries/health-terms.txt"),
        include_str!("../../../deploy/rules/dictionaries/medications.txt"),
        include_str!("../../../deploy/rules/dictionaries/clinical-context.txt"),
        include_str!("../../../deploy/rules/dictionaries/care-notice.txt"),
        include_str!("../../../deploy/rules/dictionaries/conditions.txt"),
        include_str!("../../../deploy/rules/dictionaries/drug-names.txt"),
    ]
    .iter()
    .map(|d| d.lines().filter(|l| !l.starts_with('#')).collect())
    .collect()
}

#[test]
fn finds_what_the_automaton_found() {
    let mut lists = shipped_lists();
    lists.push(vec![
        "ss#",
        "ssn",
        "dob",
        "d.o.b.",
        "#secure",
        "+encrypt+",
        "pt:",
        "a1c",
    ]);
    lists.push(crate::detect::IdKind::Date.context().to_vec());
    let mut b = KeywordIndexBuilder::default();
    for l in &lists {
        b.add_list(l.iter().copied());
    }
    let idx = b.build().unwrap();
    // Every term in several surroundings: glued to letters and digits, punctuated, in
    // capitals, followed by digits; plus prose.
    let mut text = String::new();
    for (i, t) in lists.iter().flatten().enumerate().step_by(7) {
        let wrap = ["", "x", "1", " ", "(", "#", "-"][i % 7];
        let tail = ["", "s", "123", ".", ": ", "#", "x1"][(i / 7) % 7];
        let t = if i % 3 == 0 {
            t.to_ascii_uppercase()
        } else {
            t.to_string()
        };
        text.push_str(&format!(
            "{wrap}{t}{tail} and the patient's DOB03141962 SS#1 "
        ));
    }
    text.push_str(" Your A1c7.2, your  appointment, D.O.B03141962 your-visit with pt:  x ");
    // Words across the 64-byte blocks the scan takes: long ones, and terms right after.
    for n in [63, 64, 65, 127, 128, 200] {
        text.push_str(&"x".repeat(n));
        text.push_str(" diabetes ");
        text.push_str(&"7".repeat(n % 61));
        text.push_str("ssn");
    }
    let got = idx.find(text.as_bytes());
    let want = reference(&lists, text.as_bytes());
    let got: Vec<Vec<(u32, u32)>> = (0..want.len()).map(|l| got.list(l).to_vec()).collect();
    assert_eq!(got, want);
    assert!(want.iter().map(Vec::len).sum::<usize>() > 1000);
}

#[test]
fn shipped_dictionaries_stay_small() {
    let mut b = KeywordIndexBuilder::default();
    for l in shipped_lists() {
        b.add_list(l);
    }
    let idx = b.build().unwrap();
    println!("keyword index {} bytes", idx.memory_usage());
    assert!(idx.memory_usage() < 16 << 20, "{}", idx.memory_usage());
    // A dictionary of 20,000 terms builds too.
    let mut big = KeywordIndexBuilder::default();
    let terms: Vec<String> = (0..20_000).map(|i| format!("term{i:05}x")).collect();
    big.add_list(terms.iter().map(String::as_str));
    let idx = big.build().unwrap();
    assert_eq!(idx.find(b"a term01234x here").count(0), 1);
}

/// The eight-bytes-at-a-time letter-or-digit mask says what the byte table says.
#[test]
fn alnum_mask_matches_the_table() {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut block = [0u8; 64];
    for round in 0..2000 {
        for b in block.iter_mut() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            *b = (seed >> 24) as u8;
        }
        // Every byte value at every position of a word, and short tails.
        block[round % 64] = (round % 256) as u8;
        let len = if round % 3 == 0 { 64 } else { round % 65 };
        let b = &block[..len];
        let want = b.iter().enumerate().fold(0u64, |m, (j, &c)| {
            m | (u64::from(c.is_ascii_alphanumeric()) << j)
        });
        assert_eq!(alnum_mask(b), want, "{b:?}");
    }
}

/// xorshift64: the same pseudo-random sequence on every run.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// The flat table finds, for every key, exactly the terms (in order) and lists a map of vectors
/// finds; keys that share a slot's neighbourhood and absent keys included.
#[test]
fn table_finds_what_a_map_finds() {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let terms: Vec<Vec<u8>> = (0..3000)
        .map(|i| format!("t{i}x{}", next(&mut seed) % 1000).into_bytes())
        .collect();
    let lists: Vec<Vec<usize>> = (0..terms.len())
        .map(|i| (0..=i % 3).map(|k| (i + k) % 7).collect())
        .collect();
    // Few distinct keys with several terms each, and keys differing only in their low bits.
    let keys: Vec<u64> = (0..terms.len())
        .map(|i| match i % 4 {
            0 => next(&mut seed),
            1 => (i as u64 % 50) << 58,
            2 => i as u64 % 97,
            _ => 42,
        })
        .collect();
    let keyed: Vec<(u64, &[u8], &[usize])> = (0..terms.len())
        .map(|i| (keys[i], &terms[i][..], &lists[i][..]))
        .collect();
    let table = table::Table::new(keyed);
    let mut want: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, &k) in keys.iter().enumerate() {
        want.entry(k).or_default().push(i);
    }
    for (&k, ids) in &want {
        let got = table.get(k);
        assert_eq!(got.len(), ids.len(), "{k:#x}");
        for (r, &i) in got.iter().zip(ids) {
            assert_eq!(r.len(), terms[i].len());
            let want_lists: Vec<u32> = lists[i].iter().map(|&l| l as u32).collect();
            assert_eq!(table.lists(r), &want_lists[..]);
            let mut text = b"  ".to_vec();
            text.extend(terms[i].to_ascii_uppercase());
            assert!(table.matches(r, &text, 2));
        }
    }
    for _ in 0..10_000 {
        let k = next(&mut seed);
        if !want.contains_key(&k) {
            assert!(table.get(k).is_empty());
        }
    }
    assert!(table::Table::new(Vec::new()).get(7).is_empty());
}

/// The table's eight-bytes-at-a-time compare says what `eq_ignore_ascii_case` says, for terms
/// of every length up to 20, at the end of the text and with every byte value around.
#[test]
fn table_compare_is_eq_ignore_ascii_case() {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let alphabet = b"aAbBzZ09 -#.@[`{\xc3\xa9\x00\x7f";
    for round in 0..20_000 {
        let len = 1 + round % 20;
        let term: Vec<u8> = (0..len)
            .map(|_| alphabet[(next(&mut seed) % 17) as usize].to_ascii_lowercase())
            .collect();
        // The text: the term with some bytes changed (case or value), then 0 to 9 more bytes.
        let mut text: Vec<u8> = term
            .iter()
            .map(|&c| match next(&mut seed) % 8 {
                0 => c.to_ascii_uppercase(),
                1 => alphabet[(next(&mut seed) % alphabet.len() as u64) as usize],
                2 => (next(&mut seed) >> 8) as u8,
                _ => c,
            })
            .collect();
        let pad = (next(&mut seed) % 10) as usize;
        text.extend((0..pad).map(|_| (next(&mut seed) >> 16) as u8));
        let lists = [0usize];
        let table = table::Table::new(vec![(1, &term[..], &lists[..])]);
        let r = &table.get(1)[0];
        let want = text[..len].eq_ignore_ascii_case(&term);
        assert_eq!(table.matches(r, &text, 0), want, "{term:?} {text:?}");
        if len <= 8 {
            let w8 = crate::custom::load_padded(&text, 0);
            assert_eq!(r.matches_short(w8), want, "{term:?} {text:?}");
        }
    }
}

/// The capitalised words' starts the keyword walk gathers for the name detector are the ones
/// `names::capital_starts` finds by searching the text for capitals — with and without the
/// word-start candidates, on ASCII and other text.
#[test]
fn walk_gathers_the_capital_starts() {
    let set = crate::RuleSet::embedded_default();
    let c = &set.compiled;
    let tokens = [
        "Ann", "lee", " ", "A", "_B", "9Z", "\u{e9}", "\u{c9}a", "MRN", "x", "\n", "-", "O'Neil",
        "\u{c0}B", "zZ", "12", "Dr.", "(Pat)", "Mrs", "ab", "Z",
    ];
    let mut seed = 0x0bad_cafe_f00d_0001_u64;
    let mut seen = 0;
    for _ in 0..400 {
        let n = 1 + next(&mut seed) % 30;
        let t: String = (0..n)
            .map(|_| tokens[(next(&mut seed) % tokens.len() as u64) as usize])
            .collect();
        let want = crate::detect::names::capital_starts(t.as_bytes());
        let mut caps = vec![7];
        let (hits, _) = c.keywords.walk(t.as_bytes(), None, &mut caps);
        assert_eq!(caps, want, "{t:?}");
        assert_eq!(hits.lists(), c.keywords.find(t.as_bytes()).lists());
        let _ = c
            .keywords
            .walk(t.as_bytes(), Some(&c.word_starts), &mut caps);
        assert_eq!(caps, want, "{t:?}");
        seen += want.len();
    }
    assert!(seen > 1000, "{seen}");
}

/// The one-load hash and digit check of a word agree with `word_hash` and `letter_then_digit`
/// (and a digit after a letter is what they say), for every length and at the end of the text.
#[test]
fn hash_and_digit_match_the_general_ones() {
    let mut seed = 0x1234_5678_9abc_def1_u64;
    let alnum = b"abcxyzABCXYZ0189";
    for _ in 0..20_000 {
        let len = 1 + (next(&mut seed) % 14) as usize;
        let mut text: Vec<u8> = (0..len)
            .map(|_| alnum[(next(&mut seed) % 16) as usize])
            .collect();
        let pad = (next(&mut seed) % 12) as usize;
        text.extend((0..pad).map(|_| b" .-x9"[(next(&mut seed) % 5) as usize]));
        let glued = (1..len).any(|k| text[k].is_ascii_digit() && text[k - 1].is_ascii_alphabetic());
        assert_eq!(letter_then_digit(&text, 0, len), glued, "{text:?}");
        let want = (word_hash(&text, 0, len), glued);
        let w8 = crate::custom::load_padded(&text, 0);
        assert_eq!(hash_and_digit(&text, 0, len, w8), want, "{text:?}");
    }
}
