//! Compares WebP (the app's thumbnail encoder) with AVIF and JPEG on the thumbnails
//! of each folder of photos given: at equal DSSIM, the bytes and encode time of each.
//!
//!     cargo run --release -- [--targets 0.001,0.002,0.004] [--avif-speeds 6,8,10]
//!         [--runs 3] [--dump DIR] FOLDER...
//!
//! Each folder is one set, with its own table (Markdown). The app's setting
//! (WebP at quality 72) is measured first and its mean DSSIM added as a target.

mod codecs;
mod photos;
mod quality;
mod report;

use std::path::PathBuf;

use codecs::Codec;
use quality::Lab;
use report::Row;

const USAGE: &str = "bench-encoders [--targets 0.001,0.002,0.004] [--avif-speeds 6,8,10] \
[--runs 3] [--dump DIR] FOLDER...";

/// The app's WebP quality (src/photos/render.rs).
const APP_QUALITY: u32 = 72;

struct Options {
    targets: Vec<f64>,
    avif_speeds: Vec<u8>,
    runs: usize,
    dump: Option<PathBuf>,
    folders: Vec<PathBuf>,
}

fn options() -> Options {
    let mut options = Options {
        targets: vec![0.001, 0.002, 0.004],
        avif_speeds: vec![6, 8, 10],
        runs: 3,
        dump: None,
        folders: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--targets" => {
                options.targets = value().split(',').map(|t| t.parse().expect("a number")).collect()
            }
            "--avif-speeds" => {
                options.avif_speeds =
                    value().split(',').map(|s| s.parse().expect("1 to 10")).collect()
            }
            "--runs" => options.runs = value().parse().expect("a count"),
            "--dump" => options.dump = Some(value().into()),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => options.folders.push(arg.into()),
        }
    }
    assert!(!options.folders.is_empty(), "give at least one folder of photos");
    options
}

fn codecs(avif_speeds: &[u8]) -> Vec<Codec> {
    let mut all = vec![Codec::WebpApp, Codec::WebpM6];
    all.extend(avif_speeds.iter().map(|&speed| Codec::Avif { speed }));
    all.push(Codec::JpegEncoder);
    #[cfg(feature = "mozjpeg")]
    all.push(Codec::Mozjpeg);
    all
}

fn main() {
    let options = options();
    let codecs = codecs(&options.avif_speeds);
    for folder in &options.folders {
        let paths = photos::list(folder);
        let thumbs: Vec<_> = paths.iter().flat_map(|p| photos::thumbnails(p)).collect();
        println!("\n## {} ({} photos, {} thumbnails)\n", folder.display(), paths.len(), thumbs.len());
        for t in &thumbs {
            println!("- {} {}×{}", t.label, t.width, t.height);
        }
        let mut lab = Lab::new(thumbs);

        let app = lab.mean(Codec::WebpApp, APP_QUALITY);
        println!(
            "\nThe app today, WebP q{APP_QUALITY}: mean DSSIM {:.5}, mean {} bytes\n",
            app.dssim, app.bytes
        );
        let mut targets: Vec<(f64, bool)> = options.targets.iter().map(|&t| (t, false)).collect();
        targets.push((app.dssim, true));
        targets.sort_by(|a, b| a.0.total_cmp(&b.0));

        let mut rows = Vec::new();
        for &(target, is_app) in &targets {
            for &codec in &codecs {
                // The app's own row is the app's own setting, not a search's.
                let setting = if is_app && codec == Codec::WebpApp {
                    APP_QUALITY
                } else {
                    lab.setting_for(codec, target)
                };
                let mean = lab.mean(codec, setting);
                let ms = lab.timed(codec, setting, options.runs);
                let tuned = quality::average(&lab.per_thumbnail(codec, target));
                eprintln!(
                    "target {target:.5} {:<20} q{setting:<3} dssim {:.5} {:>7} B {ms:>8.1} ms",
                    codec.name(),
                    mean.dssim,
                    mean.bytes
                );
                rows.push(Row {
                    codec: codec.name(),
                    target,
                    is_app,
                    setting,
                    dssim: mean.dssim,
                    bytes: mean.bytes,
                    ms,
                    tuned_bytes: tuned.bytes,
                });
            }
        }
        report::print(&rows);

        if let Some(dir) = &options.dump {
            let set = folder.file_name().unwrap_or_default().to_string_lossy();
            let dir = dir.join(set.as_ref());
            std::fs::create_dir_all(&dir).expect("the dump folder");
            for row in rows.iter().filter(|r| r.is_app) {
                let codec = *codecs.iter().find(|c| c.name() == row.codec).unwrap();
                for thumb in &lab.thumbs {
                    report::dump(&dir, thumb, codec, row.setting);
                }
            }
            println!("\nFiles at the app's level written to {}", dir.display());
        }
    }
}
