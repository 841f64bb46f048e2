//! Rows of the `[row × year]` arrays as contiguous slices, for the per-row loops of the kernel
//! and the variable sums.
//!
//! Every array the model and the kernel make is in standard layout, so a row of it (or of a view
//! split from it along rows) is contiguous. The loops over a row's few dozen years iterate these
//! slices: measured with callgrind, that is fewer instructions than `Zip` over 1-D views.

use ndarray::{ArrayBase, Data, DataMut, Ix2};

const LAYOUT: &str = "the model's arrays are in standard layout: each row is contiguous";

/// The whole of `a`, row after row.
#[inline]
pub(crate) fn flat<S: Data<Elem = f64>>(a: &ArrayBase<S, Ix2>) -> &[f64] {
    a.as_slice().expect(LAYOUT)
}

/// The whole of `a`, row after row, to write.
#[inline]
pub(crate) fn flat_mut<S: DataMut<Elem = f64>>(a: &mut ArrayBase<S, Ix2>) -> &mut [f64] {
    a.as_slice_mut().expect(LAYOUT)
}

/// Row `i` of `a`.
#[inline]
pub(crate) fn row<S: Data<Elem = f64>>(a: &ArrayBase<S, Ix2>, i: usize) -> &[f64] {
    a.row(i).to_slice().expect(LAYOUT)
}

/// Row `i` of `a`, to write.
#[inline]
pub(crate) fn row_mut<S: DataMut<Elem = f64>>(a: &mut ArrayBase<S, Ix2>, i: usize) -> &mut [f64] {
    a.row_mut(i).into_slice().expect(LAYOUT)
}

/// Two distinct rows `i` and `j` of `a`, to write both.
#[inline]
pub(crate) fn two_rows_mut<S: DataMut<Elem = f64>>(
    a: &mut ArrayBase<S, Ix2>,
    i: usize,
    j: usize,
) -> (&mut [f64], &mut [f64]) {
    assert_ne!(i, j, "two distinct rows");
    let (lo, hi) = a.view_mut().split_at(ndarray::Axis(0), i.max(j));
    let low = lo.index_axis_move(ndarray::Axis(0), i.min(j));
    let high = hi.index_axis_move(ndarray::Axis(0), 0);
    let (low, high) = (
        low.into_slice().expect(LAYOUT),
        high.into_slice().expect(LAYOUT),
    );
    if i < j { (low, high) } else { (high, low) }
}

/// Row `i` of a row-after-row slice with rows of `ny` years.
#[inline]
pub(crate) fn nth(flat: &[f64], ny: usize, i: usize) -> &[f64] {
    &flat[i * ny..(i + 1) * ny]
}

/// Row `i` of a row-after-row slice to write, with the rows before it and the rows after it to
/// read (for sums of rows of the same array).
#[inline]
pub(crate) fn split_row_mut(flat: &mut [f64], ny: usize, i: usize) -> (&[f64], &mut [f64], &[f64]) {
    let (before, rest) = flat.split_at_mut(i * ny);
    let (this, after) = rest.split_at_mut(ny);
    (before, this, after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn rows_are_the_array_rows() {
        // [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
        let mut a = Array2::from_shape_fn((3, 3), |(r, c)| (3 * r + c) as f64);
        assert_eq!(row(&a, 1), [3.0, 4.0, 5.0]);
        row_mut(&mut a, 2)[0] = -6.0;
        assert_eq!(a[[2, 0]], -6.0);
        let (x, y) = two_rows_mut(&mut a, 2, 0);
        assert_eq!((x[0], y[2]), (-6.0, 2.0));
        x[1] = 70.0;
        y[1] = 10.0;
        assert_eq!((a[[2, 1]], a[[0, 1]]), (70.0, 10.0));
        // a row of a view split from the array
        let (_, rest) = a.view().split_at(ndarray::Axis(0), 1);
        assert_eq!(row(&rest, 0), [3.0, 4.0, 5.0]);
        flat_mut(&mut a)[8] = 80.0;
        assert_eq!(flat(&a)[6..], [-6.0, 70.0, 80.0]);
        // rows of the flat slice: [[0, 10, 2], [3, 4, 5], [-6, 70, 80]]
        assert_eq!(nth(flat(&a), 3, 1), [3.0, 4.0, 5.0]);
        let (before, this, after) = split_row_mut(flat_mut(&mut a), 3, 1);
        assert_eq!(
            (before, &this[..], after),
            (
                &[0.0, 10.0, 2.0][..],
                &[3.0, 4.0, 5.0][..],
                &[-6.0, 70.0, 80.0][..]
            )
        );
    }
}
