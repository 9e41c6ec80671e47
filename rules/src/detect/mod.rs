//! The built-in HIPAA detector pack: names, base confidence and context scoring.
//!
//! Identifiers are found by one pass of [`scan::scan`] and validated there (check digits,
//! issuing rules, separators). Confidence then comes from context, as Presidio and Purview do: a
//! detector starts at a base confidence for its shape and gains a fixed boost when one of its
//! context words (from [`IdKind::context`]) occurs within its window. A finding records the span
//! only while a message is being classified; what leaves this crate is a name, a count, a
//! confidence and a location.

pub mod dates;
mod name_words;
pub mod names;
pub mod scan;
pub mod validate;

/// A built-in identifier detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKind {
    /// US Social Security number.
    UsSsn,
    /// National Provider Identifier.
    Npi,
    /// DEA registration number.
    Dea,
    /// Medicare Beneficiary Identifier.
    Mbi,
    /// ICD-10-CM diagnosis code.
    Icd10,
    /// A calendar date; a date of birth with context.
    Date,
    /// Payment card number (Luhn, network ranges).
    PaymentCard,
    /// US phone number (for combination rules).
    UsPhone,
    /// US street address (for combination rules).
    UsAddress,
    /// A person's first name and surname without a title (for combination rules only).
    PersonName,
}

impl IdKind {
    /// Every built-in identifier detector.
    pub const ALL: [IdKind; 10] = [
        IdKind::UsSsn,
        IdKind::Npi,
        IdKind::Dea,
        IdKind::Mbi,
        IdKind::Icd10,
        IdKind::Date,
        IdKind::PaymentCard,
        IdKind::UsPhone,
        IdKind::UsAddress,
        IdKind::PersonName,
    ];

    /// The name used in rule files and decisions.
    pub fn name(self) -> &'static str {
        match self {
            IdKind::UsSsn => "us-ssn",
            IdKind::Npi => "npi",
            IdKind::Dea => "dea",
            IdKind::Mbi => "medicare-mbi",
            IdKind::Icd10 => "icd10-cm",
            IdKind::Date => "date-of-birth",
            IdKind::PaymentCard => "payment-card",
            IdKind::UsPhone => "us-phone",
            IdKind::UsAddress => "us-address",
            IdKind::PersonName => "person-name",
        }
    }

    /// Looks a detector up by its rule-file name.
    pub fn from_name(name: &str) -> Option<IdKind> {
        IdKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Confidence of a validated match without context: (plain form, formatted form).
    pub fn base(self) -> (f32, f32) {
        match self {
            IdKind::UsSsn => (0.3, 0.6),
            IdKind::Npi => (0.35, 0.35),
            IdKind::Dea => (0.4, 0.4),
            IdKind::Mbi => (0.6, 0.65),
            IdKind::Icd10 => (0.15, 0.2),
            IdKind::Date => (0.15, 0.15),
            IdKind::PaymentCard => (0.5, 0.6),
            IdKind::UsPhone => (0.5, 0.5),
            IdKind::UsAddress => (0.5, 0.5),
            IdKind::PersonName => (0.4, 0.4),
        }
    }

    /// Confidence added when a context word is within [`IdKind::window`].
    pub fn boost(self) -> f32 {
        match self {
            IdKind::UsSsn | IdKind::Mbi | IdKind::PaymentCard => 0.35,
            IdKind::Npi | IdKind::Dea => 0.5,
            IdKind::Icd10 => 0.6,
            IdKind::Date => 0.7,
            IdKind::UsPhone | IdKind::UsAddress => 0.4,
            IdKind::PersonName => 0.3,
        }
    }

    /// How far (in bytes, either side) a context word may be. Purview uses 300 characters; a
    /// date of birth needs its label close by.
    pub fn window(self) -> u32 {
        match self {
            IdKind::Date => 40,
            IdKind::PersonName => 60,
            IdKind::Npi | IdKind::Dea => 120,
            _ => 300,
        }
    }

    /// Context words, lower case, matched case-insensitively on word boundaries.
    pub fn context(self) -> &'static [&'static str] {
        match self {
            IdKind::UsSsn => &[
                "ssn",
                "ssn#",
                "ss#",
                "social security",
                "soc sec",
                "social sec",
                "ssa number",
            ],
            IdKind::Npi => &[
                "npi",
                "npi#",
                "national provider",
                "provider id",
                "provider number",
            ],
            IdKind::Dea => &[
                "dea",
                "dea#",
                "dea number",
                "dea registration",
                "prescriber",
            ],
            IdKind::Mbi => &[
                "medicare",
                "mbi",
                "beneficiary",
                "medicare id",
                "medicare number",
                "hicn",
            ],
            IdKind::Icd10 => &[
                "icd",
                "icd-10",
                "icd10",
                "icd-10-cm",
                "diagnosis",
                "diagnoses",
                "diagnosed",
                "dx",
                "assessment",
                "diagnosis code",
                "problem list",
            ],
            IdKind::Date => &[
                "dob",
                "d.o.b",
                "d.o.b.",
                "date of birth",
                "birth date",
                "birthdate",
                "born",
                "born on",
                "b.",
                "birth",
                "birthday",
                "bday",
                "fecha de nacimiento",
                "fecha nacimiento",
                "fecha nac",
                "f. nac",
                "nacimiento",
                "nacido",
                "nacida",
                "date de naissance",
            ],
            IdKind::PaymentCard => &[
                "card",
                "credit",
                "debit",
                "visa",
                "mastercard",
                "amex",
                "american express",
                "discover",
                "cc#",
                "card number",
                "expiration",
                "cvv",
            ],
            IdKind::UsPhone => &["phone", "tel", "telephone", "cell", "mobile", "call", "fax"],
            IdKind::UsAddress => &["address", "lives at", "residence", "home", "street"],
            IdKind::PersonName => &[
                "patient",
                "patients",
                "patient name",
                "pt",
                "pts",
                "name",
                "re",
                "regarding",
                "dob",
                "member",
                "client",
                "resident",
                "nombre",
                "paciente",
                "son",
                "daughter",
                "mother",
                "father",
                "husband",
                "wife",
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in IdKind::ALL {
            assert_eq!(IdKind::from_name(k.name()), Some(k));
            let (a, b) = k.base();
            assert!(a + k.boost() <= 1.0 && b + k.boost() <= 1.0, "{k:?}");
        }
    }
}
