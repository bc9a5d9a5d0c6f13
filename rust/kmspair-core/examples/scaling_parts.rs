//! Where two-core scaling goes, part by part: for each piece of the EC pipeline, operations per
//! second on two raw threads over one, with no batch machinery around it. Each point runs
//! `threads` threads flat out for 0.4 s; 12 interleaved rounds; the median per-round ratio and
//! its quartiles (benches/README.md, "What two cores give the EC pipeline").
//!
//! ```sh
//! cargo run --release -p kmspair-core --example scaling_parts
//! ```

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use aws_lc_rs::digest::{digest, SHA256};
use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use kmspair_core::{KeyPair, KeyPairSpec, SealedKeyPair, SealingKey};

const ROUNDS: usize = 12;
const WINDOW: Duration = Duration::from_millis(400);

type Part<'a> = (&'static str, Box<dyn Fn() + Sync + 'a>);

/// Operations per second of `part` run in a loop on `threads` threads at once.
fn rate(threads: usize, part: &(dyn Fn() + Sync)) -> f64 {
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let done: u64 = thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = 0;
                    while !stop.load(Ordering::Relaxed) {
                        for _ in 0..16 {
                            part();
                        }
                        done += 16;
                    }
                    done
                })
            })
            .collect();
        thread::sleep(WINDOW);
        stop.store(true, Ordering::Relaxed);
        workers
            .into_iter()
            .map(|w| w.join().expect("a worker"))
            .sum()
    });
    done as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let key = SealingKey::new(&[7u8; 32]).expect("a key");
    let block = [5u8; 1024];
    let parts: Vec<Part> = vec![
        // Compute that stays in L1 and shares nothing: what the VM gives two busy cores.
        (
            "SHA-256 of 1 KiB",
            Box::new(|| {
                black_box(digest(&SHA256, &block));
            }),
        ),
        (
            "aws-lc RAND_bytes 32 B",
            Box::new(|| {
                let mut out = [0u8; 32];
                aws_lc_rs::rand::fill(&mut out).expect("randomness");
                black_box(out);
            }),
        ),
        (
            "getrandom(2) 32 B",
            Box::new(|| {
                let mut out = [0u8; 32];
                getrandom::fill(&mut out).expect("randomness");
                black_box(out);
            }),
        ),
        (
            "aws-lc P-256 keygen",
            Box::new(|| {
                drop(black_box(EcdsaKeyPair::generate(
                    &ECDSA_P256_SHA256_ASN1_SIGNING,
                )));
            }),
        ),
        (
            "KeyPair P-256 (+DER)",
            Box::new(|| {
                drop(black_box(KeyPair::generate(KeyPairSpec::EccNistP256)));
            }),
        ),
        (
            "seal 138 B",
            Box::new(|| drop(black_box(key.seal(&block[..138], &[1u8; 64])))),
        ),
        (
            "sealed P-256 pair",
            Box::new(|| {
                drop(black_box(SealedKeyPair::generate(
                    KeyPairSpec::EccNistP256,
                    &key,
                    &[1u8; 64],
                )));
            }),
        ),
        (
            "KeyPair Ed25519 (+DER)",
            Box::new(|| {
                drop(black_box(KeyPair::generate(
                    KeyPairSpec::EccNistEdwards25519,
                )));
            }),
        ),
    ];
    let mut ratios = vec![Vec::new(); parts.len()];
    let mut one_thread = vec![0.0; parts.len()];
    for round in 0..ROUNDS {
        for (i, (_, part)) in parts.iter().enumerate() {
            let (one, two) = if round % 2 == 0 {
                let one = rate(1, part.as_ref());
                (one, rate(2, part.as_ref()))
            } else {
                let two = rate(2, part.as_ref());
                (rate(1, part.as_ref()), two)
            };
            ratios[i].push(two / one);
            one_thread[i] += one / ROUNDS as f64;
        }
    }
    println!(
        "{:<24} {:>12} {:>22}",
        "part", "1 thread", "2 threads / 1: median (q1-q3)"
    );
    for (i, (name, _)) in parts.iter().enumerate() {
        let r = &mut ratios[i];
        r.sort_by(f64::total_cmp);
        println!(
            "{name:<24} {:>9.2} us {:>10.3} ({:.3}-{:.3})",
            1e6 / one_thread[i],
            (r[ROUNDS / 2 - 1] + r[ROUNDS / 2]) / 2.0,
            r[ROUNDS / 4],
            r[3 * ROUNDS / 4],
        );
    }
}
