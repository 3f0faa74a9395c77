//! 统一社会信用代码 — the unified social credit code of GB 32100-2015: 18 characters
//! from a 31-character alphabet, the last a check character over the first 17.

/// The code's alphabet: digits and capitals without I, O, S, V, Z.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The weights of positions 1–17 (3^(i-1) mod 31).
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Why a code is not valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// Not 18 characters.
    Length(usize),
    /// A character outside the alphabet, at a 1-based position.
    Character(usize, char),
    /// The check character is not the one the first 17 give.
    Check {
        /// What the code has.
        found: char,
        /// What it should have.
        expected: char,
    },
}

/// The value of an alphabet character.
fn value(c: char) -> Option<u32> {
    ALPHABET.iter().position(|a| char::from(*a) == c).and_then(|p| u32::try_from(p).ok())
}

/// Checks a code (spaces around it ignored; letters must be capitals, as printed on the
/// business licence).
pub fn check(code: &str) -> Result<(), Invalid> {
    let chars: Vec<char> = code.trim().chars().collect();
    if chars.len() != 18 {
        return Err(Invalid::Length(chars.len()));
    }
    let mut sum = 0u32;
    for (i, c) in chars.iter().enumerate() {
        let v = value(*c).ok_or(Invalid::Character(i + 1, *c))?;
        if let Some(w) = WEIGHTS.get(i) {
            sum += v * w;
        }
    }
    let check = (31 - sum % 31) % 31;
    let expected = ALPHABET.get(check as usize).map(|b| char::from(*b)).unwrap_or('?');
    let found = chars.last().copied().unwrap_or('?');
    if found == expected { Ok(()) } else { Err(Invalid::Check { found, expected }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_character() {
        // The standard's worked example, and a code with a letter check character.
        assert_eq!(check("91350100M000100Y43"), Ok(()));
        assert_eq!(check("91110108MA01KPGK0L"), Ok(()));
        assert_eq!(check("91350100M000100Y44"), Err(Invalid::Check { found: '4', expected: '3' }));
        assert_eq!(check("9135010"), Err(Invalid::Length(7)));
        assert_eq!(check("91350100M000100IO3"), Err(Invalid::Character(16, 'I')));
    }
}
