//! Did-you-mean: the closest known name to a misspelt one.

/// The candidate closest to `name`, when it is close enough to be a likely typo.
pub fn closest<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let distance = if candidate.to_lowercase() == lower {
            0
        } else {
            strsim::damerau_levenshtein(&lower, &candidate.to_lowercase())
        };
        let shorter = name.chars().count().min(candidate.chars().count());
        let allowed = match shorter {
            0..=2 => 0,
            3..=5 => 1,
            6..=11 => 2,
            _ => 3,
        };
        if distance <= allowed && best.is_none_or(|(d, c)| (distance, candidate) < (d, c)) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_near_misses_only() {
        let names = ["request", "reason", "refund_method"];
        assert_eq!(closest("reqest", names), Some("request"));
        assert_eq!(closest("Reason", names), Some("reason"));
        assert_eq!(closest("refund_metod", names), Some("refund_method"));
        assert_eq!(closest("zzz", names), None);
        assert_eq!(closest("re", names), None);
    }

    #[test]
    fn ties_break_alphabetically() {
        assert_eq!(closest("cat", ["bat", "hat"]), Some("bat"));
    }
}
