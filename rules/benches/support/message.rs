//! The benchmarks' texts: mixed prose full of number-bearing phrases that no identifier
//! detector accepts, and the typical 10 KiB clinic message issue 14's figure is measured on.
//! Shared by `benches/detectors.rs` and `examples/classify_loop.rs` (the same message under a
//! profiler such as callgrind, which cannot run the criterion binary).

/// xorshift64*: the same text on every run.
pub struct Rng(u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len() as u64) as usize]
    }
}

pub const WORDS: &[&str] = &[
    "the",
    "meeting",
    "budget",
    "was",
    "moved",
    "to",
    "room",
    "and",
    "our",
    "team",
    "will",
    "review",
    "the",
    "quarterly",
    "numbers",
    "before",
    "lunch",
    "please",
    "bring",
    "your",
    "laptop",
    "invoice",
    "order",
    "shipment",
    "arrived",
    "at",
    "warehouse",
    "for",
    "customer",
    "project",
    "timeline",
    "update",
    "server",
    "ticket",
    "printer",
    "network",
    "policy",
    "schedule",
    "vendor",
    "contract",
    "renewal",
    "price",
    "quote",
    "total",
    "estimate",
];

/// One number-bearing phrase that none of the identifier detectors accepts.
pub fn numberish(r: &mut Rng) -> String {
    match r.below(12) {
        0 => format!(
            "${},{:03}.{:02}",
            r.below(999) + 1,
            r.below(1000),
            r.below(100)
        ),
        1 => format!("{}:{:02} pm", r.below(12) + 1, r.below(60)),
        2 => format!("room {}", r.below(900) + 100),
        3 => format!("{}%", r.below(100)),
        4 => format!("v{}.{}.{}", r.below(10), r.below(20), r.below(50)),
        // SSN-shaped with a forbidden area, 9xx or 000.
        5 => format!("000-{:02}-{:04}", r.below(100), r.below(10000)),
        6 => format!("9{:08}", r.below(100_000_000)),
        // Ten digits starting with 3-9: never an NPI; eleven digits: nothing.
        7 => format!("{}{:09}", 3 + r.below(7), r.below(1_000_000_000)),
        8 => format!("{:011}", r.below(100_000_000_000)),
        // Phone-like with an area code below 200.
        9 => format!("1{:02}-555-{:04}", r.below(100), r.below(10000)),
        10 => format!("qty {} x {}", r.below(50) + 1, r.below(500) + 1),
        _ => format!("PO {}", 4_000_000 + r.below(999_999)),
    }
}

/// About `len` bytes of mixed prose: sentences of common words, one word in `every` a
/// number-bearing phrase (10: mail prose that talks about money, times and rooms; 4: dense, like
/// an invoice or an order table).
pub fn prose_with(len: usize, every: u64) -> String {
    let mut r = Rng(0x00be_ef01);
    let mut s = String::with_capacity(len + 200);
    while s.len() < len {
        let n = 6 + r.below(10);
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            if r.below(every) == 0 {
                s.push_str(&numberish(&mut r));
            } else {
                s.push_str(r.pick(WORDS));
            }
        }
        s.push_str(if r.below(6) == 0 { ".\n" } else { ". " });
    }
    s.truncate(len);
    s
}

pub fn prose(len: usize) -> String {
    prose_with(len, 10)
}

pub fn eml(subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Ann Lee <ann@clinic.example>\r\nTo: Pat <pat@mail.example>\r\nSubject: {subject}\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
        body.replace('\n', "\r\n")
    )
    .into_bytes()
}

/// A 10 KiB clinic message: a note with an identifier, clinical words and prose around it.
pub fn typical_message() -> Vec<u8> {
    let mut body = String::from(
        "Patient: Jane Roe\nDOB: 04/12/1961\nMRN: 00482913\n\nChief complaint: follow-up of \
         type 2 diabetes. A1c 8.1 on metformin 500 mg BID; BP 142/88.\nAssessment and plan: \
         increase metformin, recheck in 3 months.\n\n",
    );
    body.push_str(&prose(10 * 1024 - body.len()));
    eml("Visit note", &body)
}
