//! Batch scaling in pure Rust, without the Python glue: sealed pairs per second of
//! `batch::generate_many_sealed` on one thread and on two, in 10 interleaved rounds of 1 s each
//! way, and the median of the per-round ratios (benches/README.md, "More rounds for EC batch
//! scaling").
//!
//! ```sh
//! cargo run --release -p kmspair-core --example batch_scaling -- ECC_NIST_EDWARDS25519 10000
//! ```

use std::time::Instant;

use kmspair_core::{batch, KeyPairSpec, SealingKey};

const ROUNDS: usize = 10;

fn rate(spec: KeyPairSpec, count: usize, threads: usize, key: &SealingKey) -> f64 {
    let start = Instant::now();
    let mut made = 0;
    while start.elapsed().as_secs_f64() < 1.0 {
        made += batch::generate_many_sealed(spec, count, threads, key, &[1u8; 64])
            .expect("a batch")
            .len();
    }
    made as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: batch_scaling KEY_PAIR_SPEC PAIRS_PER_BATCH";
    let spec: KeyPairSpec = args.next().expect(usage).parse().expect(usage);
    let count: usize = args.next().expect(usage).parse().expect(usage);
    let key = SealingKey::new(&[7u8; 32]).expect("a key");
    let (mut one, mut two) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let order = if round % 2 == 0 { [1, 2] } else { [2, 1] };
        for threads in order {
            let measured = rate(spec, count, threads, &key);
            if threads == 1 { &mut one } else { &mut two }.push(measured);
        }
    }
    let mut ratios: Vec<f64> = one.iter().zip(&two).map(|(a, b)| b / a).collect();
    ratios.sort_by(f64::total_cmp);
    let mean = |rates: &[f64]| rates.iter().sum::<f64>() / rates.len() as f64;
    println!(
        "{spec}: 1 thread {:.0}/s, 2 threads {:.0}/s, ratio median {:.3} (rounds {:.3}-{:.3})",
        mean(&one),
        mean(&two),
        (ratios[ROUNDS / 2 - 1] + ratios[ROUNDS / 2]) / 2.0,
        ratios[0],
        ratios[ROUNDS - 1]
    );
}
