//! Single-threaded timing of candidate crates for KMS `GenerateDataKeyPair` emulation.
//!
//! Each timed iteration = generate one key pair AND serialise it:
//!   "DER" rows: private key as DER PKCS#8 + public key as DER SubjectPublicKeyInfo;
//!   "raw" rows: private scalar big-endian bytes + uncompressed SEC1 public point.
//!
//! Usage: cargo run --release [-- [--quick] [FILTER...]]
//!   FILTER: substrings matched against the spec name (e.g. RSA_2048, ECC, Ed25519, AES).
//!   --quick: 1/10 of the iteration counts (smoke test; numbers not for the README).

use std::hint::black_box;
use std::time::Instant;

use getrandom::SysRng;
use rand_core::UnwrapErr;

// ---------------------------------------------------------------------------------------------
// harness

struct Row {
    spec: &'static str,
    candidate: String,
    n: usize,
    mean_ms: f64,
    median_ms: f64,
    /// Mean thread CPU time per op (CLOCK_THREAD_CPUTIME_ID); ~= mean_ms when the core was not shared.
    cpu_mean_ms: f64,
    load1: String,
    min_ms: f64,
    max_ms: f64,
    priv_len: usize,
    pub_len: usize,
    check: String,
    note: String,
}

/// Output of one iteration: (private encoding, public encoding). The bytes are kept for the
/// one-off sanity check; their lengths are reported.
type Pair = (Vec<u8>, Vec<u8>);

struct Bench {
    quick: bool,
    filters: Vec<String>,
    rows: Vec<Row>,
}

impl Bench {
    fn wanted(&self, spec: &str) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|f| spec.contains(f.as_str()))
    }

    fn count(&self, n: usize) -> usize {
        if self.quick { (n / 10).max(3) } else { n }
    }

    /// Times `f` `n` times (one untimed warm-up call first, `warm` calls for fast ops).
    /// `cut`: if Some(best_mean_ms) and the mean of the first 5 iterations exceeds 5x that,
    /// stop at 20 iterations (allowed by the brief for very slow RSA candidates).
    fn run<F>(&mut self, spec: &'static str, candidate: &str, n: usize, warm: usize,
              cut: Option<f64>, check: fn(&Pair) -> String, f: F)
    where
        F: FnMut(bool) -> Option<Pair>,
    {
        self.run_batched(spec, candidate, n, 1, warm, cut, check, f)
    }

    /// `n` timed samples of `batch` back-to-back calls each; per-op time = sample / batch.
    #[allow(clippy::too_many_arguments)]
    fn run_batched<F>(&mut self, spec: &'static str, candidate: &str, n: usize, batch: usize,
              warm: usize, cut: Option<f64>, check: fn(&Pair) -> String, mut f: F)
    where
        F: FnMut(bool) -> Option<Pair>,
    {
        let n = self.count(n);
        // The first call keeps the bytes (for lengths + the cross-check); later calls only
        // return lengths-irrelevant data (they are still fully produced, then dropped).
        let first = match f(true) {
            Some(p) => p,
            None => {
                eprintln!("{spec:<16} {candidate:<44} FAILED (returned None)");
                return;
            }
        };
        for _ in 1..warm {
            black_box(f(false));
        }
        let mut times = Vec::with_capacity(n);
        let mut note = String::new();
        let mut target = n;
        let mut i = 0;
        let cpu0 = thread_cpu_ms();
        while i < target {
            let t = Instant::now();
            for _ in 0..batch {
                black_box(f(false));
            }
            let dt = t.elapsed().as_secs_f64() * 1e3 / batch as f64;
            times.push(dt);
            i += 1;
            if i == 5 {
                if let Some(best) = cut {
                    let m = times.iter().sum::<f64>() / times.len() as f64;
                    if m > 5.0 * best && target > 20 {
                        target = 20;
                        note = format!("count cut {n}->20 (>5x slower than best)");
                    }
                }
            }
        }
        let cpu_mean = (thread_cpu_ms() - cpu0) / (times.len() * batch) as f64;
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        let mut sorted = times.clone();
        sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let median = if sorted.len() % 2 == 1 {
            sorted[sorted.len() / 2]
        } else {
            (sorted[sorted.len() / 2 - 1] + sorted[sorted.len() / 2]) / 2.0
        };
        if let Ok(dir) = std::env::var("KEYGEN_DUMP_DIR") {
            let slug: String = candidate.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(format!("{dir}/{spec}__{slug}.priv"), &first.0);
            let _ = std::fs::write(format!("{dir}/{spec}__{slug}.pub"), &first.1);
        }
        let row = Row {
            spec,
            candidate: candidate.to_string(),
            n: times.len() * batch,
            mean_ms: mean,
            median_ms: median,
            cpu_mean_ms: cpu_mean,
            load1: loadavg().split(' ').next().unwrap_or("").to_string(),
            min_ms: sorted[0],
            max_ms: *sorted.last().unwrap(),
            priv_len: first.0.len(),
            pub_len: first.1.len(),
            check: check(&first),
            note,
        };
        eprintln!(
            "{:<16} {:<44} n={:<5} mean={:>10.4} ms median={:>10.4} ms cpu={:>10.4} ms load1={} priv={}B pub={}B  {} {}",
            row.spec, row.candidate, row.n, row.mean_ms, row.median_ms, row.cpu_mean_ms, row.load1, row.priv_len,
            row.pub_len, row.check, row.note
        );
        self.rows.push(row);
    }

    fn best_mean(&self, spec: &str) -> Option<f64> {
        self.rows
            .iter()
            .filter(|r| r.spec == spec)
            .map(|r| r.mean_ms)
            .min_by(|a, b| a.partial_cmp(b).unwrap())
    }
}

// ---------------------------------------------------------------------------------------------
// cross-checks (run once per candidate, outside the timing): OpenSSL 3 parses the PKCS#8 and
// the SPKI, and the two public keys match.

fn check_der(p: &Pair) -> String {
    use openssl::pkey::PKey;
    let sk = match PKey::private_key_from_pkcs8(&p.0) {
        Ok(k) => k,
        Err(e) => return format!("ossl-pkcs8-parse-FAIL({})", short(&e.to_string())),
    };
    let pk = match PKey::public_key_from_der(&p.1) {
        Ok(k) => k,
        Err(e) => return format!("ossl-spki-parse-FAIL({})", short(&e.to_string())),
    };
    if sk.public_eq(&pk) { "ok".into() } else { "MISMATCH".into() }
}

fn check_raw(p: &Pair) -> String {
    let expect_pub = 2 * p.0.len() + 1;
    if p.1.len() == expect_pub && p.1[0] == 4 { "ok(len)".into() } else { "BAD-raw".into() }
}

fn thread_cpu_ms() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: valid pointer to a timespec; CLOCK_THREAD_CPUTIME_ID is supported on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim().to_string()
}

fn short(s: &str) -> String {
    s.chars().take(60).collect()
}

// ---------------------------------------------------------------------------------------------
// ring helpers: ring has no SPKI encoder and its PKCS#8 templates end with the public key, so
// the public key is sliced from the PKCS#8 tail and wrapped in a fixed SPKI header.

const SPKI_P256: &[u8] = &[
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
    0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
const SPKI_P384: &[u8] = &[
    0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05,
    0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00,
];
const SPKI_ED25519: &[u8] = &[
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

fn spki_from_tail(header: &[u8], pkcs8: &[u8], publen: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(header.len() + publen);
    v.extend_from_slice(header);
    v.extend_from_slice(&pkcs8[pkcs8.len() - publen..]);
    v
}

// ---------------------------------------------------------------------------------------------
// candidates

fn rsa_all(b: &mut Bench) {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature::KeyPair as _;
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};

    for (spec, bits, n, lc_size) in [
        ("RSA_2048", 2048u32, 150usize, aws_lc_rs::rsa::KeySize::Rsa2048),
        ("RSA_3072", 3072, 60, aws_lc_rs::rsa::KeySize::Rsa3072),
        ("RSA_4096", 4096, 40, aws_lc_rs::rsa::KeySize::Rsa4096),
    ] {
        if !b.wanted(spec) {
            continue;
        }
        b.run(spec, "aws-lc-rs rsa::KeyPair::generate", n, 1, None, check_der, |_| {
            let kp = aws_lc_rs::rsa::KeyPair::generate(lc_size).ok()?;
            let pk8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&kp).ok()?;
            let spki = AsDer::<aws_lc_rs::encoding::PublicKeyX509Der>::as_der(kp.public_key()).ok()?;
            Some((pk8.as_ref().to_vec(), spki.as_ref().to_vec()))
        });
        b.run(spec, "aws-lc-rs rsa::PrivateDecryptingKey::generate", n, 1, None, check_der, |_| {
            let k = aws_lc_rs::rsa::PrivateDecryptingKey::generate(lc_size).ok()?;
            let pk8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&k).ok()?;
            let spki = AsDer::<aws_lc_rs::encoding::PublicKeyX509Der>::as_der(&k.public_key()).ok()?;
            Some((pk8.as_ref().to_vec(), spki.as_ref().to_vec()))
        });
        let best = b.best_mean(spec);
        // Names the OpenSSL it ran on: the system's 3.0, or 3.6 with `--features vendored-openssl`.
        let label = format!("openssl Rsa::generate ({})", openssl::version::version());
        b.run(spec, &label, n, 1, best, check_der, |_| {
            let r = openssl::rsa::Rsa::generate(bits).ok()?;
            let k = openssl::pkey::PKey::from_rsa(r).ok()?;
            Some((k.private_key_to_pkcs8().ok()?, k.public_key_to_der().ok()?))
        });
        let best = b.best_mean(spec);
        b.run(spec, "rsa 0.10 PrivateKey::new", n, 1, best, check_der, |_| {
            let k = rsa::PrivateKey::new(&mut SysRng, bits as usize).ok()?;
            let pk8 = k.to_pkcs8_der().ok()?;
            let spki = k.to_public_key().to_public_key_der().ok()?;
            Some((pk8.as_bytes().to_vec(), spki.as_bytes().to_vec()))
        });
    }
}

/// openssl EC keygen on a named curve -> PKCS#8 + SPKI.
fn openssl_ec(nid: openssl::nid::Nid) -> impl FnMut(bool) -> Option<Pair> {
    let group = openssl::ec::EcGroup::from_curve_name(nid).unwrap();
    move |_| {
        let ec = openssl::ec::EcKey::generate(&group).ok()?;
        let k = openssl::pkey::PKey::from_ec_key(ec).ok()?;
        Some((k.private_key_to_pkcs8().ok()?, k.public_key_to_der().ok()?))
    }
}

/// aws-lc-rs EcdsaKeyPair: DER variant and raw variant.
fn awslc_ec(b: &mut Bench, spec: &'static str, alg: &'static aws_lc_rs::signature::EcdsaSigningAlgorithm, n: usize) {
    use aws_lc_rs::encoding::{AsBigEndian, AsDer, EcPrivateKeyBin, PublicKeyX509Der};
    use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair as _};
    b.run(spec, "aws-lc-rs EcdsaKeyPair (to_pkcs8v1 + SPKI)", n, 50, None, check_der, |_| {
        let kp = EcdsaKeyPair::generate(alg).ok()?;
        let pk8 = kp.to_pkcs8v1().ok()?;
        let spki = AsDer::<PublicKeyX509Der>::as_der(kp.public_key()).ok()?;
        Some((pk8.as_ref().to_vec(), spki.as_ref().to_vec()))
    });
    b.run(spec, "aws-lc-rs EcdsaKeyPair (raw scalar + point)", n, 50, None, check_raw, |_| {
        let kp = EcdsaKeyPair::generate(alg).ok()?;
        let d = AsBigEndian::<EcPrivateKeyBin>::as_be_bytes(&kp.private_key()).ok()?;
        Some((d.as_ref().to_vec(), kp.public_key().as_ref().to_vec()))
    });
}

/// RustCrypto elliptic-curve 0.14 based crates: DER variant and raw variant.
macro_rules! rustcrypto_ec {
    ($b:expr, $spec:expr, $krate:ident, $label:expr, $n:expr) => {{
        use $krate::elliptic_curve::sec1::ToSec1Point;
        use $krate::elliptic_curve::Generate;
        use $krate::pkcs8::{EncodePrivateKey, EncodePublicKey};
        $b.run($spec, concat!($label, " (to_pkcs8_der + SPKI)"), $n, 50, None, check_der, |_| {
            // Generate::generate() = generate_from_rng(&mut UnwrapErr(getrandom::SysRng))
            let sk = $krate::SecretKey::generate();
            let pk8 = sk.to_pkcs8_der().ok()?; // SecretDocument (zeroized on drop)
            let spki = sk.public_key().to_public_key_der().ok()?;
            Some((pk8.as_bytes().to_vec(), spki.as_bytes().to_vec()))
        });
        $b.run($spec, concat!($label, " (raw scalar + point)"), $n, 50, None, check_raw, |_| {
            let sk = $krate::SecretKey::generate_from_rng(&mut UnwrapErr(SysRng));
            let d = sk.to_bytes();
            let q = sk.public_key().to_sec1_point(false);
            Some((d.to_vec(), q.as_bytes().to_vec()))
        });
    }};
}

fn ec_all(b: &mut Bench) {
    use aws_lc_rs::signature as lcsig;
    use openssl::nid::Nid;
    use ring::signature as rsig;
    let ring_rng = ring::rand::SystemRandom::new();
    const N: usize = 2000;

    if b.wanted("ECC_NIST_P256") {
        let spec = "ECC_NIST_P256";
        b.run(spec, "ring EcdsaKeyPair::generate_pkcs8 (+SPKI from tail)", N, 50, None, check_der, |_| {
            let d = rsig::EcdsaKeyPair::generate_pkcs8(&rsig::ECDSA_P256_SHA256_ASN1_SIGNING, &ring_rng).ok()?;
            let spki = spki_from_tail(SPKI_P256, d.as_ref(), 65);
            Some((d.as_ref().to_vec(), spki))
        });
        b.run(spec, "ring generate_pkcs8 + from_pkcs8 + public_key", N, 50, None, check_der, |_| {
            let d = rsig::EcdsaKeyPair::generate_pkcs8(&rsig::ECDSA_P256_SHA256_ASN1_SIGNING, &ring_rng).ok()?;
            let kp = rsig::EcdsaKeyPair::from_pkcs8(&rsig::ECDSA_P256_SHA256_ASN1_SIGNING, d.as_ref(), &ring_rng).ok()?;
            let mut spki = SPKI_P256.to_vec();
            spki.extend_from_slice(rsig::KeyPair::public_key(&kp).as_ref());
            Some((d.as_ref().to_vec(), spki))
        });
        awslc_ec(b, spec, &lcsig::ECDSA_P256_SHA256_ASN1_SIGNING, N);
        rustcrypto_ec!(b, spec, p256, "p256 0.14 SecretKey", N);
        b.run(spec, "openssl EcKey::generate (X9_62_PRIME256V1)", N, 50, None, check_der, openssl_ec(Nid::X9_62_PRIME256V1));
    }
    if b.wanted("ECC_NIST_P384") {
        let spec = "ECC_NIST_P384";
        b.run(spec, "ring EcdsaKeyPair::generate_pkcs8 (+SPKI from tail)", N, 50, None, check_der, |_| {
            let d = rsig::EcdsaKeyPair::generate_pkcs8(&rsig::ECDSA_P384_SHA384_ASN1_SIGNING, &ring_rng).ok()?;
            let spki = spki_from_tail(SPKI_P384, d.as_ref(), 97);
            Some((d.as_ref().to_vec(), spki))
        });
        awslc_ec(b, spec, &lcsig::ECDSA_P384_SHA384_ASN1_SIGNING, N);
        rustcrypto_ec!(b, spec, p384, "p384 0.14 SecretKey", N);
        b.run(spec, "openssl EcKey::generate (SECP384R1)", N, 50, None, check_der, openssl_ec(Nid::SECP384R1));
    }
    if b.wanted("ECC_NIST_P521") {
        let spec = "ECC_NIST_P521";
        awslc_ec(b, spec, &lcsig::ECDSA_P521_SHA512_ASN1_SIGNING, N);
        rustcrypto_ec!(b, spec, p521, "p521 0.14 SecretKey", N);
        b.run(spec, "openssl EcKey::generate (SECP521R1)", N, 50, None, check_der, openssl_ec(Nid::SECP521R1));
    }
    if b.wanted("ECC_SECG_P256K1") {
        let spec = "ECC_SECG_P256K1";
        awslc_ec(b, spec, &lcsig::ECDSA_P256K1_SHA256_ASN1_SIGNING, N);
        rustcrypto_ec!(b, spec, k256, "k256 0.14 SecretKey", N);
        b.run(spec, "openssl EcKey::generate (SECP256K1)", N, 50, None, check_der, openssl_ec(Nid::SECP256K1));
    }
    if b.wanted("SM2") {
        let spec = "SM2";
        rustcrypto_ec!(b, spec, sm2, "sm2 0.14 SecretKey", N);
        b.run(spec, "openssl EcKey::generate (Nid::SM2)", N, 50, None, check_der, openssl_ec(Nid::SM2));
    }
    if b.wanted("Ed25519") {
        use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
        use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
        let spec = "Ed25519";
        b.run(spec, "ring Ed25519KeyPair::generate_pkcs8 (v2, +SPKI from tail)", N, 50, None, check_der, |_| {
            let d = rsig::Ed25519KeyPair::generate_pkcs8(&ring_rng).ok()?;
            let spki = spki_from_tail(SPKI_ED25519, d.as_ref(), 32);
            Some((d.as_ref().to_vec(), spki))
        });
        b.run(spec, "aws-lc-rs Ed25519KeyPair (to_pkcs8v1 + SPKI)", N, 50, None, check_der, |_| {
            let kp = lcsig::Ed25519KeyPair::generate().ok()?;
            let pk8 = kp.to_pkcs8v1().ok()?;
            let spki = AsDer::<PublicKeyX509Der>::as_der(lcsig::KeyPair::public_key(&kp)).ok()?;
            Some((pk8.as_ref().to_vec(), spki.as_ref().to_vec()))
        });
        b.run(spec, "aws-lc-rs Ed25519KeyPair (to_pkcs8 v2 + SPKI)", N, 50, None, check_der, |_| {
            let kp = lcsig::Ed25519KeyPair::generate().ok()?;
            let pk8 = kp.to_pkcs8().ok()?;
            let spki = AsDer::<PublicKeyX509Der>::as_der(lcsig::KeyPair::public_key(&kp)).ok()?;
            Some((pk8.as_ref().to_vec(), spki.as_ref().to_vec()))
        });
        b.run(spec, "ed25519-dalek 3.0 SigningKey (pkcs8 + SPKI)", N, 50, None, check_der, |_| {
            let sk = ed25519_dalek::SigningKey::generate(&mut UnwrapErr(SysRng));
            let pk8 = sk.to_pkcs8_der().ok()?;
            let spki = sk.verifying_key().to_public_key_der().ok()?;
            Some((pk8.as_bytes().to_vec(), spki.as_bytes().to_vec()))
        });
        b.run(spec, "ed25519-dalek 3.0 SigningKey (pkcs8 v1 via KeypairBytes{public_key:None})", N, 50, None, check_der, |_| {
            let sk = ed25519_dalek::SigningKey::generate(&mut UnwrapErr(SysRng));
            let mut kb = ed25519_dalek::pkcs8::KeypairBytes::from(&sk);
            kb.public_key = None; // -> PKCS#8 v1 (48 bytes), which OpenSSL 3.0 / pyca accept
            let pk8 = kb.to_pkcs8_der().ok()?;
            let spki = sk.verifying_key().to_public_key_der().ok()?;
            Some((pk8.as_bytes().to_vec(), spki.as_bytes().to_vec()))
        });
        b.run(spec, "openssl PKey::generate_ed25519", N, 50, None, check_der, |_| {
            let k = openssl::pkey::PKey::generate_ed25519().ok()?;
            Some((k.private_key_to_pkcs8().ok()?, k.public_key_to_der().ok()?))
        });
    }
}

fn aes_all(b: &mut Bench) {
    if !b.wanted("AES") {
        return;
    }
    let spec = "AES_256_GCM_1217B";
    let n = 200_000;
    let pt = vec![0x5au8; 1217];
    let aad = [0xa5u8; 64];
    let key_bytes = [7u8; 32];
    let ok = |_: &Pair| "-".to_string();
    {
        use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
        use ring::rand::{SecureRandom, SystemRandom};
        let rng = SystemRandom::new();
        let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key_bytes).unwrap());
        let mut buf = Vec::with_capacity(1217 + 16);
        let mut ctr: u64 = 0;
        let mut bufc = Vec::with_capacity(1217 + 16);
        b.run_batched(spec, "ring LessSafeKey seal (counter nonce, no RNG)", n / 100, 100, 1000, None, ok, |_| {
            bufc.clear();
            bufc.extend_from_slice(&pt);
            ctr += 1;
            let mut nonce = [0u8; 12];
            nonce[4..].copy_from_slice(&ctr.to_be_bytes());
            key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(&aad), &mut bufc).ok()?;
            Some((Vec::new(), Vec::new()))
        });
        b.run_batched(spec, "ring LessSafeKey seal_in_place_append_tag", n / 100, 100, 1000, None, ok, |_| {
            buf.clear();
            buf.extend_from_slice(&pt);
            let mut nonce = [0u8; 12];
            rng.fill(&mut nonce).ok()?;
            key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(&aad), &mut buf).ok()?;
            Some((Vec::new(), Vec::new()))
        });
    }
    {
        use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, RandomizedNonceKey, UnboundKey, AES_256_GCM};
        use aws_lc_rs::rand::{SecureRandom, SystemRandom};
        let rng = SystemRandom::new();
        let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key_bytes).unwrap());
        let mut buf = Vec::with_capacity(1217 + 16);
        let mut ctr: u64 = 0;
        let mut bufc = Vec::with_capacity(1217 + 16);
        b.run_batched(spec, "aws-lc-rs LessSafeKey seal (counter nonce, no RNG)", n / 100, 100, 1000, None, ok, |_| {
            bufc.clear();
            bufc.extend_from_slice(&pt);
            ctr += 1;
            let mut nonce = [0u8; 12];
            nonce[4..].copy_from_slice(&ctr.to_be_bytes());
            key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(&aad), &mut bufc).ok()?;
            Some((Vec::new(), Vec::new()))
        });
        b.run_batched(spec, "aws-lc-rs LessSafeKey seal_in_place_append_tag", n / 100, 100, 1000, None, ok, |_| {
            buf.clear();
            buf.extend_from_slice(&pt);
            let mut nonce = [0u8; 12];
            rng.fill(&mut nonce).ok()?;
            key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(&aad), &mut buf).ok()?;
            Some((Vec::new(), Vec::new()))
        });
        let rkey = RandomizedNonceKey::new(&AES_256_GCM, &key_bytes).unwrap();
        let mut buf2 = Vec::with_capacity(1217 + 16);
        b.run_batched(spec, "aws-lc-rs RandomizedNonceKey seal_in_place_append_tag", n / 100, 100, 1000, None, ok, |_| {
            buf2.clear();
            buf2.extend_from_slice(&pt);
            let nonce = rkey.seal_in_place_append_tag(Aad::from(&aad), &mut buf2).ok()?;
            black_box(nonce);
            Some((Vec::new(), Vec::new()))
        });
    }
}

// ---------------------------------------------------------------------------------------------

fn main() {
    let mut quick = false;
    let mut filters = Vec::new();
    for a in std::env::args().skip(1) {
        if a == "--quick" { quick = true } else { filters.push(a) }
    }
    let mut b = Bench { quick, filters, rows: Vec::new() };
    eprintln!(
        "precomputed-tables feature (RustCrypto): {}",
        cfg!(feature = "precomputed-tables")
    );
    let load0 = loadavg();
    ec_all(&mut b);
    aes_all(&mut b);
    rsa_all(&mut b);

    println!("| spec | candidate | n | mean ms | median ms | min ms | max ms | pairs/s (1/mean) | cpu ms/pair | load1 | priv B | pub B | OpenSSL cross-check | note |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
    for r in b.rows.iter().filter(|r| !r.spec.starts_with("AES")) {
        let (mean, median) = (r.mean_ms, r.median_ms);
        let fmt = |x: f64| if x < 1.0 { format!("{x:.4}") } else { format!("{x:.1}") };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.0} | {} | {} | {} | {} | {} | {} |",
            r.spec, r.candidate, r.n, fmt(mean), fmt(median), fmt(r.min_ms), fmt(r.max_ms),
            1000.0 / mean, fmt(r.cpu_mean_ms), r.load1, r.priv_len, r.pub_len, r.check, r.note
        );
    }
    if b.rows.iter().any(|r| r.spec.starts_with("AES")) {
        println!();
        println!("| op | candidate | n ops (batches of 100) | mean us | median us (of batch means) | ops/s (1/mean) | MB/s of plaintext | cpu us/op | load1 |");
        println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for r in b.rows.iter().filter(|r| r.spec.starts_with("AES")) {
            println!(
                "| {} | {} | {} | {:.3} | {:.3} | {:.0} | {:.0} | {:.3} | {} |",
                r.spec, r.candidate, r.n, r.mean_ms * 1e3, r.median_ms * 1e3,
                1000.0 / r.mean_ms, 1217.0 * (1000.0 / r.mean_ms) / 1e6, r.cpu_mean_ms * 1e3, r.load1
            );
        }
    }
    println!();
    println!("loadavg at start: {load0}; at end: {}", loadavg());
    println!();
    println!("Fastest by mean per spec:");
    let mut specs: Vec<&str> = Vec::new();
    for r in &b.rows {
        if !specs.contains(&r.spec) {
            specs.push(r.spec);
        }
    }
    for s in specs {
        let pick = |raw: bool| {
            b.rows.iter()
                .filter(|r| r.spec == s && (r.check == "ok(len)") == raw)
                .min_by(|a, c| a.mean_ms.partial_cmp(&c.mean_ms).unwrap())
        };
        if let Some(d) = pick(false) {
            let what = if s.starts_with("AES") { "fastest" } else { "fastest DER/PKCS#8 row" };
            print!("- {s}: {what}: {} ({:.4} ms mean)", d.candidate, d.mean_ms);
        }
        if let Some(r) = pick(true) {
            print!("; fastest raw row: {} ({:.4} ms mean)", r.candidate, r.mean_ms);
        }
        println!();
    }
}
