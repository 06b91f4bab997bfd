//! Exact decimal numbers: reading them from text and writing them back canonically.
//!
//! Concord numbers are `rust_decimal::Decimal`s: exact decimals with a 96-bit mantissa, so at most
//! 28 significant digits (29 when they fit below 2^96), magnitudes below about 7.9e28 and at most
//! 28 digits after the decimal point. Reading never rounds: text that would need rounding or that
//! lies out of range is an error. This module knows nothing of descriptions, units or the JSON
//! and YAML around a number; callers give it the number's text alone.

use std::fmt;

use rust_decimal::Decimal;

/// A number's text could not be read as an exact Concord number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumberError {
    /// The text is not a number at all (`lots`, `1.2.3`, `0x1F`).
    #[error("`{0}` is not a number")]
    NotANumber(NumberText),
    /// The number is too large for a Concord number (`1e40`), or has too many digits before the
    /// decimal point to be held exactly.
    #[error(
        "number `{0}` is out of range: Concord numbers are exact decimals below 7.9e28 with at most 28 significant digits"
    )]
    OutOfRange(NumberText),
    /// The number has more significant digits or more digits after the decimal point than a
    /// Concord number holds, so it could only be kept by rounding (`1e-30`, thirty significant
    /// digits).
    #[error(
        "number `{0}` cannot be held exactly: Concord numbers have at most 28 significant digits and 28 digits after the decimal point"
    )]
    TooPrecise(NumberText),
}

/// The text of a number that could not be read, kept for the message.
///
/// Its `Display` shortens very long texts (a 10,000-digit number) so that messages stay on one
/// readable line; [`NumberText::text`] gives the whole text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberText {
    text: Box<str>,
}

impl NumberText {
    /// The whole text that was read.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for NumberText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&shorten(&self.text, 40))
    }
}

impl NumberError {
    /// The text that could not be read.
    pub fn text(&self) -> &str {
        match self {
            NumberError::NotANumber(text) | NumberError::OutOfRange(text) | NumberError::TooPrecise(text) => {
                text.text()
            }
        }
    }
}

/// Reads a number exactly.
///
/// Accepts an optional sign (`-3`, `+5`), digits with single underscores between them
/// (`1_000_000`), an optional fraction with digits on both sides of the point (`1.5`, not `.5` or
/// `1.`), and an optional exponent (`1e25`, `1E25`, `2.5e-3`). The result is exact and normalized
/// (no trailing zeros after the point, no negative zero): `1e25` is exactly 10^25.
///
/// Never rounds: a number outside the range of Concord numbers is [`NumberError::OutOfRange`],
/// and one that would need rounding is [`NumberError::TooPrecise`]. Huge exponents
/// (`1e999999999999`) and huge digit strings are clean errors.
pub fn parse_decimal(text: &str) -> Result<Decimal, NumberError> {
    let Some(parts) = split_number(text) else {
        return Err(NumberError::NotANumber(number_text(text)));
    };
    build_decimal(&parts).map_err(|problem| match problem {
        Problem::OutOfRange => NumberError::OutOfRange(number_text(text)),
        Problem::TooPrecise => NumberError::TooPrecise(number_text(text)),
    })
}

/// Writes a number as canonical, deterministic text that [`parse_decimal`] reads back exactly.
///
/// The rule: no trailing zeros after the point and no negative zero; an integer whose digits end
/// in seven or more zeros is written in scientific notation with the shortest significand
/// (`10000000` is `1e7`, `250000000` is `2.5e8`, 10^25 is `1e25`, `-1.2e10`); every other number
/// is written plainly (`15`, `-3`, `0.5`, `1000`, `1000000`, `25000000`, `0.0000001`).
pub fn format_decimal(value: &Decimal) -> String {
    let normalized = value.normalize();
    let plain = normalized.to_string();
    if normalized.scale() > 0 {
        return plain;
    }
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", plain.as_str()),
    };
    let significant = digits.trim_end_matches('0');
    let n_trailing_zeros = digits.len() - significant.len();
    if n_trailing_zeros < SCIENTIFIC_MIN_TRAILING_ZEROS || significant.is_empty() {
        return plain;
    }
    let exponent = digits.len() - 1;
    let mut chars = significant.chars();
    let first = chars.next().map(String::from).unwrap_or_default();
    let rest = chars.as_str();
    if rest.is_empty() {
        return format!("{sign}{first}e{exponent}");
    }
    format!("{sign}{first}.{rest}e{exponent}")
}

/// Integers with at least this many trailing zeros are written in scientific notation.
const SCIENTIFIC_MIN_TRAILING_ZEROS: usize = 7;

/// The largest mantissa a `Decimal` holds: 2^96 - 1.
const MAX_MANTISSA: u128 = (1 << 96) - 1;

/// The most significant digits worth looking at: `MAX_MANTISSA` has 29 digits.
const MAX_DIGITS: usize = 29;

/// The most digits after the decimal point a `Decimal` holds.
const MAX_SCALE: i64 = 28;

/// Exponents beyond this are out of range whatever the digits, and clamping to it keeps the
/// exponent arithmetic far from overflow.
const EXPONENT_CLAMP: i64 = 1_000_000_000;

/// A syntactically valid number, taken apart.
struct NumberParts {
    negative: bool,
    /// The digits before and after the point, without underscores, as one string.
    digits: Digits,
    /// How many of `digits` came after the point.
    n_fraction_digits: usize,
    /// The written exponent, clamped to `±EXPONENT_CLAMP`.
    exponent: i64,
}

enum Problem {
    OutOfRange,
    TooPrecise,
}

fn number_text(text: &str) -> NumberText {
    NumberText { text: text.into() }
}

/// Shortens `text` to about `max_chars` characters, keeping its start and end.
pub(crate) fn shorten(text: &str, max_chars: usize) -> String {
    let n_chars = text.chars().count();
    if n_chars <= max_chars {
        return text.to_owned();
    }
    let n_head = max_chars / 2;
    let n_tail = max_chars / 4;
    let head: String = text.chars().take(n_head).collect();
    let tail: String = text.chars().skip(n_chars - n_tail).collect();
    format!("{head}…{tail} ({n_chars} characters)")
}

fn split_number(text: &str) -> Option<NumberParts> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let (mantissa, exponent_text) = match rest.find(['e', 'E']) {
        Some(at) => (rest.get(..at)?, Some(rest.get(at + 1..)?)),
        None => (rest, None),
    };
    let (integer, fraction) = match mantissa.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (mantissa, None),
    };
    let mut digits = Digits::default();
    digit_run(integer, &mut digits)?;
    let n_fraction_digits = match fraction {
        Some(fraction) => {
            let before = digits.len();
            digit_run(fraction, &mut digits)?;
            digits.len() - before
        }
        None => 0,
    };
    let exponent = match exponent_text {
        Some(exponent_text) => parse_exponent(exponent_text)?,
        None => 0,
    };
    Some(NumberParts { negative, digits, n_fraction_digits, exponent })
}

/// Reads a non-empty run of ASCII digits with single underscores between digits, appending the
/// digits without the underscores to `digits`.
fn digit_run(text: &str, digits: &mut Digits) -> Option<()> {
    let bytes = text.as_bytes();
    if bytes.first().is_none_or(|byte| !byte.is_ascii_digit()) || bytes.last().is_none_or(|byte| !byte.is_ascii_digit())
    {
        return None;
    }
    let mut previous_underscore = false;
    for &byte in bytes {
        match byte {
            b'0'..=b'9' => {
                digits.push(byte);
                previous_underscore = false;
            }
            b'_' if !previous_underscore => previous_underscore = true,
            _ => return None,
        }
    }
    Some(())
}

/// The digits of a number: on the stack up to [`INLINE_DIGITS`] of them (every number a Concord
/// number holds, written plainly), on the heap beyond, so that reading a number allocates
/// nothing in the common case.
struct Digits {
    inline: [u8; INLINE_DIGITS],
    n_inline: usize,
    heap: String,
}

const INLINE_DIGITS: usize = 48;

impl Default for Digits {
    fn default() -> Digits {
        Digits { inline: [0; INLINE_DIGITS], n_inline: 0, heap: String::new() }
    }
}

impl Digits {
    fn push(&mut self, digit: u8) {
        if self.heap.is_empty()
            && let Some(slot) = self.inline.get_mut(self.n_inline)
        {
            *slot = digit;
            self.n_inline += 1;
            return;
        }
        if self.heap.is_empty() {
            self.heap.reserve(self.n_inline * 2);
            self.heap.extend(self.inline.iter().take(self.n_inline).map(|byte| char::from(*byte)));
        }
        self.heap.push(char::from(digit));
    }

    fn len(&self) -> usize {
        self.as_str().len()
    }

    fn as_str(&self) -> &str {
        if !self.heap.is_empty() {
            return &self.heap;
        }
        // Only ASCII digits are pushed.
        self.inline.get(..self.n_inline).and_then(|digits| std::str::from_utf8(digits).ok()).unwrap_or_default()
    }
}

fn parse_exponent(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let mut magnitude: i64 = 0;
    for byte in digits.bytes() {
        let digit = i64::from(byte - b'0');
        magnitude = magnitude.saturating_mul(10).saturating_add(digit).min(EXPONENT_CLAMP);
    }
    Some(if negative { -magnitude } else { magnitude })
}

fn build_decimal(parts: &NumberParts) -> Result<Decimal, Problem> {
    let without_leading = parts.digits.as_str().trim_start_matches('0');
    let significant = without_leading.trim_end_matches('0');
    if significant.is_empty() {
        return Ok(Decimal::ZERO);
    }
    let n_trailing_zeros = without_leading.len() - significant.len();
    // The value is `significant × 10^exponent`. The lengths are bounded by the input's length and
    // the written exponent is clamped, so this arithmetic cannot overflow an i64.
    let exponent =
        parts.exponent.saturating_add(to_i64(n_trailing_zeros)).saturating_sub(to_i64(parts.n_fraction_digits));
    let n_significant = significant.len();
    // Digits before the decimal point: beyond 29 the number is above 2^96 whatever they are.
    let n_integer_digits = to_i64(n_significant).saturating_add(exponent);
    if n_integer_digits > to_i64(MAX_DIGITS) {
        return Err(Problem::OutOfRange);
    }
    if n_significant > MAX_DIGITS {
        return Err(Problem::TooPrecise);
    }
    let mantissa: u128 = significant.parse().map_err(|_| Problem::TooPrecise)?;
    let (mantissa, scale) = match u32::try_from(exponent) {
        Ok(exponent) => {
            let power = 10u128.checked_pow(exponent).ok_or(Problem::OutOfRange)?;
            (mantissa.checked_mul(power).ok_or(Problem::OutOfRange)?, 0)
        }
        Err(_) => (mantissa, exponent.saturating_neg()),
    };
    if scale > MAX_SCALE {
        return Err(Problem::TooPrecise);
    }
    if mantissa > MAX_MANTISSA {
        return match scale {
            0 => Err(Problem::OutOfRange),
            _ => Err(Problem::TooPrecise),
        };
    }
    let signed = i128::try_from(mantissa).map_err(|_| Problem::OutOfRange)?;
    let signed = if parts.negative { -signed } else { signed };
    let scale = u32::try_from(scale).map_err(|_| Problem::TooPrecise)?;
    let value = Decimal::try_from_i128_with_scale(signed, scale).map_err(|_| Problem::OutOfRange)?;
    Ok(value.normalize())
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proptest::prelude::*;

    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn numbers_longer_than_the_inline_digits_parse() {
        let zeros = "0".repeat(INLINE_DIGITS * 2);
        assert_eq!(parse_decimal(&format!("{zeros}15")).unwrap(), dec("15"));
        assert_eq!(parse_decimal(&format!("1.5{zeros}")).unwrap(), dec("1.5"));
        assert_eq!(parse_decimal(&format!("1{zeros}e-{}", INLINE_DIGITS * 2)).unwrap(), dec("1"));
        assert_eq!(parse_decimal(&format!("{}1_5", "0".repeat(INLINE_DIGITS - 1))).unwrap(), dec("15"));
        assert_eq!(parse_decimal(&format!("0.{}1_5e50", "0".repeat(INLINE_DIGITS + 2))).unwrap(), dec("0.15"));
    }

    #[test]
    fn integer_parses() {
        assert_eq!(parse_decimal("15").unwrap(), dec("15"));
    }

    #[test]
    fn negative_integer_parses() {
        assert_eq!(parse_decimal("-3").unwrap(), dec("-3"));
    }

    #[test]
    fn plus_sign_is_accepted() {
        assert_eq!(parse_decimal("+5").unwrap(), dec("5"));
    }

    #[test]
    fn fraction_parses() {
        assert_eq!(parse_decimal("1.5").unwrap(), dec("1.5"));
    }

    #[test]
    fn exponent_is_exact_power_of_ten() {
        let expected = Decimal::from_i128_with_scale(10i128.pow(25), 0);
        assert_eq!(parse_decimal("1e25").unwrap(), expected);
        assert_eq!(parse_decimal("1E25").unwrap(), expected);
        assert_eq!(parse_decimal("1e+25").unwrap(), expected);
    }

    #[test]
    fn negative_exponent_with_fraction_is_exact() {
        assert_eq!(parse_decimal("2.5e-3").unwrap(), dec("0.0025"));
    }

    #[test]
    fn underscores_between_digits_are_ignored() {
        assert_eq!(parse_decimal("1_000_000").unwrap(), dec("1000000"));
        assert_eq!(parse_decimal("0.000_1").unwrap(), dec("0.0001"));
    }

    #[test]
    fn misplaced_underscores_are_not_a_number() {
        for text in ["_1", "1_", "1__0", "1_.5", "1._5", "1e_5"] {
            assert!(matches!(parse_decimal(text), Err(NumberError::NotANumber(_))), "{text}");
        }
    }

    #[test]
    fn twenty_six_digit_integer_is_exact() {
        let parsed = parse_decimal("10000000000000000000000001").unwrap();
        assert_eq!(parsed.to_string(), "10000000000000000000000001");
    }

    #[test]
    fn trailing_zeros_are_normalized_away() {
        let parsed = parse_decimal("1.500").unwrap();
        assert_eq!(parsed.scale(), 1);
        assert_eq!(parsed.to_string(), "1.5");
    }

    #[test]
    fn negative_zero_is_zero() {
        assert_eq!(parse_decimal("-0.0").unwrap().to_string(), "0");
    }

    #[test]
    fn zero_with_huge_exponent_is_zero() {
        assert_eq!(parse_decimal("0e999999999999").unwrap(), Decimal::ZERO);
    }

    #[test]
    fn largest_decimal_parses() {
        assert_eq!(parse_decimal("79228162514264337593543950335").unwrap(), Decimal::MAX);
        assert_eq!(parse_decimal("-79228162514264337593543950335").unwrap(), Decimal::MIN);
    }

    #[test]
    fn just_above_largest_decimal_is_out_of_range() {
        assert!(matches!(parse_decimal("79228162514264337593543950336"), Err(NumberError::OutOfRange(_))));
    }

    #[test]
    fn words_are_not_a_number() {
        for text in ["lots", "", "-", "+", "1.2.3", ".5", "1.", "1e", "1e+", "0x1F", " 1", "1 ", "NaN", "inf", "١"] {
            assert!(matches!(parse_decimal(text), Err(NumberError::NotANumber(_))), "{text:?}");
        }
    }

    #[test]
    fn huge_exponent_is_out_of_range() {
        assert!(matches!(parse_decimal("1e999999999999"), Err(NumberError::OutOfRange(_))));
        assert!(matches!(parse_decimal("1e99999999999999999999999999999"), Err(NumberError::OutOfRange(_))));
    }

    #[test]
    fn huge_negative_exponent_is_too_precise() {
        assert!(matches!(parse_decimal("1e-999999999999"), Err(NumberError::TooPrecise(_))));
    }

    #[test]
    fn out_of_range_message_explains_the_limits() {
        let error = parse_decimal("1e40").unwrap_err();
        assert_eq!(
            error.to_string(),
            "number `1e40` is out of range: Concord numbers are exact decimals below 7.9e28 with at most 28 significant digits"
        );
    }

    #[test]
    fn thirty_significant_digits_are_too_precise_not_rounded() {
        let error = parse_decimal("1.23456789012345678901234567891").unwrap_err();
        assert!(matches!(error, NumberError::TooPrecise(_)));
    }

    #[test]
    fn thirty_digit_integer_is_out_of_range() {
        assert!(matches!(parse_decimal("123456789012345678901234567890"), Err(NumberError::OutOfRange(_))));
    }

    #[test]
    fn tiny_number_is_too_precise() {
        assert!(matches!(parse_decimal("1e-29"), Err(NumberError::TooPrecise(_))));
        assert_eq!(parse_decimal("1e-28").unwrap(), Decimal::from_i128_with_scale(1, 28));
    }

    #[test]
    fn ten_thousand_digit_number_is_a_short_error() {
        let text = "9".repeat(10_000);
        let error = parse_decimal(&text).unwrap_err();
        assert!(matches!(error, NumberError::OutOfRange(_)));
        assert_eq!(error.text().len(), 10_000);
        assert!(error.to_string().len() < 200, "{error}");
        assert!(error.to_string().contains("(10000 characters)"), "{error}");
    }

    #[test]
    fn ten_thousand_digit_round_number_is_out_of_range() {
        let text = format!("1{}", "0".repeat(10_000));
        assert!(matches!(parse_decimal(&text), Err(NumberError::OutOfRange(_))));
    }

    #[test]
    fn long_zero_fraction_then_digit_is_too_precise() {
        let text = format!("0.{}1", "0".repeat(10_000));
        assert!(matches!(parse_decimal(&text), Err(NumberError::TooPrecise(_))));
    }

    #[test]
    fn format_writes_small_integers_plainly() {
        assert_eq!(format_decimal(&dec("15")), "15");
        assert_eq!(format_decimal(&dec("-3")), "-3");
        assert_eq!(format_decimal(&dec("1000")), "1000");
        assert_eq!(format_decimal(&dec("1000000")), "1000000");
    }

    #[test]
    fn format_writes_fractions_plainly_without_trailing_zeros() {
        assert_eq!(format_decimal(&dec("0.5")), "0.5");
        assert_eq!(format_decimal(&dec("1.500")), "1.5");
        assert_eq!(format_decimal(&dec("0.0000001")), "0.0000001");
        assert_eq!(format_decimal(&dec("10000000.5")), "10000000.5");
    }

    #[test]
    fn format_writes_round_large_integers_in_scientific_notation() {
        assert_eq!(format_decimal(&dec("10000000")), "1e7");
        assert_eq!(format_decimal(&dec("250000000")), "2.5e8");
        assert_eq!(format_decimal(&parse_decimal("1e25").unwrap()), "1e25");
        assert_eq!(format_decimal(&parse_decimal("2.5e24").unwrap()), "2.5e24");
        assert_eq!(format_decimal(&dec("-12300000000")), "-1.23e10");
    }

    #[test]
    fn format_writes_zero_as_zero() {
        assert_eq!(format_decimal(&Decimal::ZERO), "0");
        assert_eq!(format_decimal(&dec("-0.000")), "0");
    }

    #[test]
    fn format_writes_integer_with_few_trailing_zeros_plainly() {
        assert_eq!(format_decimal(&dec("10000000000000000000000001")), "10000000000000000000000001");
        assert_eq!(format_decimal(&dec("1234000000")), "1234000000");
        assert_eq!(format_decimal(&dec("12340000000")), "1.234e10");
        assert_eq!(format_decimal(&dec("1234000")), "1234000");
    }

    fn any_decimal() -> impl Strategy<Value = Decimal> {
        let max = i128::try_from(MAX_MANTISSA).unwrap();
        prop_oneof![
            (-max..=max, 0u32..=28).prop_map(|(mantissa, scale)| Decimal::from_i128_with_scale(mantissa, scale)),
            (-999_999i128..=999_999, 0u32..=22)
                .prop_map(|(mantissa, zeros)| { Decimal::from_i128_with_scale(mantissa * 10i128.pow(zeros), 0) }),
            (-99i128..=99, 0u32..=28).prop_map(|(mantissa, scale)| Decimal::from_i128_with_scale(mantissa, scale)),
        ]
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(value in any_decimal()) {
            let text = format_decimal(&value);
            prop_assert_eq!(parse_decimal(&text), Ok(value), "{}", text);
        }

        #[test]
        fn format_is_canonical(value in any_decimal()) {
            let text = format_decimal(&value);
            let again = format_decimal(&parse_decimal(&text).unwrap());
            prop_assert_eq!(again, text);
        }

        #[test]
        fn parse_never_panics(text in "[-+]?[0-9_]{0,40}(\\.[0-9_]{0,40})?([eE][-+]?[0-9]{0,25})?") {
            let _ = parse_decimal(&text);
        }

        #[test]
        fn parse_agrees_with_rust_decimal_on_plain_text(value in any_decimal()) {
            prop_assert_eq!(parse_decimal(&value.to_string()), Ok(value));
        }
    }
}
