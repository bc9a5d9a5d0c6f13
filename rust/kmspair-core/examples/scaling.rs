use kmspair_core::{batch, KeyPairSpec, SealingKey};
use std::time::Instant;

fn main() {
    let spec: KeyPairSpec = std::env::args().nth(1).unwrap().parse().unwrap();
    let n: usize = std::env::args().nth(2).unwrap().parse().unwrap();
    let key = SealingKey::new(&[7u8; 32]).unwrap();
    let aad = [1u8; 64];
    let mut r1 = vec![];
    let mut r2 = vec![];
    for round in 0..10 {
        for t in if round % 2 == 0 { [1, 2] } else { [2, 1] } {
            let start = Instant::now();
            let mut total = 0;
            while start.elapsed().as_secs_f64() < 1.0 {
                let v = batch::generate_many_sealed(spec, n, t, &key, &aad).unwrap();
                total += v.len();
            }
            let rate = total as f64 / start.elapsed().as_secs_f64();
            if t == 1 { r1.push(rate) } else { r2.push(rate) }
        }
    }
    let mut ratios: Vec<f64> = r1.iter().zip(&r2).map(|(a, b)| b / a).collect();
    ratios.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("{spec}: 1t {:.0}/s, 2t {:.0}/s, ratio median {:.3} (min {:.3} max {:.3})",
        r1.iter().sum::<f64>() / 10.0, r2.iter().sum::<f64>() / 10.0, ratios[5], ratios[0], ratios[9]);
}
