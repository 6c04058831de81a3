//! Plain-text tables for the command line: aligned columns, no box drawing, so they stay
//! readable in any terminal, in a log file and through `grep`.

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

pub struct Table {
    headers: Vec<String>,
    aligns: Vec<Align>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(columns: &[(&str, Align)]) -> Self {
        Table {
            headers: columns.iter().map(|(h, _)| (*h).to_owned()).collect(),
            aligns: columns.iter().map(|(_, a)| *a).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Widths count characters, not bytes: French accents are one column wide.
    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        widths
    }

    fn line(&self, cells: &[String], widths: &[usize], out: &mut String) {
        let last = cells.len().saturating_sub(1);
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let pad = width - cell.chars().count();
            match self.aligns[i] {
                Align::Right => {
                    out.extend(std::iter::repeat_n(' ', pad));
                    out.push_str(cell);
                }
                Align::Left => {
                    out.push_str(cell);
                    // No trailing spaces after the last column.
                    if i != last {
                        out.extend(std::iter::repeat_n(' ', pad));
                    }
                }
            }
            if i != last {
                out.push_str("  ");
            }
        }
        out.push('\n');
    }

    pub fn render(&self) -> String {
        let widths = self.widths();
        let mut out = String::new();
        self.line(&self.headers, &widths, &mut out);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        self.line(&rule, &widths, &mut out);
        for row in &self.rows {
            self.line(row, &widths, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns_by_characters() {
        let mut t = Table::new(&[("Nom", Align::Left), ("Montant", Align::Right)]);
        t.row(vec!["Sénélec".into(), "27 684 FCFA".into()]);
        t.row(vec!["UCAD".into(), "500 FCFA".into()]);
        assert_eq!(
            t.render(),
            "Nom          Montant\n-------  -----------\nSénélec  27 684 FCFA\nUCAD        500 FCFA\n"
        );
    }
}
