//! The documented cmdlets and parameters the Microsoft 365 script may use, each with the
//! Microsoft documentation page it was checked against (the syntax block of the page; the
//! pages' source is the `MicrosoftDocs/office-docs-powershell` repository, checked 2026-12-03).
//! Only what was confirmed there is listed; `m365::tests` parses every generated script and
//! fails on any cmdlet or parameter not in this table.

/// One documented cmdlet.
#[derive(Debug, Clone, Copy)]
pub struct Cmdlet {
    /// The cmdlet's name.
    pub name: &'static str,
    /// Its documentation page.
    pub url: &'static str,
    /// The parameters the generator may use (confirmed in the page's syntax block).
    pub params: &'static [&'static str],
}

/// PowerShell's common parameters (every cmdlet supports them).
pub const COMMON: Cmdlet = Cmdlet {
    name: "(common parameters)",
    url: "https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_commonparameters",
    params: &["ErrorAction"],
};

const CONNECTOR_OUT: &[&str] = &[
    "ConnectorType",
    "SmartHosts",
    "UseMXRecord",
    "TlsSettings",
    "TlsDomain",
    "IsTransportRuleScoped",
    "Enabled",
    "Comment",
    "WhatIf",
];

const CONNECTOR_IN: &[&str] = &[
    "ConnectorType",
    "SenderDomains",
    "RequireTls",
    "RestrictDomainsToCertificate",
    "TlsSenderCertificateName",
    "Enabled",
    "Comment",
    "WhatIf",
];

const RULE: &[&str] = &[
    "FromScope",
    "SentToScope",
    "RouteMessageOutboundConnector",
    "SetHeaderName",
    "SetHeaderValue",
    "ExceptIfHeaderMatchesMessageHeader",
    "ExceptIfHeaderMatchesPatterns",
    "ExceptIfHeaderContainsMessageHeader",
    "ExceptIfHeaderContainsWords",
    "ExceptIfMessageTypeMatches",
    "ExceptIfSCLOver",
    "Mode",
    "Priority",
    "Comments",
    "WhatIf",
];

/// Every cmdlet the generator may emit. `Name` (New-*) and `Identity` (Set-*, Get-*) are
/// listed per cmdlet below.
pub const DOCUMENTED: &[Cmdlet] = &[
    Cmdlet {
        name: "Get-OutboundConnector",
        url: "https://learn.microsoft.com/powershell/module/exchange/get-outboundconnector",
        params: &["Identity"],
    },
    Cmdlet {
        name: "Get-InboundConnector",
        url: "https://learn.microsoft.com/powershell/module/exchange/get-inboundconnector",
        params: &["Identity"],
    },
    Cmdlet {
        name: "Get-TransportRule",
        url: "https://learn.microsoft.com/powershell/module/exchange/get-transportrule",
        params: &["Identity"],
    },
    Cmdlet {
        name: "Export-Clixml",
        url: "https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/export-clixml",
        params: &["Path", "Depth"],
    },
    Cmdlet {
        name: "New-OutboundConnector",
        url: "https://learn.microsoft.com/powershell/module/exchange/new-outboundconnector",
        params: CONNECTOR_OUT_NEW,
    },
    Cmdlet {
        name: "Set-OutboundConnector",
        url: "https://learn.microsoft.com/powershell/module/exchange/set-outboundconnector",
        params: CONNECTOR_OUT_SET,
    },
    Cmdlet {
        name: "New-TransportRule",
        url: "https://learn.microsoft.com/powershell/module/exchange/new-transportrule",
        params: RULE_NEW,
    },
    Cmdlet {
        name: "Set-TransportRule",
        url: "https://learn.microsoft.com/powershell/module/exchange/set-transportrule",
        params: RULE_SET,
    },
    Cmdlet {
        name: "New-InboundConnector",
        url: "https://learn.microsoft.com/powershell/module/exchange/new-inboundconnector",
        params: CONNECTOR_IN_NEW,
    },
    Cmdlet {
        name: "Set-InboundConnector",
        url: "https://learn.microsoft.com/powershell/module/exchange/set-inboundconnector",
        params: CONNECTOR_IN_SET,
    },
];

const CONNECTOR_OUT_NEW: &[&str] = &concat_params::<10>("Name", CONNECTOR_OUT);
const CONNECTOR_OUT_SET: &[&str] = &concat_params::<10>("Identity", CONNECTOR_OUT);
const CONNECTOR_IN_NEW: &[&str] = &concat_params::<9>("Name", CONNECTOR_IN);
const CONNECTOR_IN_SET: &[&str] = &concat_params::<9>("Identity", CONNECTOR_IN);
const RULE_NEW: &[&str] = &concat_params::<16>("Name", RULE);
const RULE_SET: &[&str] = &concat_params::<16>("Identity", RULE);

/// `first` followed by `rest` (N = 1 + rest.len(), checked at compile time).
const fn concat_params<const N: usize>(
    first: &'static str,
    rest: &'static [&'static str],
) -> [&'static str; N] {
    assert!(N == rest.len() + 1);
    let mut out = [first; N];
    let mut i = 0;
    while i < rest.len() {
        out[i + 1] = rest[i];
        i += 1;
    }
    out
}

/// The documented entry of `cmdlet` (case-insensitive, as PowerShell matches).
pub fn lookup(cmdlet: &str) -> Option<&'static Cmdlet> {
    DOCUMENTED
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(cmdlet))
}

/// True when `param` is documented for `cmdlet` (or is a common parameter).
pub fn documented(cmdlet: &str, param: &str) -> bool {
    let eq = |p: &&str| p.eq_ignore_ascii_case(param);
    lookup(cmdlet).is_some_and(|c| c.params.iter().any(eq)) || COMMON.params.iter().any(eq)
}
