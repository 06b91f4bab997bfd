//! Fuzzy "did you mean" suggestions for unknown names.

/// The candidate closest to `name`, if one is close enough to be a plausible typo.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let score = strsim::jaro_winkler(&name.to_lowercase(), &candidate.to_lowercase());
        let close_edit = strsim::levenshtein(name, candidate) <= (name.len() / 3).max(1);
        if score < 0.85 && !close_edit {
            continue;
        }
        // Ties go to the alphabetically first candidate, so suggestions are deterministic.
        let better = match best {
            None => true,
            Some((best_score, best_name)) => score > best_score || (score == best_score && candidate < best_name),
        };
        if better {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_letter_typo_finds_the_field() {
        assert_eq!(did_you_mean("trainig_compute", ["training_compute", "purposes"]), Some("training_compute"));
    }

    #[test]
    fn an_unrelated_name_finds_nothing() {
        assert_eq!(did_you_mean("xyz", ["training_compute", "purposes"]), None);
    }
}
