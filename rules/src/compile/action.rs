//! Actions: a rule's or a setting's requirement and its method chain.

use super::Ctx;
use crate::format::ActionRaw;
use crate::model::Action;
use sealgate_core::{KeyTrust, Method, Requirement};
use std::ops::Range;
use toml::Spanned;

pub(super) fn read_action_table(
    cx: &mut Ctx<'_>,
    a: &Spanned<ActionRaw>,
    methods: &[Method],
) -> Option<Action> {
    let a = a.get_ref();
    let requirement = read_action(
        cx,
        &a.action,
        a.chain.as_deref(),
        a.min_key_trust.as_ref(),
        methods,
    )?;
    Some(Action {
        requirement,
        phi: a.phi.unwrap_or(false),
    })
}

pub(super) fn read_action(
    cx: &mut Ctx<'_>,
    action: &Spanned<String>,
    chain: Option<&[Spanned<String>]>,
    min_key_trust: Option<&Spanned<String>>,
    methods: &[Method],
) -> Option<Requirement> {
    let trust = match min_key_trust {
        None => KeyTrust::default(),
        Some(t) => match t.get_ref().parse::<KeyTrust>() {
            Ok(t) => t,
            Err(e) => {
                cx.err(t.span(), format!("min_key_trust: {e}"));
                return None;
            }
        },
    };
    let req = match action.get_ref().as_str() {
        "deliver" => Requirement::Deliver,
        "tls-only" => Requirement::TlsOnly,
        "hold" => Requirement::Hold,
        "reject" => Requirement::Reject,
        "encrypt" => Requirement::Encrypt {
            chain: read_chain(cx, action.span(), chain, methods)?,
            min_key_trust: trust,
        },
        _ => {
            cx.err(
                action.span(),
                "action must be one of deliver, encrypt, tls-only, hold, reject",
            );
            return None;
        }
    };
    if !matches!(req, Requirement::Encrypt { .. })
        && let Some(c) = chain.and_then(|c| c.first())
    {
        cx.err(c.span(), "`chain` is only for action = \"encrypt\"");
        return None;
    }
    if !matches!(req, Requirement::Encrypt { .. })
        && let Some(t) = min_key_trust
    {
        cx.err(t.span(), "`min_key_trust` is only for action = \"encrypt\"");
        return None;
    }
    Some(req)
}

fn read_chain(
    cx: &mut Ctx<'_>,
    at: Range<usize>,
    chain: Option<&[Spanned<String>]>,
    methods: &[Method],
) -> Option<Vec<Method>> {
    let Some(chain) = chain else {
        return Some(crate::model::default_chain());
    };
    let mut out = Vec::new();
    let mut ok = true;
    for m in chain {
        match m.get_ref().parse::<Method>() {
            Ok(method) if !methods.contains(&method) => {
                cx.err(
                    m.span(),
                    format!("method `{method}` is not provided by this build"),
                );
                ok = false;
            }
            Ok(method) if out.contains(&method) => {
                cx.err(m.span(), format!("method `{method}` appears twice"));
                ok = false;
            }
            Ok(method) => out.push(method),
            Err(e) => {
                cx.err(m.span(), format!("`{}`: {e}", m.get_ref()));
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    let terminal_at = out.iter().position(|m| m.is_terminal());
    match terminal_at {
        Some(i) if i + 1 == out.len() => Some(out),
        Some(i) => {
            cx.err(
                chain[i].span(),
                "a terminal method (hold, bounce-with-notice) must be last",
            );
            None
        }
        None => {
            cx.err(
                at,
                "an encrypt chain must end with `hold` or `bounce-with-notice` (never plaintext)",
            );
            None
        }
    }
}
