//! A small page layout over `pdf-writer`: lines of text (left- or right-aligned, regular or
//! bold), rules, and page breaks, on US Letter with Helvetica. The text stays text (selectable,
//! searchable, read by `pdftotext`): the standard fonts need nothing embedded, and their widths
//! (below, from Adobe's metrics) are what alignment and wrapping measure.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

pub const PAGE_WIDTH: f32 = 612.0;
pub const PAGE_HEIGHT: f32 = 792.0;
pub const MARGIN: f32 = 50.0;
const BOTTOM: f32 = 64.0;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

impl Weight {
    fn font(self) -> Name<'static> {
        match self {
            Weight::Regular => Name(b"F1"),
            Weight::Bold => Name(b"F2"),
        }
    }
}

/// A document being laid out, top to bottom.
pub struct Document {
    title: String,
    /// Printed atop every page after the first ("Invoice 2026-0012, continued").
    running_head: String,
    pages: Vec<Content>,
    /// The baseline of the next line on the current page.
    pub y: f32,
}

impl Document {
    pub fn new(title: &str, running_head: &str) -> Document {
        let mut doc = Document {
            title: title.to_string(),
            running_head: running_head.to_string(),
            pages: vec![],
            y: 0.0,
        };
        doc.new_page();
        doc
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = PAGE_HEIGHT - MARGIN;
        if self.pages.len() > 1 {
            let head = self.running_head.clone();
            self.text(MARGIN, &head, 9.0, Weight::Regular);
            self.y -= 22.0;
        }
    }

    /// Room for `height` more points on this page, or a new one.
    pub fn need(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            self.new_page();
        }
    }

    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("a page")
    }

    /// Text starting at `x` on the current line.
    pub fn text(&mut self, x: f32, s: &str, size: f32, weight: Weight) {
        let y = self.y;
        let bytes = win_ansi(s);
        let page = self.page();
        page.begin_text();
        page.set_font(weight.font(), size);
        page.next_line(x, y);
        page.show(Str(&bytes));
        page.end_text();
    }

    /// Text ending at `right` on the current line.
    pub fn text_right(&mut self, right: f32, s: &str, size: f32, weight: Weight) {
        let x = right - width(s, size, weight);
        self.text(x, s, size, weight);
    }

    /// A thin horizontal rule across the text column at the current line.
    pub fn rule(&mut self) {
        let y = self.y;
        let page = self.page();
        page.set_line_width(0.5);
        page.move_to(MARGIN, y);
        page.line_to(PAGE_WIDTH - MARGIN, y);
        page.stroke();
    }

    /// Down by `points`.
    pub fn down(&mut self, points: f32) {
        self.y -= points;
    }

    /// The finished file: every page numbered "Page k of n".
    pub fn finish(mut self) -> Vec<u8> {
        let n = self.pages.len();
        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let regular = Ref::new(3);
        let bold = Ref::new(4);
        let info = Ref::new(5);
        let first_page = 6;
        let page_ids: Vec<Ref> = (0..n)
            .map(|i| Ref::new(first_page + 2 * i as i32))
            .collect();
        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree)
            .kids(page_ids.iter().copied())
            .count(n as i32);
        pdf.type1_font(regular)
            .base_font(Name(b"Helvetica"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.type1_font(bold)
            .base_font(Name(b"Helvetica-Bold"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.document_info(info)
            .title(TextStr(&self.title))
            .producer(TextStr("Docket"));
        let pages = std::mem::take(&mut self.pages);
        for (i, mut content) in pages.into_iter().enumerate() {
            let label = format!("Page {} of {n}", i + 1);
            let bytes = win_ansi(&label);
            let x = PAGE_WIDTH - MARGIN - width(&label, 8.0, Weight::Regular);
            content.begin_text();
            content.set_font(Weight::Regular.font(), 8.0);
            content.next_line(x, 36.0);
            content.show(Str(&bytes));
            content.end_text();
            let id = page_ids[i];
            let content_id = Ref::new(id.get() + 1);
            let mut page = pdf.page(id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
            page.parent(tree);
            page.contents(content_id);
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            fonts.pair(Weight::Regular.font(), regular);
            fonts.pair(Weight::Bold.font(), bold);
            fonts.finish();
            resources.finish();
            page.finish();
            pdf.stream(content_id, &content.finish());
        }
        pdf.finish()
    }
}

/// Split `s` into lines no wider than `max` points (words longer than a line are cut).
pub fn wrap(s: &str, max: f32, size: f32, weight: Weight) -> Vec<String> {
    let mut lines = vec![];
    for paragraph in s.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if width(&candidate, size, weight) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the line on its own: cut it.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if width(&piece, size, weight) > max {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// The width of `s` in points.
pub fn width(s: &str, size: f32, weight: Weight) -> f32 {
    let table = match weight {
        Weight::Regular => &HELVETICA,
        Weight::Bold => &HELVETICA_BOLD,
    };
    let units: u32 = s
        .chars()
        .map(|c| match c as u32 {
            32..=126 => u32::from(table[(c as u32 - 32) as usize]),
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// Whether the standard fonts print `c` (else it shows as "?").
pub fn printable(c: char) -> bool {
    c == '?' || win_ansi(c.encode_utf8(&mut [0; 4])) != b"?"
}

/// Text in the standard fonts' WinAnsi encoding: Latin-1 and the usual typographic marks;
/// anything else prints as "?".
pub fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '\u{20}'..='\u{7e}' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '™' => 0x99,
            '\t' => b' ',
            _ => b'?',
        })
        .collect()
}

/// Advance widths of ASCII 32–126 in thousandths of the size (Adobe's Helvetica metrics).
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, // space … /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0–9
    278, 278, 584, 584, 584, 556, 1015, // : ; < = > ? @
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667,
    611, 722, 667, 944, 667, 667, 611, // A–Z
    278, 278, 278, 469, 556, 333, // [ \ ] ^ _ `
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
    278, 556, 500, 722, 500, 500, 500, // a–z
    334, 260, 334, 584, // { | } ~
];
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278,
    278, // space … /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0–9
    333, 333, 584, 584, 584, 611, 975, // : ; < = > ? @
    722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667,
    611, 722, 667, 944, 667, 667, 611, // A–Z
    333, 278, 333, 584, 556, 333, // [ \ ] ^ _ `
    556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556,
    333, 611, 556, 778, 556, 556, 500, // a–z
    389, 280, 389, 584, // { | } ~
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_tabular_so_amounts_align() {
        assert_eq!(
            width("1,234.56", 10.0, Weight::Regular),
            width("9,999.99", 10.0, Weight::Regular)
        );
        assert!((width("0", 1000.0, Weight::Regular) - 556.0).abs() < 0.01);
    }

    #[test]
    fn wrapping_keeps_every_word_and_fits_the_width() {
        let text =
            "Draft and file the motion to compel discovery responses from the defendant's counsel";
        let lines = wrap(text, 120.0, 9.0, Weight::Regular);
        assert!(lines.len() > 1);
        assert!(lines
            .iter()
            .all(|l| width(l, 9.0, Weight::Regular) <= 120.0));
        assert_eq!(lines.join(" "), text);
        let long = wrap(&"x".repeat(200), 50.0, 9.0, Weight::Regular);
        assert_eq!(long.concat(), "x".repeat(200));
    }

    #[test]
    fn text_is_encoded_for_the_standard_fonts() {
        assert_eq!(win_ansi("Café – €5"), b"Caf\xe9 \x96 \x805".to_vec());
        assert_eq!(win_ansi("日本"), b"??".to_vec());
    }

    #[test]
    fn a_long_document_breaks_into_numbered_pages() {
        let mut doc = Document::new("Test", "Test, continued");
        for i in 0..120 {
            doc.need(12.0);
            doc.text(MARGIN, &format!("line {i}"), 10.0, Weight::Regular);
            doc.down(12.0);
        }
        let bytes = doc.finish();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with("%PDF-"));
        assert!(text.contains("(Page 3 of 3)"), "three pages of 120 lines");
        assert!(text.contains("(Test, continued)"));
    }
}
