//! The statistics against numpy's figures, sorting, and merging in any order.

use super::accumulate::*;
use super::quantiles::*;
use super::*;

#[test]
fn numpy_linear_quantiles() {
    // numpy.quantile([1, 2, 3, 4], 0.25) = 1.75; 0.5 → 2.5; 0.95 → 3.85
    let v = [1.0, 2.0, 3.0, 4.0];
    assert!((quantile_sorted(&v, 0.25) - 1.75).abs() < 1e-12);
    assert!((quantile_sorted(&v, 0.5) - 2.5).abs() < 1e-12);
    assert!((quantile_sorted(&v, 0.95) - 3.85).abs() < 1e-12);
    assert_eq!(quantile_sorted(&[7.0], 0.05), 7.0);
}

#[test]
fn selection_equals_sorting() {
    let v: Vec<f64> = (0..1001)
        .map(|i| ((i * 7919) % 1001) as f64 * 0.37)
        .collect();
    let mut sorted = v.clone();
    sorted.sort_by(f64::total_cmp);
    let got = select_quantiles(&v);
    for (q, (p, _)) in QUANTILES.iter().enumerate() {
        assert_eq!(got[q], quantile_sorted(&sorted, *p));
    }
}

#[test]
fn partials_merge_to_the_whole() {
    let b = Binning::Exact;
    let mut whole = Partial::new(0, 2, &b);
    let mut a = Partial::new(0, 2, &b);
    let mut c = Partial::new(3, 2, &b);
    for s in 0..6 {
        let cells = [s as f64 * 0.1, 10.0 - s as f64];
        whole.add_cells(&cells, &b);
        whole.count += 1;
        whole.values.extend_from_slice(&cells);
        let part = if s < 3 { &mut a } else { &mut c };
        part.add_cells(&cells, &b);
        part.values.extend_from_slice(&cells);
        part.count += 1;
    }
    a.merge(c.clone()).unwrap();
    assert_eq!(a, whole);
    // out of order is refused
    let mut c2 = c;
    assert!(c2.merge(whole).is_err());
}

#[test]
fn histogram_quantiles_are_within_a_bin_of_exact() {
    // values 0..9999 (uniform): exact p5 = 499.95
    let cells = 1;
    let pilot: Vec<f64> = (0..2048).map(|i| i as f64 * 10000.0 / 2048.0).collect();
    let b = Binning::from_pilot(&pilot, cells);
    let mut p = Partial::new(0, cells, &b);
    for i in 0..10_000 {
        p.add_cells(&[i as f64], &b);
        p.count += 1;
    }
    let s = finish_cells(&p, &b);
    let Binning::Histogram { width, .. } = &b else {
        panic!()
    };
    assert!(
        (s.quantiles[0][0] - 499.95).abs() <= width[0],
        "{}",
        s.quantiles[0][0]
    );
    assert!((s.quantiles[2][0] - 4999.5).abs() <= width[0]);
    // the mean is exact: 4999.5
    assert!((s.mean[0] - 4999.5).abs() < 1e-9);
}

#[test]
fn exact_search_equals_sorting_on_skewed_and_tied_values() {
    // a lognormal-like tail, many ties, negatives and one far outlier: most values share
    // a few search bins, which must still give the sorted answer exactly
    let mut v: Vec<f64> = (0..5000)
        .map(|i| {
            let u = ((i * 7919) % 5000) as f64 / 5000.0;
            if i % 3 == 0 {
                1.25
            } else {
                (4.0 * u).exp() - 20.0
            }
        })
        .collect();
    v.push(1e9);
    let mut sorted = v.clone();
    sorted.sort_by(f64::total_cmp);
    let got = select_quantiles(&v);
    for (q, (p, _)) in QUANTILES.iter().enumerate() {
        assert_eq!(got[q], quantile_sorted(&sorted, *p), "{p}");
    }
    // two values and a constant column
    assert_eq!(select_quantiles(&[3.0, 1.0])[2], 2.0);
    assert_eq!(select_quantiles(&[4.5; 7]), [4.5; 5]);
}

#[test]
fn keys_order_like_total_cmp() {
    let xs = [-1e300, -2.5, -0.0, 0.0, 1e-310, 3.0, f64::INFINITY];
    for w in xs.windows(2) {
        assert!(key(w[0]) < key(w[1]), "{} < {}", w[0], w[1]);
    }
    for x in xs {
        assert_eq!(unkey(key(x)).to_bits(), x.to_bits());
    }
}

#[test]
fn fast_fixed_point_equals_the_exact_rounding() {
    // 0.1 · 2³² = 429496729.6 → 429496730; −2.5 · 2⁻³² ·2³² = −2.5 → −2 (ties to even)
    assert_eq!(fixed_fast(0.1), 429_496_730);
    assert_eq!(fixed(0.1), 429_496_730);
    assert_eq!(fixed_fast(-2.5 / FIXED), -2);
    for x in [0.0, -0.0, 1.0, -123.456, 524_287.999, -524_287.999, 3.3e-12] {
        assert_eq!(i128::from(fixed_fast(x)), fixed(x), "{x}");
    }
}

#[test]
fn huge_values_take_the_exact_path_without_changing_the_sums() {
    // one sample beyond 2¹⁹ among ordinary ones: sums equal adding each value's fixed()
    let b = Binning::Exact;
    let samples = [[1.5, -2.0], [1e12, 0.25], [0.5, 7.0]];
    let mut p = Partial::new(0, 2, &b);
    p.add_cells(samples.as_flattened(), &b);
    let want0 = fixed(1.5) + fixed(1e12) + fixed(0.5);
    let want1 = fixed(-2.0) + fixed(0.25) + fixed(7.0);
    assert_eq!(p.sums, vec![want0, want1]);
    assert_eq!((p.min[0], p.max[0]), (0.5, 1e12));
}

#[test]
fn slots_split_the_range_into_bins() {
    // lo = 10, width 0.5 (inv 2): 9.99 → below (0); 10 → bin 1; 10.49 → 1; 10.5 → 2;
    // lo + BINS·width = 137 → above (BINS + 1); NaN → 0
    // (off = 1 − 10 · 2 = −19)
    let off = -19.0;
    assert_eq!(slot(9.99, off, 2.0), 0);
    assert_eq!(slot(10.0, off, 2.0), 1);
    assert_eq!(slot(10.49, off, 2.0), 1);
    assert_eq!(slot(10.5, off, 2.0), 2);
    assert_eq!(slot(136.99, off, 2.0), BINS as u8);
    assert_eq!(slot(137.0, off, 2.0), (BINS + 1) as u8);
    assert_eq!(slot(1e300, off, 2.0), (BINS + 1) as u8);
    assert_eq!(slot(-1e300, off, 2.0), 0);
    assert_eq!(slot(f64::NAN, off, 2.0), 0);
}

/// Statistics computed cell by cell, the plain way: what the accumulator must give.
fn plain(values: &[f64], cells: usize, b: &Binning) -> Partial {
    let Binning::Histogram { lo, width } = b else {
        panic!("histogram binning")
    };
    let mut p = Partial::new(0, cells, b);
    for sample in values.chunks_exact(cells) {
        for (c, &x) in sample.iter().enumerate() {
            p.sums[c] += fixed(x);
            merge_extrema(&mut p.min[c], &mut p.max[c], x, x);
            let inv = 1.0 / width[c];
            p.hist[c * (BINS + 2) + slot(x, 1.0 - lo[c] * inv, inv) as usize] += 1;
        }
    }
    p
}

#[test]
fn shared_cells_that_stop_matching_keep_exact_statistics() {
    // 6 cells over 700 samples (2 tiles and more): 0 varies; 1 repeats 0 until sample 20;
    // 2 is 5.0 until sample 300 (after the first tile); 3 is always −1.5; 4 always repeats
    // 0; 5 is always NaN. Every cell must get exactly the plain statistics.
    let cells = 6;
    let n = 700;
    let value = |s: usize, c: usize| {
        let v0 = ((s * 7919) % 1000) as f64 * 0.01 - 3.0;
        match c {
            0 | 4 => v0,
            1 if s < 20 => v0,
            1 => v0 + 1.0,
            2 if s < 300 => 5.0,
            2 => s as f64 * 0.001,
            3 => -1.5,
            _ => f64::NAN,
        }
    };
    let values: Vec<f64> = (0..n)
        .flat_map(|s| (0..cells).map(move |c| value(s, c)))
        .collect();
    // a pilot of 20 samples: cells 0, 1 and 4 get the same bins, and can share counts
    let b = Binning::from_pilot(&values[..20 * cells], cells);
    let mut acc = Accumulator::new(cells, &b);
    let mut p = Partial::new(0, cells, &b);
    for (s, sample) in values.chunks_exact(cells).enumerate() {
        acc.add(sample);
        if s == 10 {
            assert_eq!(acc.own, vec![0]);
            assert_eq!(acc.alias, vec![(1, 0), (4, 0)]);
            assert_eq!(acc.constant.len(), 3);
        }
    }
    acc.flush(&mut p);
    // learning found 3 and 5 constant, 2 constant so far, 1 and 4 repeating 0; 1 (at
    // sample 20), then 2 (at 300) were separated
    assert_eq!(acc.own, vec![0, 1, 2]);
    assert_eq!(acc.constant.len(), 2);
    assert_eq!(acc.alias, vec![(4, 0)]);
    let want = plain(&values, cells, &b);
    assert_eq!(p.sums, want.sums);
    assert_eq!(p.hist, want.hist);
    for c in 0..cells - 1 {
        assert_eq!((p.min[c], p.max[c]), (want.min[c], want.max[c]), "cell {c}");
    }
    // NaN never enters the extrema
    assert_eq!((p.min[5], p.max[5]), (f64::INFINITY, f64::NEG_INFINITY));
}

#[test]
fn flushing_before_learning_ends_and_again_later_loses_nothing() {
    // 3 samples (fewer than LEARN) flushed, then 40 more into the same partial, flushed
    // twice: the sums of a cell that is 2.0 in the first 3 samples and varies after equal
    // the plain ones
    let cells = 3;
    let value = |s: usize, c: usize| match c {
        0 => 2.0 + if s < 3 { 0.0 } else { s as f64 },
        1 => 7.25,
        _ => -(s as f64),
    };
    let values: Vec<f64> = (0..43)
        .flat_map(|s| (0..cells).map(move |c| value(s, c)))
        .collect();
    let b = Binning::from_pilot(&values, cells);
    let mut acc = Accumulator::new(cells, &b);
    let mut p = Partial::new(0, cells, &b);
    for (s, sample) in values.chunks_exact(cells).enumerate() {
        acc.add(sample);
        if s == 2 {
            acc.flush(&mut p);
        }
    }
    acc.flush(&mut p);
    acc.flush(&mut p);
    let want = plain(&values, cells, &b);
    assert_eq!(p.sums, want.sums);
    assert_eq!(p.hist, want.hist);
    assert_eq!(p.min, want.min);
    assert_eq!(p.max, want.max);
    // 7.25 · 43 in 2⁻³² fixed point
    assert_eq!(p.sums[1], 7 * 43 * (1i128 << 32) + (43i128 << 30));
}

#[test]
fn tiles_count_every_sample_once() {
    // 2 tiles + 3 samples over 20 cells (two groups, the second partial), flushed twice:
    // each cell's counts sum to the sample count and sit where slot() puts each value
    let cells = 20;
    let n = 2 * TILE + 3;
    let value = |s: usize, c: usize| ((s * 37 + c * 11) % 100) as f64 + 0.5;
    let pilot: Vec<f64> = (0..100)
        .flat_map(|s| (0..cells).map(move |c| value(s, c)))
        .collect();
    let b = Binning::from_pilot(&pilot, cells);
    let Binning::Histogram { lo, width } = &b else {
        panic!("histogram binning")
    };
    let mut p = Partial::new(0, cells, &b);
    let mut acc = Accumulator::new(cells, &b);
    let mut want = vec![0u32; cells * (BINS + 2)];
    for s in 0..n {
        let row: Vec<f64> = (0..cells).map(|c| value(s, c)).collect();
        acc.add(&row);
        for (c, &x) in row.iter().enumerate() {
            let inv = 1.0 / width[c];
            want[c * (BINS + 2) + slot(x, 1.0 - lo[c] * inv, inv) as usize] += 1;
        }
    }
    acc.flush(&mut p);
    acc.flush(&mut p);
    assert_eq!(p.hist, want);
    for c in 0..cells {
        let total: u32 = p.hist[c * (BINS + 2)..(c + 1) * (BINS + 2)].iter().sum();
        assert_eq!(total as usize, n);
    }
}

/// A synthetic cell value of sample `s`, by the cell's kind (`c % 8`): 0 varies; 1 is the
/// constant 2.5; 2 repeats cell c − 2; 3 is 5.0 until sample 8 + c (so some stop matching
/// inside the learning samples, some just after, in the middle of blocks), then varies; 4
/// repeats cell c − 4 until sample 100 + c; 5 alternates 0 and −0 (which of them is the
/// extremum depends on order); 6 varies with 1e12 (beyond 2¹⁹) at sample 333 + c and NaN at
/// sample 400 + c; 7 is always NaN.
fn synthetic(s: usize, c: usize) -> f64 {
    let v = |c: usize| ((s * 7919 + c * 104_729) % 1000) as f64 * 0.01 - 3.0;
    match c % 8 {
        0 => v(c),
        1 => 2.5,
        2 => v(c - 2),
        3 if s < 8 + c => 5.0,
        3 => v(c),
        4 if s < 100 + c => v(c - 4),
        4 => v(c - 4) + 1.0,
        5 if s % 2 == 0 => -0.0,
        5 => 0.0,
        6 if s == 333 + c => 1e12,
        6 if s == 400 + c => f64::NAN,
        6 => v(c),
        _ => f64::NAN,
    }
}

/// Padding lanes: anything, non-finite included.
const JUNK: [f64; 5] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -0.0];

/// Adds `values` (`[sample × cell]`) in blocks of `B` whose lane counts cycle through
/// `lanes`, the padding lanes filled with [`JUNK`], every third block one sample at a time
/// instead; flushes after the block that passes sample `flush_at`.
fn by_blocks<const B: usize>(
    values: &[f64],
    cells: usize,
    b: &Binning,
    lanes: &[usize],
    flush_at: usize,
) -> (Partial, Accumulator) {
    let n = values.len() / cells;
    let mut acc = Accumulator::new(cells, b);
    let mut p = Partial::new(0, cells, b);
    let (mut s, mut i) = (0, 0);
    let mut x = vec![0.0; cells * B];
    while s < n {
        let k = lanes[i % lanes.len()].clamp(1, B).min(n - s);
        if i % 3 == 2 {
            for sample in values[s * cells..(s + k) * cells].chunks_exact(cells) {
                acc.add(sample);
            }
        } else {
            for c in 0..cells {
                for lane in 0..B {
                    x[c * B + lane] = if lane < k {
                        values[(s + lane) * cells + c]
                    } else {
                        JUNK[(c + lane) % JUNK.len()]
                    };
                }
            }
            acc.add_block::<B>(&x, k);
        }
        if s <= flush_at && flush_at < s + k {
            acc.flush(&mut p);
        }
        s += k;
        i += 1;
    }
    acc.flush(&mut p);
    (p, acc)
}

/// Asserts two partials equal bit for bit (extrema by their bits: −0 is not 0).
fn assert_identical(got: &Partial, want: &Partial, what: &str) {
    assert_eq!(got.sums, want.sums, "{what}: sums");
    assert_eq!(got.hist, want.hist, "{what}: hist");
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&got.min), bits(&want.min), "{what}: min");
    assert_eq!(bits(&got.max), bits(&want.max), "{what}: max");
}

/// Blocks of `B` against one sample at a time, exact and histogram mode, for several lane
/// patterns: the same partial bit for bit, the same cells shared.
fn blocks_match_samples<const B: usize>() {
    let cells = 40;
    let n = 700; // 2 tiles and more
    let values: Vec<f64> = (0..n)
        .flat_map(|s| (0..cells).map(move |c| synthetic(s, c)))
        .collect();
    let histogram = Binning::from_pilot(&values[..20 * cells], cells);
    for b in [Binning::Exact, histogram] {
        let (want, one) = by_blocks::<1>(&values, cells, &b, &[1], 250);
        if matches!(b, Binning::Histogram { .. }) {
            // one sample at a time is itself the plain statistics
            let plain = plain(&values, cells, &b);
            assert_eq!(
                (want.sums.clone(), want.hist.clone()),
                (plain.sums, plain.hist)
            );
        }
        for lanes in [&[B][..], &[B, B - 1, 3, B, 1, B, B, 2], &[5, B, 7]] {
            let what = format!("B = {B}, lanes {lanes:?}, {b:?}");
            let (got, acc) = by_blocks::<B>(&values, cells, &b, lanes, 250);
            assert_identical(&got, &want, &what);
            assert_eq!(
                (&acc.own, &acc.constant, &acc.alias),
                (&one.own, &one.constant, &one.alias),
                "{what}"
            );
        }
    }
}

#[test]
fn blocks_of_1_4_8_16_equal_samples_added_one_by_one() {
    blocks_match_samples::<1>();
    blocks_match_samples::<4>();
    blocks_match_samples::<8>();
    blocks_match_samples::<16>();
}

#[test]
fn learning_ends_and_shared_cells_separate_in_the_middle_of_a_block() {
    // 3 cells, blocks of 16: cell 0 varies (s), cell 1 is the constant 1.0 until sample
    // 12, then 2.0; cell 2 repeats cell 0 until sample 13, then is 0. Learning ends at
    // lane 8 of the first block, cell 1 is separated at lane 12 and cell 2 at lane 13.
    let cells = 3;
    let value = |s: usize, c: usize| match c {
        0 => s as f64,
        1 if s < 12 => 1.0,
        1 => 2.0,
        2 if s < 13 => s as f64,
        _ => 0.0,
    };
    let values: Vec<f64> = (0..16)
        .flat_map(|s| (0..cells).map(move |c| value(s, c)))
        .collect();
    let b = Binning::from_pilot(&values[..8 * cells], cells);
    let (p, acc) = by_blocks::<16>(&values, cells, &b, &[16], usize::MAX);
    assert_eq!(acc.own, vec![0, 1, 2]);
    // sums: cell 0: 0 + … + 15 = 120; cell 1: 12 · 1 + 4 · 2 = 20; cell 2: 0 + … + 12 = 78
    let fixed_of = |v: i128| v << 32;
    assert_eq!(p.sums, vec![fixed_of(120), fixed_of(20), fixed_of(78)]);
    assert_eq!(
        (p.min.clone(), p.max.clone()),
        (vec![0.0, 1.0, 0.0], vec![15.0, 2.0, 12.0])
    );
    let (one, _) = by_blocks::<1>(&values, cells, &b, &[1], usize::MAX);
    assert_identical(&p, &one, "blocks of 16");
}

#[test]
fn huge_and_nan_lanes_take_the_exact_path_and_padding_is_ignored() {
    // one cell, blocks of 4 with 3 samples (lane 3 is padding): 1.5, 1e12 (beyond 2¹⁹),
    // NaN. Sum = fixed(1.5) + fixed(1e12) + 0 (NaN counts as 0, as in `fixed`);
    // min 1.5, max 1e12. Every padding value gives the same result.
    let b = Binning::Exact;
    let want = fixed(1.5) + fixed(1e12);
    assert_eq!(want, (3i128 << 31) + (1_000_000_000_000i128 << 32));
    for junk in JUNK.into_iter().chain([0.0, -1e-300]) {
        let mut acc = Accumulator::new(1, &b);
        acc.add_block::<4>(&[1.5, 1e12, f64::NAN, junk], 3);
        let mut p = Partial::new(0, 1, &b);
        acc.flush(&mut p);
        assert_eq!(p.sums, vec![want], "padding {junk}");
        assert_eq!((p.min[0], p.max[0]), (1.5, 1e12), "padding {junk}");
    }
}

#[test]
fn padding_lanes_neither_enter_the_statistics_nor_break_shared_cells() {
    // 2 cells, the second a constant 7.0 (found while learning); after 8 samples of 1.0, a
    // block of 8 with 1 sample of 2.0 and NaN/inf/huge padding: cell 0 sums 8 + 2 = 10 and
    // spans 1..2, cell 1 sums 9 · 7 = 63 and stays shared.
    let cells = 2;
    let b = Binning::from_pilot(&[0.0, 7.0, 10.0, 7.0], cells);
    let mut acc = Accumulator::new(cells, &b);
    for _ in 0..LEARN {
        acc.add(&[1.0, 7.0]);
    }
    let mut x = [0.0; 16];
    x[0] = 2.0;
    x[8] = 7.0;
    for lane in 1..8 {
        x[lane] = JUNK[lane % JUNK.len()];
        x[8 + lane] = JUNK[(lane + 1) % JUNK.len()];
    }
    acc.add_block::<8>(&x, 1);
    assert_eq!((acc.own.len(), acc.constant.len()), (1, 1));
    let mut p = Partial::new(0, cells, &b);
    acc.flush(&mut p);
    assert_eq!(p.sums, vec![10i128 << 32, 63i128 << 32]);
    assert_eq!(
        (p.min.clone(), p.max.clone()),
        (vec![1.0, 7.0], vec![2.0, 7.0])
    );
    let total: u32 = p.hist.iter().sum();
    assert_eq!(total, 2 * 9);
}

#[test]
fn tile_boundaries_inside_blocks_count_every_sample_once() {
    // blocks of 16 after 8 single samples: the tile's 256th sample falls at lane 8 of a
    // block; 2 tiles + 40 samples, each cell's counts sum to 552 and equal the plain ones
    let cells = 20;
    let n = 2 * TILE + 40;
    let values: Vec<f64> = (0..n)
        .flat_map(|s| (0..cells).map(move |c| ((s * 37 + c * 11) % 100) as f64 + 0.5))
        .collect();
    let b = Binning::from_pilot(&values[..100 * cells], cells);
    let mut acc = Accumulator::new(cells, &b);
    for sample in values[..8 * cells].chunks_exact(cells) {
        acc.add(sample);
    }
    let mut x = vec![0.0; cells * 16];
    for s0 in (8..n).step_by(16) {
        let k = 16.min(n - s0);
        for c in 0..cells {
            for lane in 0..k {
                x[c * 16 + lane] = values[(s0 + lane) * cells + c];
            }
        }
        acc.add_block::<16>(&x, k);
    }
    let mut p = Partial::new(0, cells, &b);
    acc.flush(&mut p);
    let want = plain(&values, cells, &b);
    assert_identical(&p, &want, "blocks of 16");
    for c in 0..cells {
        let total: u32 = p.hist[c * (BINS + 2)..(c + 1) * (BINS + 2)].iter().sum();
        assert_eq!(total as usize, n);
    }
}
