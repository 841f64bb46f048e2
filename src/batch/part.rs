//! Shards and part files: `kymsim batch --shard K/N` writes one part, `kymsim merge` combines
//! the parts into the outputs of the unsharded batch, byte for byte.
//!
//! Shard K of N computes samples [⌊(K−1)·S/N⌋, ⌊K·S/N⌋) of every scenario. A part file is
//! `KYMPART\n`, the format version (u32, little endian), the SHA-256 of the payload (32 bytes),
//! then the payload: the [`PartHeader`] and one [`Partial`] per scenario, encoded as
//! [`super::codec`] documents (little endian, field by field). A part
//! is complete only when its checksum matches and it deserialises to the end; `merge` and a
//! resumed shard both verify it, so a damaged part is refused or recomputed, never used.

use std::path::{Path, PathBuf};

use sha2::Digest;

use super::{Finished, Identity, finish};
use crate::engine::stats::{BINS, Binning, NEVER, Partial};
use crate::error::{Error, InputError, IoKind, Result};
use crate::output::recorded::InputHash;

/// Magic bytes at the start of a part file.
pub const MAGIC: &[u8; 8] = b"KYMPART\n";
/// Part file format version.
pub const FORMAT: u32 = 4;
/// Bytes before the payload: magic, format, SHA-256 of the payload.
const HEAD: usize = 8 + 4 + 32;
pub use crate::output::schema::PARTS_DIR;

/// Shard `k` of `n`'s samples out of `samples`: [⌊(k−1)·S/n⌋, ⌊k·S/n⌋).
pub fn shard_range(k: u64, n: u64, samples: u64) -> std::ops::Range<u64> {
    let at = |i: u64| (i as u128 * samples as u128 / n as u128) as u64;
    at(k - 1)..at(k)
}

/// The name of a part file.
pub fn part_name(k: u64, n: u64) -> String {
    format!("part-{k}-of-{n}.kpart")
}

pub use super::codec::{Origin, Part, PartHeader};

/// The largest part file read (16 GiB): a shard's kept values of a large exact batch.
pub const MAX_PART_BYTES: u64 = 16 << 30;

/// A part file around `payload`: magic, format, the payload's SHA-256, the payload.
pub fn with_checksum(payload: &[u8]) -> Vec<u8> {
    let mut v = MAGIC.to_vec();
    v.extend_from_slice(&FORMAT.to_le_bytes());
    v.extend_from_slice(&sha2::Sha256::digest(payload));
    v.extend_from_slice(payload);
    v
}

impl Part {
    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        with_checksum(&super::codec::encode(self))
    }

    /// Reads a part file; an incomplete, damaged or foreign file is an input error.
    pub fn read(path: &Path) -> Result<Part> {
        let bytes = crate::input::read_regular(path, MAX_PART_BYTES)?;
        Part::from_bytes(&bytes, &path.display().to_string())
    }

    /// Reads a part from its bytes (`name` is used in messages): checks the magic, the format,
    /// the checksum, the encoding and that the samples match the header.
    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Part> {
        let bad = |what: String| -> Error {
            InputError::new(format!("{name}: {what}"))
                .hint("recompute this shard (run its `kymsim batch --shard K/N` again)")
                .into()
        };
        if bytes.len() < 12 || &bytes[..8] != MAGIC {
            return Err(bad("not a kymsim part file".into()));
        }
        let format = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if format != FORMAT {
            return Err(bad(format!(
                "part format {format}, this kymsim reads format {FORMAT}"
            )));
        }
        if bytes.len() < HEAD {
            return Err(bad("truncated part file (no checksum)".into()));
        }
        let payload = &bytes[HEAD..];
        if sha2::Sha256::digest(payload).as_slice() != &bytes[12..HEAD] {
            return Err(bad(
                "damaged part file: its checksum does not match its contents".into(),
            ));
        }
        let part = super::codec::decode(payload)
            .map_err(|e| bad(format!("truncated or damaged part file ({e})")))?;
        let h = &part.header;
        // the header's shard numbers first: the sample range below divides by them
        let numbered = h.shard >= 1 && h.shard <= h.shards && h.identity.samples >= h.shards;
        let ok = numbered
            && part.partials.len() == h.identity.scenarios.len()
            && h.binnings.len() == part.partials.len()
            && part.partials.iter().all(|p| {
                let r = shard_range(h.shard, h.shards, h.identity.samples);
                p.first == r.start && p.count == r.end - r.start
            });
        if !ok {
            return Err(bad(
                "damaged part file (its samples do not match its header)".into(),
            ));
        }
        // the checksum proves the bytes arrived as written, not that they are sane
        for ((p, binning), scenario) in part
            .partials
            .iter()
            .zip(&h.binnings)
            .zip(&h.identity.scenarios)
        {
            check_values(p, binning).map_err(|what| {
                bad(format!(
                    "scenario `{scenario}`: {what}; the part is damaged or was not written by kymsim"
                ))
            })?;
        }
        Ok(part)
    }
}

/// 2³², the fixed point of the sums (as in `engine::stats`).
const FIXED: f64 = 4_294_967_296.0;

/// Checks the values of one scenario's partial results: every number finite and below 10¹⁵ in
/// magnitude, lengths matching the cells and samples, minimum ≤ mean ≤ maximum in every cell,
/// every kept value within its cell's extrema, histogram counts adding up to the samples,
/// neutrality years inside the horizon, and no count of samples meeting a criterion above the
/// samples.
pub fn check_values(p: &Partial, binning: &Binning) -> std::result::Result<(), String> {
    let limit = crate::data::MAX_ABS_VALUE;
    let sane = |x: f64| x.is_finite() && x.abs() < limit;
    let n = p.count as usize;
    let cells = p.cells;
    if p.sums.len() != cells || p.min.len() != cells || p.max.len() != cells {
        return Err(format!("{cells} cells but statistics for another number"));
    }
    if p.net_target.len() != n || p.neutrality.len() != n {
        return Err(format!(
            "{n} samples but per-sample results for another number"
        ));
    }
    for c in 0..cells {
        let (lo, hi) = (p.min[c], p.max[c]);
        if !(sane(lo) && sane(hi) && lo <= hi) {
            return Err(format!(
                "cell {c}: minimum {lo} and maximum {hi} are not a range of finite values"
            ));
        }
        let mean = p.sums[c] as f64 / FIXED / n.max(1) as f64;
        // each sample is rounded to 2⁻³² before it is summed
        let slack = 1e-9 * lo.abs().max(hi.abs()).max(1.0);
        if !(mean >= lo - slack && mean <= hi + slack) {
            return Err(format!(
                "cell {c}: the mean {mean} lies outside its minimum {lo} and maximum {hi}"
            ));
        }
    }
    match binning {
        Binning::Exact => {
            if p.values.len() != n * cells || !p.hist.is_empty() {
                return Err("kept values do not match the samples".into());
            }
            for (i, &x) in p.values.iter().enumerate() {
                let c = i % cells.max(1);
                if !(sane(x) && x >= p.min[c] && x <= p.max[c]) {
                    return Err(format!(
                        "sample value {x} of cell {c} lies outside its range"
                    ));
                }
            }
        }
        Binning::Histogram { lo, width } => {
            if lo.len() != cells
                || width.len() != cells
                || !lo.iter().chain(width).all(|&x| sane(x))
                || !p.values.is_empty()
                || p.hist.len() != cells * (BINS + 2)
            {
                return Err("histograms do not match the cells".into());
            }
            for (c, counts) in p.hist.chunks_exact(BINS + 2).enumerate() {
                let total: u64 = counts.iter().map(|&k| u64::from(k)).sum();
                if total != p.count {
                    return Err(format!(
                        "cell {c}: histogram counts add up to {total}, not the {} samples",
                        p.count
                    ));
                }
            }
        }
    }
    if let Some(x) = p.net_target.iter().find(|&&x| !sane(x)) {
        return Err(format!("a target-year net emission of {x}"));
    }
    if let Some(y) = p
        .neutrality
        .iter()
        .find(|&&y| y != NEVER && usize::from(y) >= cells)
    {
        return Err(format!("a neutrality year index {y} beyond the horizon"));
    }
    for (what, k) in [
        ("gross target", p.gross_met),
        ("net-zero target", p.net_met),
        ("target", p.target_met),
    ]
    .into_iter()
    .chain(p.reported_met.iter().map(|&k| ("milestone or budget", k)))
    {
        if k > p.count {
            return Err(format!("{k} samples meet the {what}, of {}", p.count));
        }
    }
    Ok(())
}

/// The part files among `inputs`: files as given, and every `*.kpart` in a folder (or in
/// an output folder's `batch/parts`), sorted by name.
pub fn part_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let dir = if p.join(PARTS_DIR).is_dir() {
                p.join(PARTS_DIR)
            } else {
                p.clone()
            };
            let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map_err(|e| Error::io(IoKind::Read, &dir, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "kpart") && f.is_file())
                .collect();
            if found.is_empty() {
                return Err(InputError::new(format!(
                    "no part files (*.kpart) in {}",
                    dir.display()
                ))
                .hint("point merge at the shards' <OUT>/batch/parts folder")
                .into());
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

fn refuse(msg: String, hint: &str) -> Error {
    InputError::new(msg).hint(hint).into()
}

/// Checks that the parts belong together and are complete, and orders them by shard.
pub fn check_parts(mut parts: Vec<(PathBuf, Part)>) -> Result<Vec<(PathBuf, Part)>> {
    let Some((p0, first)) = parts.first().cloned() else {
        return Err(refuse(
            "no parts to merge".into(),
            "give part files or folders",
        ));
    };
    let (a, n) = (&first.header.identity, first.header.shards);
    for (p, part) in &parts[1..] {
        let (b, h) = (&part.header.identity, &part.header);
        let differ = |what: &str, x: String, y: String| -> Error {
            refuse(
                format!(
                    "parts from different batches: {} has {what} {x}, {} has {y}",
                    p0.display(),
                    p.display()
                ),
                "merge only the parts of one batch (same inputs, seed, samples, sampler and kymsim version)",
            )
        };
        if a.kymsim_version != b.kymsim_version {
            return Err(differ(
                "kymsim version",
                a.kymsim_version.clone(),
                b.kymsim_version.clone(),
            ));
        }
        if a.seed != b.seed {
            return Err(differ("seed", a.seed.to_string(), b.seed.to_string()));
        }
        if a.samples != b.samples {
            return Err(differ(
                "samples",
                a.samples.to_string(),
                b.samples.to_string(),
            ));
        }
        if a.sampler != b.sampler {
            return Err(differ("sampler", a.sampler.clone(), b.sampler.clone()));
        }
        if a.scenarios != b.scenarios || a.region != b.region {
            return Err(differ(
                "scenarios",
                format!("{} {}", a.region, a.scenarios.join(", ")),
                format!("{} {}", b.region, b.scenarios.join(", ")),
            ));
        }
        if a.inputs != b.inputs {
            let changed: Vec<String> = a
                .inputs
                .iter()
                .filter(|i| !b.inputs.contains(i))
                .chain(b.inputs.iter().filter(|i| !a.inputs.contains(i)))
                .map(|i| i.path.clone())
                .collect();
            return Err(refuse(
                format!(
                    "parts from different batches: {} and {} were computed from different input files ({})",
                    p0.display(),
                    p.display(),
                    changed.join(", ")
                ),
                "merge only the parts of one batch (same inputs, seed, samples, sampler and kymsim version)",
            ));
        }
        if a != b || first.header.binnings != h.binnings {
            return Err(differ(
                "settings",
                "(exact limit, binning)".into(),
                "other ones".into(),
            ));
        }
        if h.shards != n {
            return Err(differ("shard count", n.to_string(), h.shards.to_string()));
        }
    }
    parts.sort_by_key(|(_, p)| p.header.shard);
    for w in parts.windows(2) {
        if w[0].1.header.shard == w[1].1.header.shard {
            return Err(refuse(
                format!(
                    "duplicate shard {} of {n}: {} and {}",
                    w[0].1.header.shard,
                    w[0].0.display(),
                    w[1].0.display()
                ),
                "give each shard once",
            ));
        }
    }
    // N comes from the files: count the missing shards and name only the first few, so that a
    // part claiming billions of shards costs no memory
    const NAMED: usize = 10;
    let present = parts
        .iter()
        .filter(|(_, p)| (1..=n).contains(&p.header.shard))
        .count() as u64;
    let missing_count = n.saturating_sub(present);
    if missing_count > 0 {
        let named: Vec<String> = (1..=n)
            .filter(|k| !parts.iter().any(|(_, p)| p.header.shard == *k))
            .take(NAMED)
            .map(|k| k.to_string())
            .collect();
        let more = missing_count - named.len() as u64;
        return Err(refuse(
            format!(
                "missing shard{} {}{} of {n}",
                if missing_count == 1 { "" } else { "s" },
                named.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ),
            "run the missing shards (`kymsim batch … --shard K/N`), then merge again",
        ));
    }
    Ok(parts)
}

/// Whether a part written earlier holds the result of `header` (same identity, binnings and
/// shard): a resumed shard then skips it.
pub fn same_shard(old: &PartHeader, header: &PartHeader) -> bool {
    old.identity == header.identity
        && old.binnings == header.binnings
        && (old.shard, old.shards) == (header.shard, header.shards)
}

/// Refuses a merge whose inputs (`now`: the region and scenario files read for it, `names`
/// and `region` as loaded) differ from the ones the parts were computed from.
pub fn check_inputs_unchanged(
    id: &Identity,
    region: &str,
    names: &[String],
    now: &[InputHash],
) -> Result<()> {
    let mut want: Vec<&str> = id.inputs.iter().map(|i| i.sha256.as_str()).collect();
    let mut have: Vec<&str> = now.iter().map(|i| i.sha256.as_str()).collect();
    want.sort_unstable();
    have.sort_unstable();
    if names == id.scenarios && want == have && region == id.region {
        return Ok(());
    }
    let changed: Vec<String> = now
        .iter()
        .filter(|i| !id.inputs.iter().any(|j| j.sha256 == i.sha256))
        .map(|i| i.path.clone())
        .collect();
    Err(refuse(
        format!(
            "the input files differ from the ones the parts were computed from{}",
            if changed.is_empty() {
                String::new()
            } else {
                format!(": {}", changed.join(", "))
            }
        ),
        "merge with the region dataset and scenarios the shards used (--data, --scenarios)",
    ))
}

/// Merges checked parts (see [`check_parts`]) into each scenario's finished batch, in the order
/// of the identity's scenarios.
pub fn merge_parts(parts: Vec<(PathBuf, Part)>) -> Result<Vec<Finished>> {
    let Some((_, first)) = parts.first() else {
        return Err(refuse(
            "no parts to merge".into(),
            "give part files or folders",
        ));
    };
    let binnings = first.header.binnings.clone();
    let mut per_scenario: Vec<Option<Partial>> = vec![None; binnings.len()];
    for (path, part) in parts {
        for (slot, p) in per_scenario.iter_mut().zip(part.partials) {
            match slot {
                None => *slot = Some(p),
                Some(acc) => acc.merge(p).map_err(|e| {
                    refuse(format!("{}: {e}", path.display()), "recompute this shard")
                })?,
            }
        }
    }
    per_scenario
        .into_iter()
        .zip(&binnings)
        .map(|(p, bin)| {
            let p = p.ok_or_else(|| Error::internal("a checked part lacks a scenario"))?;
            Ok(finish(p, bin))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ranges_cover_the_samples_once() {
        for (s, n) in [(10, 3), (7, 7), (1000, 4), (5, 1)] {
            let mut next = 0;
            for k in 1..=n {
                let r = shard_range(k, n, s);
                assert_eq!(r.start, next);
                next = r.end;
            }
            assert_eq!(next, s);
        }
        assert_eq!(shard_range(2, 3, 10), 3..6);
    }
}
