use super::*;

/// The exact value at the rank [`Snapshot::quantile`] reports.
fn exact(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
    sorted[rank]
}

fn assert_close(got: f64, want: f64, what: &str) {
    let err = ((got - want) / want).abs();
    assert!(
        err <= RELATIVE_ERROR + 1e-12,
        "{what}: got {got}, want {want} (error {err})"
    );
}

/// Deterministic pseudo-random numbers in (0, 1).
fn uniform(n: usize, mut seed: u64) -> Vec<f64> {
    (0..n)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        })
        .collect()
}

fn check(values: &[f64], what: &str) {
    let sketch = Sketch::default();
    for v in values {
        sketch.record_at(*v, 7);
    }
    let snapshot = sketch.snapshot_at(7);
    assert_eq!(snapshot.count(), values.len() as u64);
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    for q in [0.0, 0.5, 0.9, 0.99, 0.999, 1.0] {
        let got = snapshot.quantile(q).expect("not empty");
        assert_close(got, exact(&sorted, q), &format!("{what} q={q}"));
    }
}

#[test]
fn one_observation_reports_itself() {
    let sketch = Sketch::default();
    sketch.record_at(29_000.0, 0);
    let s = sketch.snapshot_at(0);
    for q in [0.5, 0.9, 0.99] {
        assert_eq!(s.quantile(q), Some(29_000.0));
    }
    assert_eq!(Sketch::default().snapshot_at(0).quantile(0.5), None);
}

#[test]
fn known_distributions_within_the_relative_error() {
    let u = uniform(20_000, 1);
    // Uniform latencies between 10 µs and 1 s, in nanoseconds.
    check(
        &u.iter().map(|x| 1e4 + x * 1e9).collect::<Vec<_>>(),
        "uniform",
    );
    // Exponential with a 50 µs mean.
    check(
        &u.iter().map(|x| -5e4 * x.ln()).collect::<Vec<_>>(),
        "exponential",
    );
    // Log-uniform over nine decades.
    check(
        &u.iter().map(|x| 10f64.powf(x * 9.0)).collect::<Vec<_>>(),
        "log-uniform",
    );
    // The integers 1 to 100 000: p50 is 50 000 and p99 99 000, to 1%.
    check(
        &(1..=100_000).map(f64::from).collect::<Vec<_>>(),
        "integers",
    );
    // Signed values with zeros and a tiny one (counted as zero).
    let mut mixed: Vec<f64> = u.iter().map(|x| (x - 0.3) * 1e3).collect();
    mixed.extend([0.0; 50]);
    check(&mixed, "signed");
}

#[test]
fn the_window_forgets_old_slots() {
    let sketch = Sketch::default();
    for _ in 0..10 {
        sketch.record_at(1e6, 0);
    }
    sketch.record_at(5.0, 3);
    assert_eq!(sketch.snapshot_at(4).count(), 11);
    // Epoch 5 no longer sees epoch 0 ...
    let later = sketch.snapshot_at(5);
    assert_eq!(later.count(), 1);
    assert_eq!(later.quantile(0.5), Some(5.0));
    // ... and recording in epoch 5 reuses (clears) epoch 0's slot.
    sketch.record_at(7.0, 5);
    let s = sketch.snapshot_at(5);
    assert_eq!(s.count(), 2);
    assert_eq!(s.quantile(1.0), Some(7.0));
    assert_eq!(sketch.snapshot_at(9).count(), 1);
    assert_eq!(sketch.snapshot_at(10).count(), 0);
}

#[test]
fn snapshots_merge() {
    let (a, b) = (Sketch::default(), Sketch::default());
    for i in 1..=100 {
        a.record_at(f64::from(i), 1);
        b.record_at(f64::from(i) * 1000.0, 1);
    }
    let mut s = a.snapshot_at(1);
    s.merge(&b.snapshot_at(1));
    s.merge(&Snapshot::default());
    assert_eq!(s.count(), 200);
    assert_close(s.quantile(0.25).expect("some"), 50.0, "low half");
    assert_close(s.quantile(0.75).expect("some"), 50_000.0, "high half");
    assert_eq!(s.quantile(1.0), Some(100_000.0));
}

#[test]
fn extremes_do_not_break_it() {
    let sketch = Sketch::default();
    for v in [
        f64::NAN,
        f64::INFINITY,
        1e300,
        -1e300,
        1e-300,
        f64::MIN_POSITIVE,
    ] {
        sketch.record_at(v, 0);
    }
    let s = sketch.snapshot_at(0);
    assert_eq!(s.count(), 5, "NaN is ignored");
    assert!(s.quantile(0.0).is_some_and(|v| v < -1e17));
    assert_eq!(s.quantile(0.5), Some(0.0));
    assert!(s.quantile(1.0).is_some_and(|v| v > 1e17));
}
