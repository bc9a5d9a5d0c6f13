//! RSA key-pair latency by prime-search strategy (kmspair issues #6 and #2).
//!
//! Every timed iteration generates one RSA key pair (e = 65537) and encodes it as DER PKCS#8 +
//! DER SubjectPublicKeyInfo with OpenSSL, exactly like `kmspair-core/src/rsa.rs`. Strategies:
//!
//! * `A openssl Rsa::generate_with_e`: what kmspair does today (OpenSSL 3.x default provider:
//!   SP 800-56B / FIPS 186-4 B.3.6 primes with auxiliary primes, 5 or 4 MR rounds per prime);
//! * `B BN_generate_prime seq`: p, q from `BigNum::generate_prime` (BN_generate_prime_ex2:
//!   sieve + 64 MR rounds on primes up to 2048 bits, 128 above) one after the other, then
//!   the key is assembled (d = e^-1 mod lcm(p-1, q-1), CRT values) with BigNum arithmetic;
//! * `C BN_generate_prime 2 threads`: p in one thread, q in another (`std::thread::scope`);
//! * `D crypto-primes seq`: p, q from crypto-primes 0.7 (SmallFactorsSieve + `is_prime`:
//!   Miller-Rabin base 2 + strong Lucas, i.e. BPSW, then `fips::is_prime` with the FIPS 186-5
//!   random-base MR rounds for a 2^-128 error bound) on fixed-size crypto-bigint integers;
//!   `D0`: BPSW only, as the `rsa` crate;
//! * `E crypto-primes race 2 threads`: two threads search for primes at once (each its own
//!   random start and sieve) and the first two primes found become p and q; a shared flag
//!   stops the other thread between candidates (crypto-primes' own `multicore` feature does the
//!   same with rayon); `E0`: BPSW only;
//! * `R race of 2 whole generate_with_e` (only with `--only ...,R`): two detached threads each
//!   run A, the first key wins, the loser runs on and is discarded (twice the CPU);
//! * `P Python cryptography` (with `--python PY`): `rsa.generate_private_key(65537, bits)` +
//!   `private_bytes(DER, PKCS8)` + `public_bytes(DER, SPKI)` in a persistent Python process
//!   (the kmspair baseline), taking its turn in every round.
//!
//! Rounds: every strategy generates `n / rounds` keys per round, strategies take turns
//! (A, B, C, ..., A, B, C, ...), so machine noise hits all alike.
//!
//! Columns: wall time per key, and "CPU critical path" = max(CPU of the calling thread, CPU of
//! the helper thread) per key, the latency on two otherwise idle cores (see benches/README.md,
//! "RSA: prime-search strategies", for results and the decision).
//!
//! Usage (vendored OpenSSL 3.6, as kmspair):
//!   cargo run --release --features vendored-openssl --bin rsa_strategies -- \
//!       [--rounds R] [--n2048 N] [--n3072 N] [--n4096 N] [--only A,B,C,D,E,D0,E0,R,P] [--python PY] [--check pct|full|none]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use crypto_bigint::{Uint, U1024, U1536, U2048};
use crypto_primes::hazmat::SmallFactorsSieve;
use openssl::bn::{BigNum, BigNumContext, BigNumRef};
use openssl::pkey::PKey;
use openssl::rsa::{Rsa, RsaPrivateKeyBuilder};
use zeroize::{Zeroize, Zeroizing};

const E: u32 = 65537;

/// CPU time (ns) burnt by helper threads of the current key; the critical path of a two-thread
/// strategy is max(main thread CPU, helper CPU), i.e. its latency on two otherwise idle cores.
static HELPER_CPU_NS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: valid pointer to a timespec; CLOCK_THREAD_CPUTIME_ID is supported on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Runs `f` on a helper thread, adding the helper's CPU time to HELPER_CPU_NS.
fn helper<T>(f: impl FnOnce() -> T) -> T {
    let t0 = thread_cpu_ns();
    let r = f();
    HELPER_CPU_NS.fetch_add(thread_cpu_ns() - t0, Ordering::Relaxed);
    r
}

type Pair = (Zeroizing<Vec<u8>>, Vec<u8>);

fn encode(rsa: Rsa<openssl::pkey::Private>) -> Pair {
    let key = PKey::from_rsa(rsa).unwrap();
    (
        Zeroizing::new(key.private_key_to_pkcs8().unwrap()),
        key.public_key_to_der().unwrap(),
    )
}

// ---------------------------------------------------------------------------------------------
// A: today

fn strat_a(bits: u32) -> Pair {
    let e = BigNum::from_u32(E).unwrap();
    encode(Rsa::generate_with_e(bits, &e).unwrap())
}

/// R: two whole `Rsa::generate_with_e` runs on two detached threads; the first key wins and
/// the loser keeps running in the background and is thrown away (OpenSSL's keygen cannot be
/// cancelled from safe Rust): about twice the CPU per key, and the loser's work lands on the
/// next keys' time.
fn strat_r(bits: u32) -> Pair {
    let (tx, rx) = std::sync::mpsc::channel();
    for _ in 0..2 {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let _ = tx.send(strat_a(bits));
        });
    }
    rx.recv().unwrap()
}

// ---------------------------------------------------------------------------------------------
// key assembly from two primes (shared by B..E)

fn secure() -> BigNum {
    let mut b = BigNum::new_secure().unwrap();
    b.set_const_time();
    b
}

/// gcd(p - 1, e) == 1 for prime e = 65537 <=> p mod e != 1.
fn coprime_to_e(p: &BigNumRef) -> bool {
    p.mod_word(E).unwrap() != 1
}

/// Builds the private key from primes p, q (any order). None if FIPS 186-4's |p - q| bound or
/// the d > 2^(bits/2) bound fails (never in practice; the caller draws new primes).
fn assemble(p: BigNum, q: BigNum, bits: u32, check: Check) -> Option<Pair> {
    let mut ctx = BigNumContext::new_secure().unwrap();
    let (p, q) = if p.ucmp(&q) == std::cmp::Ordering::Greater { (p, q) } else { (q, p) };
    let mut diff = secure();
    diff.checked_sub(&p, &q).unwrap();
    if diff.num_bits() <= (bits / 2 - 100) as i32 {
        return None;
    }
    let one = BigNum::from_u32(1).unwrap();
    let (mut p1, mut q1, mut g, mut m, mut lcm) = (secure(), secure(), secure(), secure(), secure());
    p1.checked_sub(&p, &one).unwrap();
    q1.checked_sub(&q, &one).unwrap();
    g.gcd(&p1, &q1, &mut ctx).unwrap();
    m.checked_mul(&p1, &q1, &mut ctx).unwrap();
    lcm.checked_div(&m, &g, &mut ctx).unwrap();
    let e = BigNum::from_u32(E).unwrap();
    let mut d = secure();
    d.mod_inverse(&e, &lcm, &mut ctx).unwrap();
    if d.num_bits() <= (bits / 2) as i32 {
        return None;
    }
    let (mut dp, mut dq, mut qinv) = (secure(), secure(), secure());
    dp.checked_rem(&d, &p1, &mut ctx).unwrap();
    dq.checked_rem(&d, &q1, &mut ctx).unwrap();
    qinv.mod_inverse(&q, &p, &mut ctx).unwrap();
    let mut n = BigNum::new().unwrap();
    n.checked_mul(&p, &q, &mut ctx).unwrap();
    assert_eq!(n.num_bits(), bits as i32);
    let rsa = RsaPrivateKeyBuilder::new(n, e, d)
        .unwrap()
        .set_factors(p, q)
        .unwrap()
        .set_crt_params(dp, dq, qinv)
        .unwrap()
        .build();
    match check {
        Check::Full => assert!(rsa.check_key().unwrap()),
        Check::Pct => assert!(pairwise_test(&rsa, &mut ctx)),
        Check::None => {}
    }
    Some(encode(rsa))
}

/// How a key assembled from two primes is checked before it is encoded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Check {
    /// `RSA_check_key`: re-tests p and q for primality (64 MR rounds each) and all relations.
    Full,
    /// Pairwise consistency test as OpenSSL's own SP 800-56B keygen does (k = 2: (k^e)^d = k).
    Pct,
    None,
}

fn pairwise_test(rsa: &Rsa<openssl::pkey::Private>, ctx: &mut BigNumContext) -> bool {
    let k = BigNum::from_u32(2).unwrap();
    let (mut c, mut m) = (BigNum::new().unwrap(), secure());
    c.mod_exp(&k, rsa.e(), rsa.n(), ctx).unwrap();
    m.mod_exp(&c, rsa.d(), rsa.n(), ctx).unwrap();
    m == k && c != k
}

// ---------------------------------------------------------------------------------------------
// B, C: OpenSSL BN_generate_prime_ex2

fn bn_prime(bits: u32) -> BigNum {
    loop {
        let mut p = secure();
        p.generate_prime(bits as i32, false, None, None).unwrap();
        if coprime_to_e(&p) {
            return p;
        }
    }
}

fn strat_b(bits: u32, check: Check) -> Pair {
    loop {
        let p = bn_prime(bits / 2);
        let q = bn_prime(bits / 2);
        if let Some(pair) = assemble(p, q, bits, check) {
            return pair;
        }
    }
}

fn strat_c(bits: u32, check: Check) -> Pair {
    loop {
        let (p, q) = std::thread::scope(|s| {
            let h = s.spawn(|| helper(|| bn_prime(bits / 2)));
            let q = bn_prime(bits / 2);
            (h.join().unwrap(), q)
        });
        if let Some(pair) = assemble(p, q, bits, check) {
            return pair;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// D, E: crypto-primes on fixed-size integers

fn uint_to_bn<const L: usize>(x: &Uint<L>) -> BigNum {
    let mut bytes = Zeroizing::new(Vec::with_capacity(L * 8));
    for w in x.as_words().iter().rev() {
        bytes.extend_from_slice(&w.to_be_bytes());
    }
    let mut b = secure();
    b.copy_from_slice(&bytes).unwrap();
    b
}

/// One prime of exactly `bits` bits with the top two bits set, or None once `stop` is set.
/// FIPS 186-5 random-base MR rounds for 2^-128 (crypto-primes' `minimum_mr_iterations`, a
/// float loop too slow for every key: computed once, and timed, in main).
static MR_ROUNDS: std::sync::OnceLock<[(u32, usize); 3]> = std::sync::OnceLock::new();

/// Whether D/E add the FIPS MR rounds after BPSW (D0/E0: BPSW only, as the `rsa` crate).
static FIPS_EXTRA: AtomicBool = AtomicBool::new(true);

fn cp_prime<const L: usize>(bits: u32, stop: &AtomicBool) -> Option<BigNum> {
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    let nz = std::num::NonZeroU32::new(bits).unwrap();
    let rounds = MR_ROUNDS.get().unwrap().iter().find(|(b, _)| *b == bits).unwrap().1;
    let fips = crypto_primes::fips::FipsOptions::with_mr_iterations(rounds);
    let extra = FIPS_EXTRA.load(Ordering::Relaxed);
    loop {
        let start: Uint<L> = crypto_primes::hazmat::random_odd_integer::<Uint<L>, _>(
            &mut rng,
            nz,
            crypto_primes::hazmat::SetBits::TwoMsb,
        )
        .unwrap()
        .get();
        let sieve = SmallFactorsSieve::new(start, nz, false).unwrap();
        for mut c in sieve {
            if stop.load(Ordering::Relaxed) {
                c.zeroize();
                return None;
            }
            // BPSW (MR base 2 + strong Lucas), then FIPS 186-5 B.3 random-base MR rounds for a
            // 2^-128 error bound; composites almost always fail the first MR, so the extra
            // rounds only run on the prime that is kept.
            if crypto_primes::is_prime(crypto_primes::Flavor::Any, &c)
                && (!extra || crypto_primes::fips::is_prime(&mut rng, crypto_primes::Flavor::Any, &c, fips))
            {
                let bn = uint_to_bn(&c);
                c.zeroize();
                if coprime_to_e(&bn) {
                    return Some(bn);
                }
            } else {
                c.zeroize();
            }
        }
    }
}

fn cp_prime_dyn(bits: u32, stop: &AtomicBool) -> Option<BigNum> {
    match bits {
        1024 => cp_prime::<{ U1024::LIMBS }>(bits, stop),
        1536 => cp_prime::<{ U1536::LIMBS }>(bits, stop),
        2048 => cp_prime::<{ U2048::LIMBS }>(bits, stop),
        _ => unreachable!(),
    }
}

fn strat_d(bits: u32, check: Check) -> Pair {
    let never = AtomicBool::new(false);
    loop {
        let p = cp_prime_dyn(bits / 2, &never).unwrap();
        let q = cp_prime_dyn(bits / 2, &never).unwrap();
        if let Some(pair) = assemble(p, q, bits, check) {
            return pair;
        }
    }
}

fn strat_e(bits: u32, check: Check) -> Pair {
    loop {
        let found: Mutex<Vec<BigNum>> = Mutex::new(Vec::with_capacity(2));
        let stop = AtomicBool::new(false);
        let work = || {
            while !stop.load(Ordering::Relaxed) {
                if let Some(prime) = cp_prime_dyn(bits / 2, &stop) {
                    let mut f = found.lock().unwrap();
                    if f.len() < 2 {
                        f.push(prime);
                    }
                    if f.len() == 2 {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
            }
        };
        std::thread::scope(|s| {
            s.spawn(|| helper(work));
            work();
        });
        let mut f = found.into_inner().unwrap();
        let q = f.pop().unwrap();
        let p = f.pop().unwrap();
        if p.ucmp(&q) == std::cmp::Ordering::Equal {
            continue;
        }
        if let Some(pair) = assemble(p, q, bits, check) {
            return pair;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// P: Python baseline in a persistent child process

const PY_SRC: &str = r#"
import sys, time
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric import rsa
import cryptography
print(cryptography.__version__, flush=True)
for line in sys.stdin:
    bits, k = map(int, line.split())
    out = []
    for _ in range(k):
        t = time.perf_counter()
        sk = rsa.generate_private_key(65537, bits)
        sk.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8, s.NoEncryption())
        sk.public_key().public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)
        out.append((time.perf_counter() - t) * 1e3)
    print(" ".join("%.4f" % x for x in out), flush=True)
"#;

struct Py {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    version: String,
}

impl Py {
    fn start(python: &str) -> Py {
        let mut child = Command::new(python)
            .args(["-c", PY_SRC])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut version = String::new();
        stdout.read_line(&mut version).unwrap();
        Py { _child: child, stdin, stdout, version: version.trim().to_string() }
    }
    fn run(&mut self, bits: u32, k: usize) -> Vec<f64> {
        writeln!(self.stdin, "{bits} {k}").unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line.split_whitespace().map(|x| x.parse().unwrap()).collect()
    }
}

// ---------------------------------------------------------------------------------------------

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().next().unwrap_or("?").to_string())
        .unwrap_or_default()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str| args.iter().position(|a| a == name).map(|i| args[i + 1].clone());
    let rounds: usize = get("--rounds").map_or(5, |v| v.parse().unwrap());
    let counts = [
        (2048u32, get("--n2048").map_or(150, |v| v.parse().unwrap())),
        (3072, get("--n3072").map_or(30, |v| v.parse().unwrap())),
        (4096, get("--n4096").map_or(15, |v| v.parse().unwrap())),
    ];
    let only: Vec<String> = get("--only")
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_else(|| ["A", "B", "C", "D", "E", "D0", "E0", "P"].map(str::to_string).to_vec());
    let check = match get("--check").as_deref() {
        None | Some("pct") => Check::Pct,
        Some("full") => Check::Full,
        Some("none") => Check::None,
        Some(x) => panic!("--check {x}: full, pct or none"),
    };
    let mut py = get("--python").filter(|_| only.iter().any(|s| s == "P")).map(|p| Py::start(&p));

    let names = [
        ("A", "A openssl Rsa::generate_with_e (today)".to_string()),
        ("B", "B BN_generate_prime seq + assembly".to_string()),
        ("R", "R race of 2 whole generate_with_e, loser discarded".to_string()),
        ("C", "C BN_generate_prime p,q in 2 threads".to_string()),
        ("D", "D crypto-primes 0.7 seq + assembly".to_string()),
        ("E", "E crypto-primes race, 2 threads".to_string()),
        ("D0", "D0 crypto-primes seq, BPSW only".to_string()),
        ("E0", "E0 crypto-primes race 2 threads, BPSW only".to_string()),
        (
            "P",
            format!("P Python cryptography {}", py.as_ref().map_or("-", |p| p.version.as_str())),
        ),
    ];
    let active: Vec<&(&str, String)> = names
        .iter()
        .filter(|(k, _)| only.iter().any(|o| o == k) && (*k != "P" || py.is_some()))
        .collect();

    let t = Instant::now();
    let mr = [1024u32, 1536, 2048].map(|b| (b, crypto_primes::hazmat::minimum_mr_iterations(b, 128).unwrap()));
    let mr_ms = t.elapsed().as_secs_f64() * 1e3;
    MR_ROUNDS.set(mr).unwrap();
    println!("crypto-primes FIPS MR rounds after BPSW (D, E), 2^-128: {mr:?} (computing them took {mr_ms:.1} ms)");
    println!(
        "openssl: {}; check of assembled keys: {check:?}; rounds: {rounds}; nproc: {}",
        openssl::version::version(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!();
    println!("Wall: elapsed per key. CPU critical path: max(main thread CPU, helper thread CPU) per key");
    println!("= the latency on two idle cores (equals single-thread CPU for A, B, D); CPU total: all threads.");
    println!();
    println!("| spec | strategy | n | wall median ms | wall p90 | wall p99 | wall mean | keys/s (1/mean) | wall median vs A | CPU-critical-path median ms | p90 | p99 | mean | crit. median vs A | CPU total mean ms | load1 (start-end) |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (bits, n) in counts {
        if n == 0 {
            continue;
        }
        // Warm-up (and sanity: each strategy's first pair parses back with OpenSSL).
        for (k, _) in &active {
            if *k == "P" {
                py.as_mut().unwrap().run(bits, 1);
                continue;
            }
            let pair = run_one(k, bits, check);
            let pk = PKey::private_key_from_pkcs8(&pair.0).unwrap();
            let rsa = pk.rsa().unwrap();
            assert!(rsa.check_key().unwrap());
            assert_eq!(rsa.n().num_bits(), bits as i32);
            assert_eq!(rsa.e().to_owned().unwrap(), BigNum::from_u32(E).unwrap());
            assert_eq!(pk.public_key_to_der().unwrap(), pair.1);
            assert_eq!(pair.0[..2], strat_a(bits).0[..2]);
            assert_eq!(pair.0[4..24], strat_a(bits).0[4..24]);
        }
        let load0 = loadavg();
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); active.len()];
        let mut crit: Vec<Vec<f64>> = vec![Vec::new(); active.len()];
        let mut cpu: Vec<Vec<f64>> = vec![Vec::new(); active.len()];
        for r in 0..rounds {
            let per = n / rounds + usize::from(r < n % rounds);
            for (i, (k, _)) in active.iter().enumerate() {
                if *k == "P" {
                    times[i].extend(py.as_mut().unwrap().run(bits, per));
                    continue;
                }
                for _ in 0..per {
                    HELPER_CPU_NS.store(0, Ordering::Relaxed);
                    let c0 = thread_cpu_ns();
                    let t = Instant::now();
                    std::hint::black_box(run_one(k, bits, check));
                    times[i].push(t.elapsed().as_secs_f64() * 1e3);
                    let main_cpu = thread_cpu_ns() - c0;
                    let helper_cpu = HELPER_CPU_NS.load(Ordering::Relaxed);
                    crit[i].push(main_cpu.max(helper_cpu) as f64 / 1e6);
                    cpu[i].push((main_cpu + helper_cpu) as f64 / 1e6);
                }
            }
            eprintln!("RSA_{bits} round {}/{rounds} done (load1 {})", r + 1, loadavg());
        }
        let load1 = loadavg();
        let sorted = |v: &Vec<f64>| {
            let mut s = v.clone();
            s.sort_by(f64::total_cmp);
            s
        };
        let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len().max(1) as f64;
        let median_a = pct(&sorted(&times[0]), 50.0);
        let crit_a = if crit[0].is_empty() { f64::NAN } else { pct(&sorted(&crit[0]), 50.0) };
        for (i, (_, name)) in active.iter().enumerate() {
            let s = sorted(&times[i]);
            let med = pct(&s, 50.0);
            let c = if crit[i].is_empty() { vec![f64::NAN] } else { sorted(&crit[i]) };
            println!(
                "| RSA_{bits} | {name} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} | {:.2} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} | {:.1} | {load0}-{load1} |",
                s.len(),
                med,
                pct(&s, 90.0),
                pct(&s, 99.0),
                mean(&times[i]),
                1e3 / mean(&times[i]),
                med / median_a,
                pct(&c, 50.0),
                pct(&c, 90.0),
                pct(&c, 99.0),
                mean(&c),
                pct(&c, 50.0) / crit_a,
                mean(&cpu[i]),
            );
        }
    }
}

fn run_one(k: &str, bits: u32, check: Check) -> Pair {
    match k {
        "A" => strat_a(bits),
        "R" => strat_r(bits),
        "B" => strat_b(bits, check),
        "C" => strat_c(bits, check),
        "D" | "E" | "D0" | "E0" => {
            FIPS_EXTRA.store(!k.ends_with('0'), Ordering::Relaxed);
            if k.starts_with('D') { strat_d(bits, check) } else { strat_e(bits, check) }
        }
        _ => unreachable!(),
    }
}
