//! Sizes as people read them: "16 MiB", "1.5 MiB", "300 KiB", "12 bytes", and pixel
//! counts in megapixels.

/// A byte count in binary units, one decimal where it matters. Whole-number
/// arithmetic only: formatting floats would add their code to the WASM app.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut unit = 0;
    let mut divisor: u128 = 1024;
    while u128::from(bytes) >= divisor * 1024 && unit < UNITS.len() - 1 {
        divisor *= 1024;
        unit += 1;
    }
    one_decimal(u128::from(bytes) * 10, divisor, UNITS[unit])
}

/// `tenths / 10 / divisor`, rounded to one decimal (none when it is whole), then
/// `unit`.
fn one_decimal(tenths: u128, divisor: u128, unit: &str) -> String {
    let rounded = (tenths + divisor / 2) / divisor;
    match rounded % 10 {
        0 => format!("{} {unit}", rounded / 10),
        decimal => format!("{}.{decimal} {unit}", rounded / 10),
    }
}

/// A pixel count in megapixels, always with one decimal: "12.6", "2.0". The
/// server's refusals and the browser's checks say it the same way.
pub fn megapixels(pixels: u64) -> String {
    let tenths = (u128::from(pixels) + 50_000) / 100_000;
    format!("{}.{}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(12), "12 bytes");
        assert_eq!(human_bytes(16 * 1024 * 1024), "16 MiB");
        assert_eq!(human_bytes(1536 * 1024), "1.5 MiB");
        assert_eq!(human_bytes(300 * 1024), "300 KiB");
        assert_eq!(human_bytes(1023), "1023 bytes");
        assert_eq!(human_bytes(1024), "1 KiB");
        // Rounded to the nearest tenth, halves up.
        assert_eq!(human_bytes(1024 + 51), "1 KiB");
        assert_eq!(human_bytes(1024 + 52), "1.1 KiB");
        assert_eq!(human_bytes(1024 * 1024 - 1), "1024 KiB");
        assert_eq!(
            human_bytes(3 * 1024 * 1024 * 1024 + 700 * 1024 * 1024),
            "3.7 GiB"
        );
        assert_eq!(human_bytes(5000 * 1024u64.pow(4)), "5000 TiB");
        assert_eq!(human_bytes(u64::MAX), "16777216 TiB");
    }

    #[test]
    fn decimals_round_to_the_nearest_tenth() {
        assert_eq!(megapixels(12_582_912), "12.6");
        assert_eq!(megapixels(2_000_000), "2.0");
        assert_eq!(megapixels(49_999), "0.0");
        assert_eq!(megapixels(50_000), "0.1");
    }
}
