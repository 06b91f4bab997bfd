//! Due dates: "within 15 days of E", "within 72 hours of E", "by E", and the period conventions.
//!
//! The day of the event is not counted and the last day is included. Under the
//! `next_working_day` convention (Regulation 1182/71, Art. 3(4)) a period that would end on a
//! Saturday, a Sunday or a holiday the rulebook lists ends on the next working day instead.

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};

use super::{DueSpec, EvidenceDate};
use crate::ir::{CompiledRulebook, PeriodConvention, RecurringPeriod};
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
            let span = jiff::Span::new().try_days(days).ok();
            span.and_then(|span| day.checked_add(span).ok()).map(|due| DueAt::Day(adjust(due, rulebook)))
        }
        (DueSpec::Months(months), _, Some(day)) => {
            let span = jiff::Span::new().try_months(months).ok();
            span.and_then(|span| day.checked_add(span).ok()).map(|due| DueAt::Day(adjust(due, rulebook)))
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

/// At most this many periods of one recurring duty are judged one by one; the periods after them
/// are one undetermined instance.
pub const MAX_PERIODS: usize = 10_000;

/// The periods of a recurring duty (`due every 3 months from E`), as (number, first day, last
/// day). Period `k` ends `k` periods after `E` (counted from `E` each time, so month ends do not
/// drift), moved by the period convention; the first begins on the day of `E` and each later one
/// on the day after the one before it ended. Periods that end before `owed_from` (the day the duty
/// applies from) are skipped.
pub struct Periods<'r> {
    start: Date,
    period: RecurringPeriod,
    owed_from: Option<Date>,
    rulebook: &'r CompiledRulebook,
    next: i64,
    from: Option<Date>,
}

impl<'r> Periods<'r> {
    pub fn new(
        start: Date,
        period: RecurringPeriod,
        owed_from: Option<Date>,
        rulebook: &'r CompiledRulebook,
    ) -> Periods<'r> {
        let mut periods = Periods { start, period, owed_from, rulebook, next: 1, from: Some(start) };
        // Skip straight to the period before the first that may end on or after `owed_from`; the
        // convention moves an end by days at most, so one period of slack is enough.
        if let Some(owed) = owed_from.filter(|owed| *owed > start) {
            let elapsed = match period {
                RecurringPeriod::Days(days) => {
                    start.until((jiff::Unit::Day, owed)).map(|span| i64::from(span.get_days()) / days.max(1))
                }
                RecurringPeriod::Months(months) => start
                    .until((jiff::Unit::Month, owed))
                    .map(|span| (i64::from(span.get_years()) * 12 + i64::from(span.get_months())) / months.max(1)),
            };
            let skip = elapsed.unwrap_or(0) - 1;
            if skip >= 1 {
                periods.next = skip + 1;
                periods.from = periods.end(skip).and_then(|end| end.tomorrow().ok());
            }
        }
        periods
    }

    /// The last day of period `k`.
    fn end(&self, k: i64) -> Option<Date> {
        let span = match self.period {
            RecurringPeriod::Days(days) => jiff::Span::new().try_days(k.checked_mul(days)?).ok()?,
            RecurringPeriod::Months(months) => jiff::Span::new().try_months(k.checked_mul(months)?).ok()?,
        };
        self.start.checked_add(span).ok().map(|end| adjust(end, self.rulebook))
    }
}

impl Iterator for Periods<'_> {
    type Item = (i64, Date, Date);

    fn next(&mut self) -> Option<(i64, Date, Date)> {
        loop {
            let from = self.from?;
            let number = self.next;
            let until = self.end(number)?;
            self.next += 1;
            self.from = until.tomorrow().ok();
            if self.owed_from.is_none_or(|owed| until >= owed) {
                return Some((number, from, until.max(from)));
            }
        }
    }
}
