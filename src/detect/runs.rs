//! Chaining segment pairs that advance together into runs: the step that
//! [`within`](super::within) and [`passages`](super::passages) share.
//!
//! A pair matches segment `i` of one side with segment `j` of the other.
//! Sorted pairs that advance together (i→j, i+1→j+1, …) are chained into a
//! [`Run`], tolerating up to `max_gap` segments that one side lacks, adds or
//! changes beyond recognition.

use std::collections::HashMap;
use std::ops::Range;

/// Segment `i` of one side matches segment `j` of the other.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Pair {
    pub i: usize,
    pub j: usize,
    /// The two segments' normalized texts are equal.
    pub exact: bool,
}

/// A chain of pairs advancing together.
#[derive(Clone, Debug)]
pub(crate) struct Run {
    pub pairs: Vec<Pair>,
}

impl Run {
    pub fn first(&self) -> Pair {
        self.pairs[0]
    }
    pub fn last(&self) -> Pair {
        self.pairs[self.pairs.len() - 1]
    }
    pub fn left(&self) -> Range<usize> {
        self.first().i..self.last().i + 1
    }
    pub fn right(&self) -> Range<usize> {
        self.first().j..self.last().j + 1
    }
    pub fn exact(&self) -> bool {
        self.pairs.iter().all(|pair| pair.exact)
    }
}

/// Calls `f(i, j)` for each member and its next `neighbours` members.
pub(crate) fn for_neighbours<T: Copy>(members: &[T], neighbours: usize, mut f: impl FnMut(T, T)) {
    for (at, &i) in members.iter().enumerate() {
        for &j in members[at + 1..].iter().take(neighbours) {
            f(i, j);
        }
    }
}

/// Chains pairs sorted by `(i, j)` into runs; each pair extends the open run
/// it follows most closely, or starts a new one.
pub(crate) fn chain(pairs: Vec<Pair>, max_gap: usize) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut open: HashMap<(usize, usize), usize> = HashMap::new();
    for pair in pairs {
        let step = (1..=max_gap + 1)
            .flat_map(|di| (1..=max_gap + 1).map(move |dj| (di, dj)))
            .filter(|&(di, dj)| di <= pair.i && dj <= pair.j)
            .filter_map(|(di, dj)| {
                open.get(&(pair.i - di, pair.j - dj))
                    .map(|&run| (di + dj, di.abs_diff(dj), run))
            })
            .min();
        match step {
            Some((_, _, run)) => {
                let last = runs[run].last();
                open.remove(&(last.i, last.j));
                runs[run].pairs.push(pair);
                open.insert((pair.i, pair.j), run);
            }
            None => {
                open.insert((pair.i, pair.j), runs.len());
                runs.push(Run { pairs: vec![pair] });
            }
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(i: usize, j: usize) -> Pair {
        Pair { i, j, exact: true }
    }

    #[test]
    fn pairs_advancing_together_make_one_run_across_a_gap() {
        let runs = chain(vec![pair(0, 10), pair(1, 11), pair(3, 12), pair(7, 2)], 2);
        assert_eq!(runs.len(), 2);
        assert_eq!((runs[0].left(), runs[0].right()), (0..4, 10..13));
        assert_eq!((runs[1].left(), runs[1].right()), (7..8, 2..3));
    }

    #[test]
    fn neighbours_are_capped() {
        let mut seen = Vec::new();
        for_neighbours(&[1, 2, 3, 4], 2, |i, j| seen.push((i, j)));
        assert_eq!(seen, [(1, 2), (1, 3), (2, 3), (2, 4), (3, 4)]);
    }
}
