//! Witnesses: a complete system description read off a solver model.
//!
//! Every required field is given (a fact no condition reads gets a plain default: `false`, the
//! first enum value, zero, an empty list, the analysis date), an optional field is given exactly
//! when the model makes it present, and a number lies in the region between the constants that the
//! model chose. The result is JSON, loaded through the same reader as a description file, so a
//! witness is valid against the schema or the analyser reports its own bug.

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde_json::{Map, Value as Json};

use super::encode::{Encoder, Leaf, Path, Seg};
use crate::schema::Ty;

/// The witness description of the last model.
pub fn build(encoder: &Encoder<'_>) -> Json {
    match encoder.schema.root {
        Some(root) => node(encoder, &mut Vec::new(), &Ty::Record(root), None),
        None => Json::Object(Map::new()),
    }
}

/// The facts of a witness that the analysed conditions read, by dotted path
/// (`model.training_compute.pretraining`, `parties[0].develops`), in path order.
pub fn facts(encoder: &Encoder<'_>, system: &Json) -> Vec<(String, Json)> {
    let mut out: Vec<(String, Json)> = Vec::new();
    let paths = encoder.leaves.keys().chain(encoder.presence.keys()).chain(encoder.assigned.keys());
    let mut seen = std::collections::BTreeSet::new();
    for path in paths {
        if !seen.insert(path.clone()) {
            continue;
        }
        let Some((name, value)) = lookup(encoder, system, path) else { continue };
        out.push((name, value));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// The dotted name and JSON value of a path in a witness, if the witness gives it.
fn lookup(encoder: &Encoder<'_>, system: &Json, path: &[Seg]) -> Option<(String, Json)> {
    let mut name = String::new();
    let mut current = system;
    let mut ty = Ty::Record(encoder.schema.root?);
    for seg in path {
        match (seg, &ty) {
            (Seg::Field(slot), Ty::Record(id)) => {
                let field = encoder.schema.record(*id)?.fields.get(*slot as usize)?;
                if !name.is_empty() {
                    name.push('.');
                }
                name.push_str(&field.name);
                current = current.get(&field.name)?;
                ty = field.ty.clone();
            }
            (Seg::Elem(index), Ty::List(inner) | Ty::Set(inner)) => {
                name.push_str(&format!("[{index}]"));
                current = current.get(*index as usize)?;
                ty = (**inner).clone();
            }
            _ => return None,
        }
    }
    // Records and lists of records are shown through their own facts.
    match (&ty, current) {
        (Ty::Record(_), _) => None,
        (Ty::List(inner) | Ty::Set(inner), _) if matches!(**inner, Ty::Record(_)) => None,
        _ => Some((name, current.clone())),
    }
}

fn node(encoder: &Encoder<'_>, path: &mut Path, ty: &Ty, unit: Option<&str>) -> Json {
    let leaf = encoder.leaves.get(path.as_slice());
    match ty {
        Ty::Record(id) => {
            let mut object = Map::new();
            let Some(record) = encoder.schema.record(*id) else { return Json::Object(object) };
            for (slot, field) in record.fields.iter().enumerate() {
                path.push(Seg::Field(slot as u32));
                let include =
                    !field.optional || encoder.presence.get(path.as_slice()).is_some_and(|lit| encoder.value(*lit));
                if include {
                    object.insert(field.name.clone(), node(encoder, path, &field.ty, field.unit.as_deref()));
                }
                path.pop();
            }
            Json::Object(object)
        }
        Ty::Bool => Json::Bool(matches!(leaf, Some(Leaf::Bool(lit)) if encoder.value(*lit))),
        Ty::Enum(id) => {
            let variants = encoder.schema.enum_def(*id).map(|def| def.variants.clone()).unwrap_or_default();
            let chosen = match leaf {
                Some(Leaf::Enum(lits)) => lits.iter().position(|lit| encoder.value(*lit)).unwrap_or(0),
                _ => 0,
            };
            variants.get(chosen).map_or(Json::Null, |name| Json::String(name.clone()))
        }
        Ty::String => match leaf {
            Some(Leaf::Str(map)) => match map.iter().find(|(_, lit)| encoder.value(**lit)) {
                Some((text, _)) => Json::String(text.clone()),
                None => Json::String(fresh_string(map.keys())),
            },
            _ => Json::String(default_string(path)),
        },
        Ty::Set(inner) | Ty::List(inner) => match leaf {
            Some(Leaf::EnumSet(lits)) => {
                let variants = match &**inner {
                    Ty::Enum(id) => encoder.schema.enum_def(*id).map(|def| def.variants.clone()).unwrap_or_default(),
                    _ => Vec::new(),
                };
                Json::Array(
                    lits.iter()
                        .zip(variants)
                        .filter(|(lit, _)| encoder.value(**lit))
                        .map(|(_, name)| Json::String(name))
                        .collect(),
                )
            }
            Some(Leaf::StrSet(map)) => {
                let mut items: Vec<String> =
                    map.iter().filter(|(_, lit)| encoder.value(**lit)).map(|(text, _)| text.clone()).collect();
                // A country whose subdivision the model wants, with no subdivision code it names
                // in the set: a code of its own (`DE-X1`), which no condition names.
                for (country, lit) in encoder.subdivisions.get(path.as_slice()).into_iter().flatten() {
                    let named = items.iter().any(|text| text.split_once('-').is_some_and(|(code, _)| code == country));
                    if encoder.value(*lit) && !named {
                        let code = (1..)
                            .map(|n| format!("{country}-X{n}"))
                            .find(|code| !map.contains_key(code))
                            .unwrap_or_else(|| format!("{country}-X"));
                        items.push(code);
                    }
                }
                Json::Array(items.into_iter().map(Json::String).collect())
            }
            Some(Leaf::List(lits)) => {
                let mut items = Vec::new();
                for (index, lit) in lits.iter().enumerate() {
                    if !encoder.value(*lit) {
                        break;
                    }
                    path.push(Seg::Elem(index as u32));
                    items.push(node(encoder, path, inner, unit));
                    path.pop();
                }
                Json::Array(items)
            }
            _ => Json::Array(Vec::new()),
        },
        Ty::Number | Ty::Integer | Ty::Quantity(_) | Ty::Date | Ty::DateTime => {
            let integral = matches!(ty, Ty::Integer | Ty::Date | Ty::DateTime);
            let key = match (encoder.assigned.get(path.as_slice()), leaf) {
                (Some(value), _) => Some(*value),
                (None, leaf) => match leaf {
                    Some(Leaf::Ordered { thresholds, .. }) => {
                        let cuts: Vec<(Decimal, bool, bool)> = thresholds
                            .iter()
                            .map(|(value, (ge, gt))| (*value, encoder.value(*ge), encoder.value(*gt)))
                            .collect();
                        choose(&cuts, integral)
                    }
                    _ => None,
                },
            };
            ordered_json(encoder, ty, key, unit)
        }
        Ty::Error => Json::Null,
    }
}

/// A value in the region the model chose between the constants `cuts` (`(c, x ≥ c, x > c)`).
fn choose(cuts: &[(Decimal, bool, bool)], integral: bool) -> Option<Decimal> {
    let (first, ..) = cuts.first()?;
    // The highest constant the value reaches.
    let reached = cuts.iter().rposition(|(_, ge, _)| *ge);
    let value = match reached {
        None => {
            if *first > Decimal::ZERO && !integral {
                Decimal::ZERO
            } else {
                below(*first, integral)
            }
        }
        Some(index) => {
            let (c, _, gt) = cuts.get(index).copied()?;
            if !gt {
                c
            } else {
                match cuts.get(index + 1) {
                    Some((next, ..)) if integral => {
                        let candidate = c.floor() + Decimal::ONE;
                        if candidate < *next { candidate } else { c }
                    }
                    Some((next, ..)) => (c + *next) / Decimal::TWO,
                    None if integral => c.floor() + Decimal::ONE,
                    None if c > Decimal::ZERO => c.checked_mul(Decimal::TWO).unwrap_or(c + Decimal::ONE),
                    None => c + Decimal::ONE,
                }
            }
        }
    };
    Some(value.normalize())
}

fn below(c: Decimal, integral: bool) -> Decimal {
    if integral { c.ceil() - Decimal::ONE } else { c - Decimal::ONE }
}

/// An ordered value as a description writes it: a number in the field's unit, a date, an instant.
fn ordered_json(encoder: &Encoder<'_>, ty: &Ty, key: Option<Decimal>, unit: Option<&str>) -> Json {
    match ty {
        Ty::Date => {
            let date = key
                .and_then(|days| i64::try_from(days).ok())
                .and_then(|days| jiff::Span::new().try_days(days).ok())
                .and_then(|span| Date::constant(1970, 1, 1).checked_add(span).ok())
                .unwrap_or(encoder.as_of);
            Json::String(date.to_string())
        }
        Ty::DateTime => {
            let days = super::encode::ordered_key(&crate::value::Value::Date(encoder.as_of)).unwrap_or_default();
            let default = i64::try_from(days)
                .ok()
                .and_then(|days| Timestamp::from_second(days * 86_400).ok())
                .unwrap_or(Timestamp::UNIX_EPOCH);
            let ts = key
                .and_then(|seconds| i64::try_from(seconds).ok())
                .and_then(|seconds| Timestamp::from_second(seconds).ok())
                .unwrap_or(default);
            Json::String(ts.to_string())
        }
        _ => {
            let base = key.unwrap_or(Decimal::ZERO);
            let scale = unit.and_then(|unit| encoder.schema.unit(unit)).map_or(Decimal::ONE, |unit| unit.scale);
            let value = if scale.is_zero() { base } else { base.checked_div(scale).unwrap_or(base) };
            number(value)
        }
    }
}

/// A number as JSON; a whole number with many trailing zeros in scientific notation (`2e26`),
/// which descriptions read exactly.
fn number(value: Decimal) -> Json {
    let value = value.normalize();
    let mut text = value.to_string();
    if value.fract().is_zero() {
        let digits = text.trim_start_matches('-');
        let zeros = digits.len() - digits.trim_end_matches('0').len();
        if zeros >= 6 {
            let (sign, digits) = match text.strip_prefix('-') {
                Some(rest) => ("-", rest.to_owned()),
                None => ("", text.clone()),
            };
            let significant = digits.trim_end_matches('0');
            let exponent = digits.len() - 1;
            let (first, rest) = significant.split_at(1.min(significant.len()));
            text = if rest.is_empty() {
                format!("{sign}{first}e{exponent}")
            } else {
                format!("{sign}{first}.{rest}e{exponent}")
            };
        }
    }
    serde_json::from_str::<Json>(&text).unwrap_or(Json::String(text))
}

fn fresh_string<'a>(taken: impl Iterator<Item = &'a String> + Clone) -> String {
    let mut candidate = "other".to_owned();
    let mut n = 2;
    while taken.clone().any(|text| *text == candidate) {
        candidate = format!("other {n}");
        n += 1;
    }
    candidate
}

/// A readable default for a string no condition reads: `party 1` for the first party's name.
fn default_string(path: &[Seg]) -> String {
    match path.iter().rev().find_map(|seg| match seg {
        Seg::Elem(index) => Some(*index),
        Seg::Field(_) | Seg::Sum(_) => None,
    }) {
        Some(index) => format!("example {}", index + 1),
        None => "example".to_owned(),
    }
}
