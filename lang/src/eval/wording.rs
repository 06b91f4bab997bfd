//! Words for the explanation of an obligation's instances: who or what an instance is, and what
//! evidence was searched when none was found.

use super::verdict::{InstanceVerdict, ObligationOutcome};
use crate::ir::{IrBinder, IrObligation};

/// What the evidence clause of `obligation` searched, for an instance that is `violated` or
/// `pending` with no evidence found (`no `designation` document in `system.documents``, with
/// "yet" while pending); `None` for any other instance.
pub(super) fn evidence_searched(obligation: &IrObligation, instance: &InstanceVerdict) -> Option<String> {
    let binder = obligation.evidence.as_ref()?;
    if instance.evidence.is_some() {
        return None;
    }
    match instance.verdict {
        ObligationOutcome::Violated => Some(searched(binder)),
        ObligationOutcome::Pending => Some(format!("{} yet", searched(binder))),
        _ => None,
    }
}

/// An instance's path in words: the system's own (`$`, or `$ period 2 (…)` for a recurring duty)
/// is "the system as a whole"; an event's or a party's path (`$.incidents[0]`) is kept, since it
/// says where to look.
pub(super) fn instance_subject(instance: &str) -> String {
    match instance.strip_prefix('$') {
        Some("") => "the system as a whole".to_owned(),
        Some(rest) if rest.starts_with(' ') => format!("the system as a whole,{rest}"),
        _ => instance.to_owned(),
    }
}

/// What an evidence clause searched, for an instance that found nothing: `evidence document in
/// system.documents where document.kind == designation` is "no `designation` document in
/// `system.documents`"; another filter is quoted (`no report in `system.reports` where `…``).
fn searched(binder: &IrBinder) -> String {
    let words: Vec<&str> = binder.text.split_whitespace().collect();
    // The binder's text starts with the clause's keyword.
    let text = words.strip_prefix(&["evidence"]).unwrap_or(&words).join(" ");
    let Some((var, rest)) = text.split_once(" in ") else { return format!("no `{text}`") };
    let (list, filter) = match rest.split_once(" where ") {
        Some((list, filter)) => (list, Some(filter)),
        None => (rest, None),
    };
    let Some(filter) = filter else { return format!("no {var} in `{list}`") };
    // `var.field == value`, a value spelled as a bare name (an enum value).
    let value = filter
        .split_once(" == ")
        .filter(|(left, _)| left.strip_prefix(var).is_some_and(is_field))
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty() && value.chars().all(|c| c.is_alphanumeric() || c == '_'));
    match value {
        Some(value) if !value.chars().all(|c| c.is_ascii_digit()) && value != "true" && value != "false" => {
            format!("no `{value}` {var} in `{list}`")
        }
        _ => format!("no {var} in `{list}` where `{filter}`"),
    }
}

/// `.name`, one field of the bound element.
fn is_field(text: &str) -> bool {
    text.strip_prefix('.').is_some_and(|name| !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::IrExpr;

    fn binder(text: &str) -> IrBinder {
        IrBinder { local: 0, list: IrExpr::Root, filter: None, text: text.to_owned() }
    }

    #[test]
    fn the_system_itself_is_named_in_words() {
        assert_eq!(instance_subject("$"), "the system as a whole");
        assert_eq!(instance_subject("$.incidents[0]"), "$.incidents[0]");
        assert_eq!(
            instance_subject("$ period 2 (2026-04-16 to 2026-07-15)"),
            "the system as a whole, period 2 (2026-04-16 to 2026-07-15)"
        );
    }

    #[test]
    fn searched_names_the_kind_of_document_when_the_filter_is_one_value() {
        assert_eq!(
            searched(&binder(
                "evidence document in system.documents where document.kind == domestic_representative_designation"
            )),
            "no `domestic_representative_designation` document in `system.documents`"
        );
        assert_eq!(
            searched(&binder("report in system.reports\n    where report.incident == incident.id")),
            "no report in `system.reports` where `report.incident == incident.id`"
        );
        assert_eq!(searched(&binder("r in system.registrations")), "no r in `system.registrations`");
        assert_eq!(
            searched(&binder("d in system.documents where d.published == true")),
            "no d in `system.documents` where `d.published == true`"
        );
    }
}
