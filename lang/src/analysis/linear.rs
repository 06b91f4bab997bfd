//! Sums of facts compared with constants (`pretraining + fine_tuning > 1e25 FLOP`).
//!
//! The SAT encoding treats each sum as an ordered fact of its own, order-encoded over the
//! constants it is compared with, which over-approximates: a model may put a sum and its parts in
//! regions no numbers realise. After each model the regions are handed to this module, which
//! decides by Fourier–Motzkin elimination (exact, over decimals) whether numbers exist, and if so
//! picks them. If not, the combination of regions is excluded by a clause and the solver is asked
//! again (a lazy, DPLL(T)-style loop); regions are finitely many, so the loop ends. A proof that no
//! system exists is therefore exact for sums too.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

/// `Σ coefficient·x ≥ bound`, or `>` when `strict`.
#[derive(Debug, Clone)]
pub struct Constraint {
    pub coefficients: BTreeMap<usize, Decimal>,
    pub bound: Decimal,
    pub strict: bool,
}

impl Constraint {
    pub fn new(coefficients: BTreeMap<usize, Decimal>, bound: Decimal, strict: bool) -> Constraint {
        Constraint { coefficients, bound, strict }
    }
}

/// Values for variables `0..n` meeting every constraint, or `None` when there are none. Whole
/// numbers for the variables marked `integral` are sought among the candidates; a fraction is
/// never chosen for them, which may (rarely) make a feasible system look infeasible: the caller
/// then excludes a combination that numbers realise, and the analysis stays sound for witnesses
/// but may miss one — so integral variables are only those the schema declares `integer`.
pub fn solve(n: usize, constraints: &[Constraint], integral: &[bool]) -> Option<Vec<Decimal>> {
    // Stage k holds the constraints over variables k.. (variables below k eliminated).
    let mut stages: Vec<Vec<Constraint>> = Vec::with_capacity(n + 1);
    let mut current: Vec<Constraint> = constraints.to_vec();
    for var in 0..n {
        stages.push(current.clone());
        let mut next = Vec::new();
        let mut positive = Vec::new();
        let mut negative = Vec::new();
        for constraint in current {
            match constraint.coefficients.get(&var).copied() {
                Some(c) if c > Decimal::ZERO => positive.push((c, constraint)),
                Some(c) if c < Decimal::ZERO => negative.push((c, constraint)),
                _ => next.push(constraint),
            }
        }
        for (p, lower) in &positive {
            for (q, upper) in &negative {
                // lower·(−q) + upper·p eliminates `var`.
                let mut coefficients = BTreeMap::new();
                for (key, value) in lower.coefficients.iter() {
                    *coefficients.entry(*key).or_insert(Decimal::ZERO) += value.checked_mul(-*q)?;
                }
                for (key, value) in upper.coefficients.iter() {
                    *coefficients.entry(*key).or_insert(Decimal::ZERO) += value.checked_mul(*p)?;
                }
                coefficients.retain(|_, value| !value.is_zero());
                let bound = lower.bound.checked_mul(-*q)?.checked_add(upper.bound.checked_mul(*p)?)?;
                next.push(Constraint::new(coefficients, bound, lower.strict || upper.strict));
            }
        }
        // Constant constraints are decided now.
        let mut kept = Vec::new();
        for constraint in next {
            if constraint.coefficients.is_empty() {
                let holds = if constraint.strict {
                    Decimal::ZERO > constraint.bound
                } else {
                    Decimal::ZERO >= constraint.bound
                };
                if !holds {
                    return None;
                }
            } else {
                kept.push(constraint);
            }
        }
        current = tightest(kept);
    }
    // Back-substitution: the last variable first.
    let mut values = vec![Decimal::ZERO; n];
    for var in (0..n).rev() {
        let stage = stages.get(var)?;
        let mut low: Option<(Decimal, bool)> = None;
        let mut high: Option<(Decimal, bool)> = None;
        for constraint in stage {
            let Some(c) = constraint.coefficients.get(&var).copied().filter(|c| !c.is_zero()) else { continue };
            // c·x + rest ≥ bound, with the later variables known and the earlier ones absent here.
            let mut rest = Decimal::ZERO;
            for (key, value) in &constraint.coefficients {
                if *key > var {
                    rest = rest.checked_add(value.checked_mul(*values.get(*key)?)?)?;
                }
            }
            let limit = constraint.bound.checked_sub(rest)?.checked_div(c)?;
            if c > Decimal::ZERO {
                low = Some(tighter_low(low, (limit, constraint.strict)));
            } else {
                high = Some(tighter_high(high, (limit, constraint.strict)));
            }
        }
        let value = pick(low, high, integral.get(var).copied().unwrap_or(false))?;
        if let Some(slot) = values.get_mut(var) {
            *slot = value;
        }
    }
    Some(values)
}

fn tighter_low(current: Option<(Decimal, bool)>, new: (Decimal, bool)) -> (Decimal, bool) {
    match current {
        Some((value, strict)) if value > new.0 || (value == new.0 && strict) => (value, strict),
        _ => new,
    }
}

fn tighter_high(current: Option<(Decimal, bool)>, new: (Decimal, bool)) -> (Decimal, bool) {
    match current {
        Some((value, strict)) if value < new.0 || (value == new.0 && strict) => (value, strict),
        _ => new,
    }
}

/// A readable value between the bounds: zero when allowed, else a bound, its double, or the middle.
fn pick(low: Option<(Decimal, bool)>, high: Option<(Decimal, bool)>, integral: bool) -> Option<Decimal> {
    let fits = |x: Decimal| {
        low.is_none_or(|(l, strict)| if strict { x > l } else { x >= l })
            && high.is_none_or(|(h, strict)| if strict { x < h } else { x <= h })
            && (!integral || x.fract().is_zero())
    };
    let mut candidates = vec![Decimal::ZERO];
    if let Some((l, _)) = low {
        candidates.push(l);
        if l > Decimal::ZERO {
            candidates.extend(l.checked_mul(Decimal::TWO));
        }
        candidates.push(l.floor() + Decimal::ONE);
    }
    if let Some((h, _)) = high {
        candidates.push(h);
        candidates.push(h.ceil() - Decimal::ONE);
        if h < Decimal::ZERO {
            candidates.extend(h.checked_mul(Decimal::TWO));
        }
    }
    if let (Some((l, _)), Some((h, _))) = (low, high) {
        candidates.extend(l.checked_add(h).and_then(|sum| sum.checked_div(Decimal::TWO)));
    }
    candidates.into_iter().find(|x| fits(*x))
}

/// The constraints with each scaled so that its first coefficient is 1 or −1, and of those with
/// the same coefficients only the tightest kept (the greatest bound, strict before not at equal
/// bounds): the same solutions, and elimination stays small where it would otherwise repeat a
/// constraint once per pair that derives it (differences of dates compared over list entries).
/// A constraint that cannot be scaled exactly is kept as it is.
fn tightest(constraints: Vec<Constraint>) -> Vec<Constraint> {
    let mut best: BTreeMap<Vec<(usize, Decimal)>, (Decimal, bool)> = BTreeMap::new();
    let mut unscaled = Vec::new();
    for constraint in constraints {
        let Some((coefficients, bound)) = scaled(&constraint) else {
            unscaled.push(constraint);
            continue;
        };
        let tighter = |(old_bound, old_strict): (Decimal, bool)| {
            bound > old_bound || (bound == old_bound && constraint.strict && !old_strict)
        };
        match best.get(&coefficients) {
            Some(existing) if !tighter(*existing) => {}
            _ => {
                best.insert(coefficients, (bound, constraint.strict));
            }
        }
    }
    best.into_iter()
        .map(|(coefficients, (bound, strict))| Constraint::new(coefficients.into_iter().collect(), bound, strict))
        .chain(unscaled)
        .collect()
}

/// A constraint's coefficients and bound divided by its first coefficient's size, exactly.
fn scaled(constraint: &Constraint) -> Option<(Vec<(usize, Decimal)>, Decimal)> {
    let scale = constraint.coefficients.values().next()?.abs();
    if scale.is_zero() {
        return None;
    }
    let mut coefficients = Vec::with_capacity(constraint.coefficients.len());
    for (key, value) in &constraint.coefficients {
        let divided = value.checked_div(scale)?.normalize();
        // Division must be exact, or the scaled constraint would differ from the original.
        if divided.checked_mul(scale)? != *value {
            return None;
        }
        coefficients.push((*key, divided));
    }
    let bound = constraint.bound.checked_div(scale)?.normalize();
    if bound.checked_mul(scale)? != constraint.bound {
        return None;
    }
    Some((coefficients, bound))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(terms: &[(usize, i64)], bound: i64, strict: bool) -> Constraint {
        Constraint::new(terms.iter().map(|(k, v)| (*k, Decimal::from(*v))).collect(), Decimal::from(bound), strict)
    }

    #[test]
    fn two_sums_sharing_a_part() {
        // x0 + x1 > 10, x0 + x2 ≤ 5 (as −x0 − x2 ≥ −5), all ≥ 0.
        let constraints = vec![
            c(&[(0, 1), (1, 1)], 10, true),
            c(&[(0, -1), (2, -1)], -5, false),
            c(&[(0, 1)], 0, false),
            c(&[(1, 1)], 0, false),
            c(&[(2, 1)], 0, false),
        ];
        let values = solve(3, &constraints, &[false; 3]).expect("feasible");
        let (x0, x1, x2) = (values[0], values[1], values[2]);
        assert!(x0 + x1 > Decimal::from(10));
        assert!(x0 + x2 <= Decimal::from(5));
        assert!(x0 >= Decimal::ZERO && x1 >= Decimal::ZERO && x2 >= Decimal::ZERO);
    }

    #[test]
    fn the_tightest_of_scaled_copies_is_kept() {
        // 2·x0 − 2·x1 ≥ 2, x0 − x1 > 1 and 3·x0 − 3·x1 ≥ 3 are one constraint at three bounds:
        // x0 − x1 > 1 is the tightest; a constraint on other variables stays, and so does
        // 3·x0 − 3·x1 ≥ 1, whose bound divided by 3 is no exact decimal.
        let kept = tightest(vec![
            c(&[(0, 2), (1, -2)], 2, false),
            c(&[(0, 1), (1, -1)], 1, true),
            c(&[(0, 3), (1, -3)], 3, false),
            c(&[(1, 1)], 0, false),
            c(&[(0, 3), (1, -3)], 1, false),
        ]);
        let shown: Vec<String> = kept
            .iter()
            .map(|constraint| format!("{:?} {} {}", constraint.coefficients, constraint.bound, constraint.strict))
            .collect();
        assert_eq!(shown, ["{0: 1, 1: -1} 1 true", "{1: 1} 0 false", "{0: 3, 1: -3} 1 false"]);
        // Over differences repeated through many pairs, elimination stays small and exact:
        // x0 ≥ x1 + 1 ≥ … ≥ x11 + 11 and x11 ≥ 0, with every pair's difference stated too.
        let mut constraints = vec![c(&[(11, 1)], 0, false)];
        for i in 0..12usize {
            for j in i + 1..12 {
                constraints.push(c(&[(i, 1), (j, -1)], (j - i) as i64, false));
            }
        }
        let values = solve(12, &constraints, &[false; 12]).expect("feasible");
        for i in 0..12usize {
            for j in i + 1..12 {
                assert!(values[i] - values[j] >= Decimal::from((j - i) as i64), "{values:?}");
            }
        }
        constraints.push(c(&[(0, -1)], -10, false));
        assert!(solve(12, &constraints, &[false; 12]).is_none(), "x0 ≤ 10 contradicts x0 ≥ 11");
    }

    #[test]
    fn infeasible_bounds() {
        // x0 > 5 and x0 < 5.
        let constraints = vec![c(&[(0, 1)], 5, true), c(&[(0, -1)], -5, true)];
        assert!(solve(1, &constraints, &[false]).is_none());
    }
}
