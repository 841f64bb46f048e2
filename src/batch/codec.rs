//! The payload of part files (format 4): its types ([`Part`], [`PartHeader`], [`Origin`]) and
//! their encoding, written out field by field. The file around it (magic, format, checksum) is
//! [`super::part`]'s.
//!
//! Little endian throughout, no padding, no compression:
//!
//! | type | bytes |
//! |---|---|
//! | `u16`, `u32`, `u64`, `i128` | 2, 4, 8, 16, little endian (`usize` as `u64`) |
//! | `f64` | its IEEE 754 bits as `u64` |
//! | string, path | length (`u64`) then the UTF-8 bytes |
//! | list | length (`u64`) then the elements |
//! | optional value | `0u8` (none) or `1u8` then the value |
//! | [`Binning`] | `0u32` (exact) or `1u32` then `lo` and `width` (lists of `f64`) |
//!
//! A payload is the [`PartHeader`] — the identity (version, region, scenarios, samples, seed,
//! sampler, exact limit, inputs as (path, SHA-256) pairs), shard, shards, binnings, origin
//! (data folder, scenario folder, names) — then the list of [`Partial`]s (first, count, cells,
//! sums, min, max, hist, values, net_target, neutrality, gross_met, net_met, target_met,
//! reported_met), each field in the order listed. These are the bytes bincode 1 wrote with its
//! default (fixed-width) options, so parts of format 4 written before stay readable.
//!
//! Reading never trusts a length: a list or string longer than the bytes left is refused before
//! anything is allocated, so a damaged or hostile part costs no more memory than its size.

use std::path::PathBuf;

use super::Identity;
use crate::engine::stats::{Binning, Partial};
use crate::output::recorded::InputHash;

/// Where the shard's inputs were given (to re-load them for the merge; not compared).
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// `--data`, absolute.
    pub data: Option<PathBuf>,
    /// `--scenarios`, absolute.
    pub scenarios: Option<PathBuf>,
    /// Scenario names or files (files absolute).
    pub names: Vec<String>,
}

/// The header of a part file.
#[derive(Debug, Clone, PartialEq)]
pub struct PartHeader {
    /// What determines the result (inputs, seed, samples, sampler, version).
    pub identity: Identity,
    /// Shard, 1-based.
    pub shard: u64,
    /// Number of shards.
    pub shards: u64,
    /// Each scenario's binning.
    pub binnings: Vec<Binning>,
    /// Where the inputs were given.
    pub origin: Origin,
}

/// A part file's contents.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// Header.
    pub header: PartHeader,
    /// One partial per scenario, in the order of `header.identity.scenarios`.
    pub partials: Vec<Partial>,
}

/// Why a payload could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Appends the encoding of values to a byte buffer.
struct Writer(Vec<u8>);

impl Writer {
    fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
    fn strings(&mut self, v: &[String]) {
        self.len(v.len());
        for s in v {
            self.str(s);
        }
    }
    fn path(&mut self, p: &Option<PathBuf>) {
        match p {
            None => self.0.push(0),
            Some(p) => {
                self.0.push(1);
                self.str(&p.to_string_lossy());
            }
        }
    }
    fn f64s(&mut self, v: &[f64]) {
        self.len(v.len());
        for x in v {
            self.u64(x.to_bits());
        }
    }
    fn u64s(&mut self, v: &[u64]) {
        self.len(v.len());
        for &x in v {
            self.u64(x);
        }
    }
}

/// Reads values from a payload, refusing anything that would run past its end.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], DecodeError> {
        if n > self.rest.len() {
            return Err(DecodeError(format!(
                "{what}: {n} bytes needed, {} left",
                self.rest.len()
            )));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }
    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], DecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N, what)?);
        Ok(a)
    }
    fn u8(&mut self, what: &str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(what)?[0])
    }
    fn u32(&mut self, what: &str) -> Result<u32, DecodeError> {
        self.array(what).map(u32::from_le_bytes)
    }
    fn u64(&mut self, what: &str) -> Result<u64, DecodeError> {
        self.array(what).map(u64::from_le_bytes)
    }
    fn f64(&mut self, what: &str) -> Result<f64, DecodeError> {
        self.u64(what).map(f64::from_bits)
    }
    /// A list length, checked against the bytes left for elements of `size` bytes each.
    fn len(&mut self, size: usize, what: &str) -> Result<usize, DecodeError> {
        let n = self.u64(what)?;
        let fits = usize::try_from(n)
            .ok()
            .filter(|&n| n.checked_mul(size).is_some_and(|b| b <= self.rest.len()));
        fits.ok_or_else(|| {
            DecodeError(format!(
                "{what}: a length of {n} does not fit the {} bytes left",
                self.rest.len()
            ))
        })
    }
    fn str(&mut self, what: &str) -> Result<String, DecodeError> {
        let n = self.len(1, what)?;
        let bytes = self.take(n, what)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| DecodeError(format!("{what}: not UTF-8")))
    }
    fn strings(&mut self, what: &str) -> Result<Vec<String>, DecodeError> {
        // every string takes at least its 8-byte length
        let n = self.len(8, what)?;
        (0..n).map(|_| self.str(what)).collect()
    }
    fn path(&mut self, what: &str) -> Result<Option<PathBuf>, DecodeError> {
        match self.u8(what)? {
            0 => Ok(None),
            1 => Ok(Some(PathBuf::from(self.str(what)?))),
            t => Err(DecodeError(format!("{what}: option tag {t}"))),
        }
    }
    fn list<T>(
        &mut self,
        size: usize,
        what: &str,
        mut one: impl FnMut(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, DecodeError> {
        let n = self.len(size, what)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(one(self)?);
        }
        Ok(v)
    }
    fn f64s(&mut self, what: &str) -> Result<Vec<f64>, DecodeError> {
        self.list(8, what, |r| r.f64(what))
    }
    fn u64s(&mut self, what: &str) -> Result<Vec<u64>, DecodeError> {
        self.list(8, what, |r| r.u64(what))
    }
}

fn write_binning(w: &mut Writer, b: &Binning) {
    match b {
        Binning::Exact => w.0.extend_from_slice(&0u32.to_le_bytes()),
        Binning::Histogram { lo, width } => {
            w.0.extend_from_slice(&1u32.to_le_bytes());
            w.f64s(lo);
            w.f64s(width);
        }
    }
}

fn read_binning(r: &mut Reader) -> Result<Binning, DecodeError> {
    match r.u32("binning")? {
        0 => Ok(Binning::Exact),
        1 => Ok(Binning::Histogram {
            lo: r.f64s("binning lo")?,
            width: r.f64s("binning width")?,
        }),
        t => Err(DecodeError(format!("binning: variant {t}"))),
    }
}

fn write_partial(w: &mut Writer, p: &Partial) {
    w.u64(p.first);
    w.u64(p.count);
    w.len(p.cells);
    w.len(p.sums.len());
    for s in &p.sums {
        w.0.extend_from_slice(&s.to_le_bytes());
    }
    w.f64s(&p.min);
    w.f64s(&p.max);
    w.len(p.hist.len());
    for h in &p.hist {
        w.0.extend_from_slice(&h.to_le_bytes());
    }
    w.f64s(&p.values);
    w.f64s(&p.net_target);
    w.len(p.neutrality.len());
    for n in &p.neutrality {
        w.0.extend_from_slice(&n.to_le_bytes());
    }
    w.u64(p.gross_met);
    w.u64(p.net_met);
    w.u64(p.target_met);
    w.u64s(&p.reported_met);
}

fn read_partial(r: &mut Reader) -> Result<Partial, DecodeError> {
    let first = r.u64("first")?;
    let count = r.u64("count")?;
    let cells = r.u64("cells")?;
    let cells = usize::try_from(cells).map_err(|_| DecodeError(format!("cells: {cells}")))?;
    Ok(Partial {
        first,
        count,
        cells,
        sums: r.list(16, "sums", |r| r.array("sums").map(i128::from_le_bytes))?,
        min: r.f64s("min")?,
        max: r.f64s("max")?,
        hist: r.list(4, "hist", |r| r.u32("hist"))?,
        values: r.f64s("values")?,
        net_target: r.f64s("net_target")?,
        neutrality: r.list(2, "neutrality", |r| {
            r.array("neutrality").map(u16::from_le_bytes)
        })?,
        gross_met: r.u64("gross_met")?,
        net_met: r.u64("net_met")?,
        target_met: r.u64("target_met")?,
        reported_met: r.u64s("reported_met")?,
    })
}

fn write_header(w: &mut Writer, h: &PartHeader) {
    let id = &h.identity;
    w.str(&id.kymsim_version);
    w.str(&id.region);
    w.strings(&id.scenarios);
    w.u64(id.samples);
    w.u64(id.seed);
    w.str(&id.sampler);
    w.u64(id.exact_limit);
    w.len(id.inputs.len());
    for i in &id.inputs {
        w.str(&i.path);
        w.str(&i.sha256);
    }
    w.u64(h.shard);
    w.u64(h.shards);
    w.len(h.binnings.len());
    for b in &h.binnings {
        write_binning(w, b);
    }
    w.path(&h.origin.data);
    w.path(&h.origin.scenarios);
    w.strings(&h.origin.names);
}

fn read_header(r: &mut Reader) -> Result<PartHeader, DecodeError> {
    let identity = Identity {
        kymsim_version: r.str("kymsim_version")?,
        region: r.str("region")?,
        scenarios: r.strings("scenarios")?,
        samples: r.u64("samples")?,
        seed: r.u64("seed")?,
        sampler: r.str("sampler")?,
        exact_limit: r.u64("exact_limit")?,
        inputs: r.list(16, "inputs", |r| {
            Ok(InputHash::new(r.str("input path")?, r.str("input sha256")?))
        })?,
    };
    Ok(PartHeader {
        identity,
        shard: r.u64("shard")?,
        shards: r.u64("shards")?,
        binnings: r.list(4, "binnings", read_binning)?,
        origin: Origin {
            data: r.path("origin data")?,
            scenarios: r.path("origin scenarios")?,
            names: r.strings("origin names")?,
        },
    })
}

/// The payload of a part.
pub fn encode(part: &Part) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    write_header(&mut w, &part.header);
    w.len(part.partials.len());
    for p in &part.partials {
        write_partial(&mut w, p);
    }
    w.0
}

/// Decodes a whole payload; bytes left over are an error.
pub fn decode(payload: &[u8]) -> Result<Part, DecodeError> {
    let mut r = Reader { rest: payload };
    let header = read_header(&mut r)?;
    // a partial takes at least 8 × 13 bytes (its fixed fields and list lengths)
    let partials = r.list(8 * 13, "partials", read_partial)?;
    if !r.rest.is_empty() {
        return Err(DecodeError(format!(
            "{} unexpected bytes after the part",
            r.rest.len()
        )));
    }
    Ok(Part { header, partials })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part() -> Part {
        let binning = Binning::Histogram {
            lo: vec![-1.5, 0.0],
            width: vec![0.25, 2.0],
        };
        let mut p = Partial::new(3, 2, &binning);
        p.count = 2;
        p.sums = vec![-(1i128 << 70), 5];
        p.net_target = vec![1.0, -2.5];
        p.neutrality = vec![7, u16::MAX];
        p.reported_met = vec![1];
        Part {
            header: PartHeader {
                identity: Identity {
                    kymsim_version: "0.1.0".into(),
                    region: "Kymenlaakso".into(),
                    scenarios: vec!["programme".into()],
                    samples: 10,
                    seed: 2040,
                    sampler: "mc".into(),
                    exact_limit: 64,
                    inputs: vec![InputHash::new("region.toml", "ab")],
                },
                shard: 2,
                shards: 3,
                binnings: vec![binning, Binning::Exact],
                origin: Origin {
                    data: Some(PathBuf::from("/d")),
                    scenarios: None,
                    names: vec!["programme".into()],
                },
            },
            partials: vec![p],
        }
    }

    #[test]
    fn a_part_reads_back_as_written_and_starts_as_documented() {
        let part = part();
        let bytes = encode(&part);
        assert_eq!(decode(&bytes).unwrap(), part);
        // version: length 5 (u64 LE) then "0.1.0"; region: length 11 then "Kymenlaakso"
        assert_eq!(&bytes[..13], b"\x05\0\0\0\0\0\0\x000.1.0");
        assert_eq!(&bytes[13..21], &11u64.to_le_bytes());
        // every shorter payload is refused, none panics
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n]).is_err(), "cut at {n}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            decode(&longer).unwrap_err().0,
            "1 unexpected bytes after the part"
        );
    }

    #[test]
    fn a_huge_claimed_length_is_refused_before_allocating() {
        // a version string claiming 2⁶³ bytes in a 16-byte payload
        let mut bytes = (1u64 << 63).to_le_bytes().to_vec();
        bytes.extend_from_slice(b"12345678");
        let e = decode(&bytes).unwrap_err();
        assert!(e.0.contains("does not fit the 8 bytes left"), "{e}");
    }
}
