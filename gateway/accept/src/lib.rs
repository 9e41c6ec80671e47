//! Accept stage: the SMTP listener, STARTTLS, PROXY v2, limits, tenant authentication and the classify hook.
#![forbid(unsafe_code)]
