//! Shared types of the Sealgate pipeline.
//!
//! One [`Message`] flows through every stage: accept → classify → commit → transform → sign →
//! deliver → report. This crate holds that type and everything the stages agree on — addresses and
//! domains (valid by construction), the classification [`Decision`], per-recipient [`Status`] and
//! append-only [`Event`]s, SMTP [`Reply`] values with their temporary/permanent class, and the traits
//! through which time, randomness and storage come in.
//!
//! It performs no I/O; everything here is pure and cheap to test.
#![forbid(unsafe_code)]

pub mod address;
pub mod decision;
pub mod destination;
pub mod encrypted;
pub mod event;
pub mod id;
pub mod message;
pub mod reply;
pub mod status;
pub mod store;
pub mod time;
pub mod tls;

pub use address::{Address, AddressError, Domain};
pub use decision::{
    Decision, DetectorHit, HeaderChange, KeyTrust, Location, Method, Requirement, SelfTest,
    UnknownKeyTrust,
};
pub use destination::{DestinationGuard, NonGlobal, Purpose, RefusalSink};
pub use event::{Event, EventKind};
pub use id::MessageId;
pub use message::{Body, BodyType, ClientInfo, DsnRet, Envelope, Message, Notify, Recipient};
pub use reply::{Reply, Severity};
pub use status::Status;
pub use time::{Clock, Random, SystemClock, Timestamp};
pub use tls::{MxAuth, OnFailure, TlsLevel};
