//! `deploy/guides/portal-texts.md` lists every portal text key with its English and Spanish
//! (what `[portal.tenants.NAME.texts.en|es]` may override). This test keeps it true:
//! `SEALGATE_UPDATE_GOLDEN=1 cargo test -p sealgate-portal --test texts_doc` rewrites it.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use sealgate_portal::i18n::TABLES;
use std::path::PathBuf;

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn render() -> String {
    let mut out = String::from(
        "# Portal texts (keys for `[portal.tenants.NAME.texts.en]` / `.es`)\n\n\
Every text of the portal's pages and of the recipient's mails, by key, as shipped. A tenant may\n\
replace any of them per language:\n\n\
```toml\n[portal.tenants.acme.texts.es]\nlink_title = \"Tiene un mensaje de Acme Health\"\n```\n\n\
Plain text only (no `<` or `>`), not empty, and only the `{placeholders}` the shipped text has;\n\
`sealgate config check` names a key that breaks a rule. The mails' language is the tenant's\n\
`language = \"en\" | \"es\" | \"en+es\"`; pages follow the browser and the switch link.\n\
This file is generated from `gateway/portal/src/i18n*.rs` (see `gateway/portal/tests/texts_doc.rs`).\n\n\
| key | English | Spanish |\n|---|---|---|\n",
    );
    for table in TABLES {
        for (key, en, es) in table.iter() {
            out.push_str(&format!("| `{key}` | {} | {} |\n", cell(en), cell(es)));
        }
    }
    out
}

#[test]
fn the_texts_guide_lists_every_key() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy/guides/portal-texts.md");
    let want = render();
    if std::env::var_os("SEALGATE_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is out of date: rerun with SEALGATE_UPDATE_GOLDEN=1",
        path.display()
    );
    for table in TABLES {
        for (key, _, _) in table.iter() {
            assert!(have.contains(&format!("| `{key}` |")), "{key}");
        }
    }
}
