//! `kymsim plot DIR`: redraws the charts and the report of an output folder from its files,
//! without running the model.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use crate::charts;
use crate::error::Result;
use crate::i18n::Msg;
use crate::output::OutputSet;

/// Arguments of `kymsim plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// Output folder of `kymsim run` (holds results.csv, summary.csv, metadata.json)
    #[arg(value_name = "DIR", default_value = "output")]
    pub dir: PathBuf,
    /// Image size of the PNG and SVG charts, WIDTHxHEIGHT
    #[arg(long, value_name = "WxH", default_value = "1600x900", value_parser = charts::parse_size)]
    pub size: (u32, u32),
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub lang: super::LangArg,
}

/// Runs `kymsim plot`.
pub fn plot(args: PlotArgs) -> Result<i32> {
    let start = Instant::now();
    // the language of what is printed: --lang, else the one the run drew in (metadata.json)
    let lang = args.lang.lang.unwrap_or_else(|| {
        std::fs::read(args.dir.join(charts::METADATA_JSON))
            .ok()
            .and_then(|b| serde_json::from_slice::<charts::Metadata>(&b).ok())
            .map(|m| m.lang)
            .unwrap_or_default()
    });
    // draw batch and sensitivity files only when they come from the inputs of the run whose
    // results are here (its manifest); without a manifest there is nothing to compare
    let manifest = args.dir.join(crate::output::MANIFEST_JSON);
    let skip = match crate::output::recorded::read_recorded_inputs(&manifest)? {
        Some(inputs) => {
            let version = crate::output::recorded::read_record(&manifest)?
                .and_then(|b| charts::CurrentInputs::from_manifest(&b))
                .map(|c| c.version)
                .unwrap_or_default();
            let current = crate::output::prior::Current {
                version: &version,
                inputs: &inputs,
            };
            super::read_prior_in(&args.dir, Some(current), args.quiet, lang)?.skip_files()
        }
        None => {
            // a folder without results is refused below: no note before that error
            if !args.quiet && args.dir.join(crate::output::RESULTS_CSV).is_file() {
                eprintln!(
                    "{}",
                    lang.fill(
                        Msg::PlotNoManifest,
                        &[
                            ("manifest", &crate::output::MANIFEST_JSON),
                            ("dir", &args.dir.display()),
                        ]
                    )
                );
            }
            Vec::new()
        }
    };
    // without --lang: the language the run drew in (metadata.json)
    let files = charts::render_dir(&args.dir, args.size, args.lang.lang, &skip)?;
    let mut set = OutputSet::new(&args.dir)?;
    for f in &files {
        set.stage(&f.path, &f.bytes)?;
    }
    set.commit()?;
    if !args.quiet {
        // every chart as PNG and SVG, besides report.html and report.xlsx
        let charts = files.len().saturating_sub(2) / 2;
        println!(
            "{}",
            lang.fill(
                Msg::PlotWrote,
                &[
                    ("n", &charts),
                    ("w", &args.size.0),
                    ("h", &args.size.1),
                    ("charts", &args.dir.join(charts::CHARTS_DIR).display()),
                    ("report", &args.dir.join(charts::REPORT_HTML).display()),
                    ("s", &lang.fixed(start.elapsed().as_secs_f64(), 2)),
                ]
            )
        );
    }
    Ok(0)
}
