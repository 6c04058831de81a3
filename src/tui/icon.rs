// TEMPORARY placeholder until the pixel-art icons land (replaced by the real module).
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use super::theme::ColorMode;

pub struct IconView<'a> {
    pub stem: &'a str,
    pub mode: ColorMode,
}

impl Widget for IconView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let text: String = self
            .stem
            .to_uppercase()
            .chars()
            .take(usize::from(area.width))
            .collect();
        buf.set_string(area.x, area.y, text, ratatui::style::Style::default());
    }
}
