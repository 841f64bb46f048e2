//! Typed indices into the model's tables and array rows.
//!
//! Each index says which axis it counts along: a [`SourceIx`] selects a row of the source
//! arrays (`act0`, `int0`, …), a [`CarrierIx`] a row of `ef0`, a [`ParamIx`] an entry of the
//! parameter vector. Mixing them up is a type error instead of a wrong number.

use std::ops::{Index, IndexMut};

use super::Param;

macro_rules! index_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub usize);

        impl $name {
            /// The plain position, for indexing an array axis.
            #[inline]
            pub fn get(self) -> usize {
                self.0
            }
        }
    )*};
}

index_type! {
    /// A source of `region.sources` and a row of the `[source × year]` arrays.
    SourceIx,
    /// A carrier of `region.carriers` and a row of the `[carrier × year]` arrays.
    CarrierIx,
    /// An entry of the parameter vector (`Model::params`, a sample's `p`).
    ParamIx,
    /// A measure of `Model::measures` and a row of the `[measure × year]` adoption array.
    MeasureIx,
    /// An energy slot (a source's use of one carrier) and a row of the `[slot × year]` shares.
    SlotIx,
    /// A mix component row (`Model::mix_components`) and a row of the `[row × year]` mix shares.
    MixRowIx,
    /// A driver of `region.drivers` and a row of the `[driver × year]` ratio array.
    DriverIx,
    /// A (driver, elasticity) power of `Model::dyn_pow` and a row of the per-sample powers.
    PowerIx,
}

impl Index<ParamIx> for [f64] {
    type Output = f64;

    #[inline]
    fn index(&self, i: ParamIx) -> &f64 {
        &self[i.0]
    }
}

impl Index<ParamIx> for Vec<f64> {
    type Output = f64;

    #[inline]
    fn index(&self, i: ParamIx) -> &f64 {
        &self[i.0]
    }
}

impl IndexMut<ParamIx> for [f64] {
    #[inline]
    fn index_mut(&mut self, i: ParamIx) -> &mut f64 {
        &mut self[i.0]
    }
}

impl IndexMut<ParamIx> for Vec<f64> {
    #[inline]
    fn index_mut(&mut self, i: ParamIx) -> &mut f64 {
        &mut self[i.0]
    }
}

impl Index<ParamIx> for Vec<Param> {
    type Output = Param;

    #[inline]
    fn index(&self, i: ParamIx) -> &Param {
        &self[i.0]
    }
}

impl Index<ParamIx> for [Param] {
    type Output = Param;

    #[inline]
    fn index(&self, i: ParamIx) -> &Param {
        &self[i.0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ValueSpec;

    #[test]
    fn a_param_index_reads_the_sample_and_the_table() {
        let p = vec![0.25, 0.5, 0.75];
        let params: Vec<Param> = p
            .iter()
            .enumerate()
            .map(|(i, &x)| Param {
                name: format!("p{i}"),
                spec: ValueSpec::Fixed(x),
                central: x,
                bounds: (0.0, 1.0),
                level: None,
            })
            .collect();
        let i = ParamIx(2);
        // the same position in the sample vector and in the parameter table
        assert_eq!(p[i], 0.75);
        assert_eq!(p.as_slice()[i], 0.75);
        assert_eq!(params[i].name, "p2");
        assert_eq!(params.as_slice()[ParamIx(0)].central, 0.25);
        assert_eq!(SourceIx(4).get(), 4);
    }
}
