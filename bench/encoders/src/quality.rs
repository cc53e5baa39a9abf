//! Measures what one encoder makes of one thumbnail at one quality setting (bytes,
//! DSSIM against the resized source, encode time), remembering each answer, and
//! searches the quality setting that meets a DSSIM target.

use std::collections::HashMap;
use std::time::Instant;

use dssim_core::{Dssim, DssimImage};

use crate::codecs::Codec;
use crate::photos::Thumbnail;

/// What one encode gave.
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    pub bytes: usize,
    pub dssim: f64,
    /// One encode's wall time (the first run; see [`Lab::timed`] for a steadier one).
    pub ms: f64,
}

/// The thumbnails of one set of photos, ready to be compared against.
pub struct Lab {
    pub thumbs: Vec<Thumbnail>,
    references: Vec<DssimImage<f32>>,
    dssim: Dssim,
    /// (codec name, thumbnail index, quality) → outcome.
    seen: HashMap<(String, usize, u32), Outcome>,
}

impl Lab {
    pub fn new(thumbs: Vec<Thumbnail>) -> Self {
        let dssim = Dssim::new();
        let references = thumbs
            .iter()
            .map(|t| {
                dssim
                    .create_image_rgb(&t.pixels, t.width as usize, t.height as usize)
                    .expect("a DSSIM image of the source")
            })
            .collect();
        Lab {
            thumbs,
            references,
            dssim,
            seen: HashMap::new(),
        }
    }

    /// Thumbnail `index` through `codec` at `quality`.
    pub fn measure(&mut self, codec: Codec, index: usize, quality: u32) -> Outcome {
        let key = (codec.name(), index, quality);
        if let Some(outcome) = self.seen.get(&key) {
            return *outcome;
        }
        let thumb = &self.thumbs[index];
        let start = Instant::now();
        let file = codec.encode(thumb, quality);
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let (w, h, pixels) = codec.decode(&file);
        assert_eq!(
            (w, h),
            (thumb.width, thumb.height),
            "{} decoded at another size",
            codec.name()
        );
        let decoded = self
            .dssim
            .create_image_rgb(&pixels, w as usize, h as usize)
            .expect("a DSSIM image of the decoded file");
        let (value, _) = self.dssim.compare(&self.references[index], decoded);
        let outcome = Outcome {
            bytes: file.len(),
            dssim: f64::from(value),
            ms,
        };
        self.seen.insert(key, outcome);
        outcome
    }

    /// Every thumbnail through `codec` at `quality`, averaged.
    pub fn mean(&mut self, codec: Codec, quality: u32) -> Outcome {
        let n = self.thumbs.len();
        let all: Vec<Outcome> = (0..n).map(|i| self.measure(codec, i, quality)).collect();
        average(&all)
    }

    /// The lowest quality setting whose mean DSSIM over the set is at or under
    /// `target` (a bisection: DSSIM falls as the setting rises), or the highest
    /// setting if none is.
    pub fn setting_for(&mut self, codec: Codec, target: f64) -> u32 {
        let (mut lo, mut hi) = codec.qualities();
        if self.mean(codec, hi).dssim > target {
            return hi;
        }
        // Invariant: `hi` meets the target; everything below `lo` is unknown or fails.
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.mean(codec, mid).dssim <= target {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        hi
    }

    /// For each thumbnail alone, the lowest setting meeting `target` (the same
    /// bisection), and what it gave: the best a per-photo setting could do.
    pub fn per_thumbnail(&mut self, codec: Codec, target: f64) -> Vec<Outcome> {
        (0..self.thumbs.len())
            .map(|i| {
                let (mut lo, mut hi) = codec.qualities();
                if self.measure(codec, i, hi).dssim > target {
                    return self.measure(codec, i, hi);
                }
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if self.measure(codec, i, mid).dssim <= target {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                self.measure(codec, i, hi)
            })
            .collect()
    }

    /// Mean encode time of one thumbnail through `codec` at `quality`: each
    /// thumbnail encoded `runs` times, its median kept (the machine is shared).
    pub fn timed(&self, codec: Codec, quality: u32, runs: usize) -> f64 {
        let per_thumb: Vec<f64> = self
            .thumbs
            .iter()
            .map(|thumb| {
                let mut times: Vec<f64> = (0..runs)
                    .map(|_| {
                        let start = Instant::now();
                        std::hint::black_box(codec.encode(thumb, quality));
                        start.elapsed().as_secs_f64() * 1000.0
                    })
                    .collect();
                times.sort_by(f64::total_cmp);
                times[times.len() / 2]
            })
            .collect();
        per_thumb.iter().sum::<f64>() / per_thumb.len() as f64
    }
}

/// The mean of each field.
pub fn average(all: &[Outcome]) -> Outcome {
    let n = all.len() as f64;
    Outcome {
        bytes: (all.iter().map(|o| o.bytes as f64).sum::<f64>() / n).round() as usize,
        dssim: all.iter().map(|o| o.dssim).sum::<f64>() / n,
        ms: all.iter().map(|o| o.ms).sum::<f64>() / n,
    }
}
