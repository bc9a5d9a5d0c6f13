//! The pool's own tests: hand-out, capacity, fork and statistics.

use std::collections::HashSet;
use std::sync::Mutex as TestMutex;

use super::*;

/// The pool is process-wide: tests that configure it take turns.
static SERIAL: TestMutex<()> = TestMutex::new(());

fn depth(spec: KeyPairSpec) -> usize {
    stats()
        .into_iter()
        .find(|s| s.spec == spec)
        .map_or(0, |s| s.depth)
}

fn wait_for_depth(spec: KeyPairSpec, want: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while depth(spec) < want {
        assert!(Instant::now() < deadline, "pool never reached {want}");
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn unconfigured_spec_is_never_served_from_the_pool() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    configure(&[], 1);
    assert!(take(KeyPairSpec::EccNistP256).is_none());
    assert!(stats().iter().all(|s| s.capacity == 0));
}

#[test]
fn a_stopped_pool_keeps_its_configuration_but_neither_pairs_nor_refills() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    configure(&[(KeyPairSpec::EccNistP256, 8)], 1);
    wait_for_depth(KeyPairSpec::EccNistP256, 8);
    stop_filling();
    assert_eq!(depth(KeyPairSpec::EccNistP256), 0);
    assert!(take(KeyPairSpec::EccNistP256).is_none());
    thread::sleep(Duration::from_millis(50));
    assert_eq!(depth(KeyPairSpec::EccNistP256), 0);
    assert_eq!(counters(KeyPairSpec::EccNistP256).capacity, 8);
    start_filling();
    wait_for_depth(KeyPairSpec::EccNistP256, 8);
    configure(&[], 1);
}

#[test]
fn configuring_a_stopped_pool_starts_no_thread_until_filling_starts() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    configure(&[], 1);
    stop_filling();
    configure(&[(KeyPairSpec::EccNistP256, 4)], 2);
    assert_eq!(lock().workers, 0);
    assert!(take(KeyPairSpec::EccNistP256).is_none());
    assert_eq!(lock().workers, 0);
    assert_eq!(counters(KeyPairSpec::EccNistP256).capacity, 4);
    start_filling();
    assert_eq!(lock().workers, 2);
    wait_for_depth(KeyPairSpec::EccNistP256, 4);
    configure(&[], 1);
}

#[test]
fn pool_fills_to_capacity_and_no_further() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    configure(&[(KeyPairSpec::EccNistP256, 8)], 2);
    wait_for_depth(KeyPairSpec::EccNistP256, 8);
    thread::sleep(Duration::from_millis(50));
    assert_eq!(depth(KeyPairSpec::EccNistP256), 8);
    configure(&[], 1);
}

fn counters(spec: KeyPairSpec) -> SpecStats {
    stats()
        .into_iter()
        .find(|s| s.spec == spec)
        .expect("spec has counters")
}

#[test]
fn a_take_from_an_empty_pool_is_a_miss_and_from_a_full_one_a_hit() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // RSA_4096 takes far longer to generate than the take right after configure.
    configure(&[(KeyPairSpec::Rsa4096, 1)], 1);
    assert!(take(KeyPairSpec::Rsa4096).is_none());
    let after_miss = counters(KeyPairSpec::Rsa4096);
    assert_eq!(after_miss.misses, 1);
    wait_for_depth(KeyPairSpec::Rsa4096, 1);
    assert!(take(KeyPairSpec::Rsa4096).is_some());
    let after_hit = counters(KeyPairSpec::Rsa4096);
    assert_eq!(after_hit.hits, after_miss.hits + 1);
    assert!(after_hit.generated >= 1);
    assert!(after_hit.fill_rate_per_second > 0.0);
    configure(&[], 1);
}

#[test]
fn every_pair_is_handed_out_once_across_threads() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    configure(&[(KeyPairSpec::EccNistP256, 64)], 2);
    wait_for_depth(KeyPairSpec::EccNistP256, 64);
    let before = counters(KeyPairSpec::EccNistP256);
    let taken: Vec<Vec<u8>> = thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    (0..100)
                        .map(|_| {
                            take_or_generate(KeyPairSpec::EccNistP256)
                                .unwrap()
                                .private_pkcs8()
                                .to_vec()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let unique: HashSet<_> = taken.iter().collect();
    assert_eq!(unique.len(), taken.len());
    let after = counters(KeyPairSpec::EccNistP256);
    let (hits, misses) = (after.hits - before.hits, after.misses - before.misses);
    assert_eq!(hits + misses, 400);
    assert!(hits >= 64);
    configure(&[], 1);
}

#[test]
fn fork_in_child_empties_the_pool_but_keeps_the_configuration() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    configure(&[(KeyPairSpec::EccNistEdwards25519, 4)], 1);
    wait_for_depth(KeyPairSpec::EccNistEdwards25519, 4);
    // What the child runs after fork(), minus the fork: the same thread brackets it.
    prepare_fork();
    after_fork_in_child();
    let child = counters(KeyPairSpec::EccNistEdwards25519);
    assert_eq!(child.capacity, 4);
    assert_eq!(child.depth, 0);
    // The "child" starts its own workers on the next request and refills.
    let _ = take(KeyPairSpec::EccNistEdwards25519);
    wait_for_depth(KeyPairSpec::EccNistEdwards25519, 4);
    configure(&[], 1);
}

#[test]
fn shrinking_drops_pairs_beyond_the_new_capacity() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    configure(&[(KeyPairSpec::EccNistP384, 6)], 1);
    wait_for_depth(KeyPairSpec::EccNistP384, 6);
    configure(&[(KeyPairSpec::EccNistP384, 2)], 1);
    assert!(depth(KeyPairSpec::EccNistP384) <= 2);
    configure(&[], 1);
}
