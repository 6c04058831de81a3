//! Amounts in whole FCFA (XOF), written the French way: `12 500 FCFA`.

/// Groups thousands with a narrow no-break space? No: a plain space renders the
/// same in every terminal font and keeps column widths predictable.
pub fn group_thousands(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if amount < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// `12500` → `12 500 FCFA`.
pub fn fcfa(amount: i64) -> String {
    format!("{} FCFA", group_thousands(amount))
}

/// A balance may carry decimals (`2332.0625`): show whole francs, rounded down
/// so the shop is never told it has more than it has.
pub fn fcfa_balance(balance: f64) -> String {
    fcfa(balance.floor() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_three() {
        assert_eq!(fcfa(0), "0 FCFA");
        assert_eq!(fcfa(500), "500 FCFA");
        assert_eq!(fcfa(1500), "1 500 FCFA");
        assert_eq!(fcfa(12500), "12 500 FCFA");
        assert_eq!(fcfa(1_234_567), "1 234 567 FCFA");
        assert_eq!(fcfa(-2500), "-2 500 FCFA");
        assert_eq!(fcfa_balance(2332.0625), "2 332 FCFA");
    }
}
