//! End-to-end harness for Sealgate tests.
