//! Due dates: "within 15 days of E", "within 72 hours of E", "by E", and the period conventions.
//!
//! The day of the event is not counted and the last day is included. Under the
//! `next_working_day` convention (Regulation 1182/71, Art. 3(4)) a period that would end on a
//! Saturday, a Sunday or a holiday the rulebook lists ends on the next working day instead.

use jiff::civil::{Date, Weekday};
use jiff::{Timestamp, ToSpan};

use super::{DueSpec, EvidenceDate};
use crate::ir::{CompiledRulebook, PeriodConvention};
use crate::value::Value;

/// When an obligation's evidence is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DueDate {
    Due {
        anchor: EvidenceDate,
        at: DueAt,
        inclusive: bool,
    },
    /// "Without undue delay", or a standing duty: only evidence decides.
    NoDueDate {
        undue_delay: bool,
    },
    /// The event's date is not known.
    Unknown,
    /// The event is an optional fact that does not exist.
    Absent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueAt {
    Day(Date),
    Instant(Timestamp),
}

/// Computes a due date from the event it counts from.
pub fn compute_due(spec: DueSpec, anchor: &Value, rulebook: &CompiledRulebook) -> DueDate {
    let anchor = match anchor {
        Value::Date(date) => EvidenceDate::Day(*date),
        Value::DateTime(timestamp) => EvidenceDate::Instant(*timestamp),
        Value::Absent => return DueDate::Absent,
        _ => return DueDate::Unknown,
    };
    let anchor_day = match anchor {
        EvidenceDate::Day(date) => Some(date),
        EvidenceDate::Instant(timestamp) => Some(utc_date(timestamp)),
        _ => None,
    };
    let at = match (spec, anchor, anchor_day) {
        (DueSpec::Days(days), _, Some(day)) => {
            day.checked_add(days.days()).ok().map(|due| DueAt::Day(adjust(due, rulebook)))
        }
        (DueSpec::Months(months), _, Some(day)) => {
            day.checked_add(months.months()).ok().map(|due| DueAt::Day(adjust(due, rulebook)))
        }
        (DueSpec::Seconds(seconds), EvidenceDate::Instant(timestamp), _) => {
            timestamp.checked_add(jiff::SignedDuration::from_secs(seconds)).ok().map(DueAt::Instant)
        }
        (DueSpec::On { .. }, EvidenceDate::Day(day), _) => Some(DueAt::Day(day)),
        (DueSpec::On { .. }, EvidenceDate::Instant(timestamp), _) => Some(DueAt::Instant(timestamp)),
        _ => None,
    };
    let inclusive = !matches!(spec, DueSpec::On { inclusive: false });
    match at {
        Some(at) => DueDate::Due { anchor, at, inclusive },
        None => DueDate::Unknown,
    }
}

/// Moves a last day that is not a working day, under the rulebook's convention.
fn adjust(mut due: Date, rulebook: &CompiledRulebook) -> Date {
    if rulebook.periods != PeriodConvention::NextWorkingDay {
        return due;
    }
    // At most a few weekend days and holidays in a row; the bound keeps this loop finite.
    for _ in 0..366 {
        let weekend = matches!(due.weekday(), Weekday::Saturday | Weekday::Sunday);
        if !weekend && !rulebook.holidays.contains(&due) {
            break;
        }
        match due.tomorrow() {
            Ok(next) => due = next,
            Err(_) => break,
        }
    }
    due
}

impl DueDate {
    /// Whether evidence given at `evidence` meets the deadline; `None` if that cannot be told.
    pub fn is_on_time(&self, evidence: &EvidenceDate) -> Option<bool> {
        let DueDate::Due { at, inclusive, .. } = self else { return Some(true) };
        match (at, evidence) {
            (DueAt::Day(due), EvidenceDate::Day(given)) => Some(if *inclusive { given <= due } else { given < due }),
            (DueAt::Day(due), EvidenceDate::Instant(given)) => {
                let given = utc_date(*given);
                Some(if *inclusive { given <= *due } else { given < *due })
            }
            (DueAt::Instant(due), EvidenceDate::Instant(given)) => {
                Some(if *inclusive { given <= due } else { given < due })
            }
            (DueAt::Instant(due), EvidenceDate::Day(given)) => {
                let due_day = utc_date(*due);
                if *given < due_day {
                    Some(true)
                } else if *given > due_day {
                    Some(false)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// Whether the deadline has not yet passed at the end of the evaluation date.
    pub fn still_open(&self, as_of: Date, as_of_end: Timestamp) -> bool {
        match self {
            DueDate::Due { at: DueAt::Day(due), inclusive, .. } => {
                if *inclusive {
                    as_of <= *due
                } else {
                    as_of < *due
                }
            }
            DueDate::Due { at: DueAt::Instant(due), .. } => as_of_end <= *due,
            DueDate::NoDueDate { .. } | DueDate::Unknown | DueDate::Absent => true,
        }
    }

    pub fn show(&self) -> Option<String> {
        match self {
            DueDate::Due { at: DueAt::Day(due), inclusive: true, .. } => Some(due.to_string()),
            DueDate::Due { at: DueAt::Day(due), inclusive: false, .. } => {
                Some(due.yesterday().map_or_else(|_| due.to_string(), |day| day.to_string()))
            }
            DueDate::Due { at: DueAt::Instant(due), .. } => Some(due.to_string()),
            DueDate::NoDueDate { .. } | DueDate::Unknown | DueDate::Absent => None,
        }
    }
}

/// The UTC calendar day of an instant.
pub fn utc_date(timestamp: Timestamp) -> Date {
    jiff::tz::Offset::UTC.to_datetime(timestamp).date()
}
