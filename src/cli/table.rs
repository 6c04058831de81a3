//! Plain-text tables for the command line: aligned columns, no box drawing, so they stay
//! readable in any terminal, in a log file and through `grep`. Laid out by `comfy-table`,
//! by display width: an accented letter is one column, a wide (CJK) character two.

use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, TableComponent, presets};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

pub struct Table {
    inner: comfy_table::Table,
    rows: usize,
}

impl Table {
    pub fn new(columns: &[(&str, Align)]) -> Self {
        let mut inner = comfy_table::Table::new();
        inner
            .load_preset(presets::NOTHING)
            // Columns two spaces apart (padding one plus a blank separator); a rule of
            // dashes under the headings.
            .set_style(TableComponent::VerticalLines, ' ')
            .set_style(TableComponent::HeaderLines, '-')
            .set_style(TableComponent::MiddleHeaderIntersections, ' ')
            // Never wrapped to a terminal's width: a script reads whole lines.
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(columns.iter().map(|(h, _)| *h));
        let last = columns.len().saturating_sub(1);
        for (i, (column, (_, align))) in inner.column_iter_mut().zip(columns).enumerate() {
            column.set_padding((0, if i == last { 0 } else { 1 }));
            column.set_cell_alignment(match align {
                Align::Left => CellAlignment::Left,
                Align::Right => CellAlignment::Right,
            });
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
        Table { inner, rows: 0 }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.inner.column_count());
        self.inner.add_row(cells);
        self.rows += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The table, each line ended by a newline and without trailing spaces.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in self.inner.lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule under the headings runs over the gap's first space (comfy-table draws it
    /// over a column's padding): `-------- -----------`.
    #[test]
    fn aligns_columns_by_display_width() {
        let mut t = Table::new(&[("Nom", Align::Left), ("Montant", Align::Right)]);
        t.row(vec!["Sénélec".into(), "27 684 FCFA".into()]);
        t.row(vec!["UCAD".into(), "500 FCFA".into()]);
        t.row(vec!["東京".into(), "1 FCFA".into()]);
        assert_eq!(
            t.render(),
            "Nom          Montant\n-------- -----------\nSénélec  27 684 FCFA\nUCAD        500 FCFA\n東京          1 FCFA\n"
        );
    }
}
