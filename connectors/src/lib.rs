//! Tenant platforms: ingress authentication (networks, client-certificate names, sender domains).
#![forbid(unsafe_code)]
