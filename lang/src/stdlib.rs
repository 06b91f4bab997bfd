//! The standard library: rulebooks compiled into the binary, so `import std.lexicon` works with no
//! files on disk. Their paths start with `std/` and never name a file of the user's.

/// `(rulebook id, display path, text)` of every embedded rulebook.
pub const STDLIB: &[(&str, &str, &str)] = &[
    ("std.lexicon", "std/lexicon.concord", include_str!("../../stdlib/lexicon.concord")),
    ("eu.ai_act", "std/eu_ai_act.concord", include_str!("../../stdlib/eu_ai_act.concord")),
    ("us.ca.sb53", "std/us_ca_sb53.concord", include_str!("../../stdlib/us_ca_sb53.concord")),
    ("us.ny.raise", "std/us_ny_raise.concord", include_str!("../../stdlib/us_ny_raise.concord")),
    ("us.co.sb26_189", "std/us_co_sb26_189.concord", include_str!("../../stdlib/us_co_sb26_189.concord")),
    ("kr.ai_basic_act", "std/kr_ai_basic_act.concord", include_str!("../../stdlib/kr_ai_basic_act.concord")),
    ("intl.oecd", "std/intl_oecd.concord", include_str!("../../stdlib/intl_oecd.concord")),
    ("intl.redlines", "std/intl_redlines.concord", include_str!("../../stdlib/intl_redlines.concord")),
    ("map.eu_ai_act.us_ca_sb53", "std/map_eu_us_ca.concord", include_str!("../../stdlib/map_eu_us_ca.concord")),
    ("map.eu_ai_act.us_ny_raise", "std/map_eu_us_ny.concord", include_str!("../../stdlib/map_eu_us_ny.concord")),
    ("map.eu_ai_act.us_co_sb26_189", "std/map_eu_us_co.concord", include_str!("../../stdlib/map_eu_us_co.concord")),
    ("map.eu_ai_act.kr_ai_basic_act", "std/map_eu_kr.concord", include_str!("../../stdlib/map_eu_kr.concord")),
    ("map.eu_ai_act.intl_oecd", "std/map_eu_oecd.concord", include_str!("../../stdlib/map_eu_oecd.concord")),
    ("map.us_ca_sb53.us_ny_raise", "std/map_us_ca_ny.concord", include_str!("../../stdlib/map_us_ca_ny.concord")),
];

/// Whether a path names an embedded rulebook.
pub fn is_stdlib_path(path: &str) -> bool {
    STDLIB.iter().any(|(_, stdlib_path, _)| *stdlib_path == path)
}
