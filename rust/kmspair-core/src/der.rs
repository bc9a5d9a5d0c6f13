//! DER encoding of the key formats KMS returns (RFC 5280 SubjectPublicKeyInfo, RFC 5958 PKCS#8
//! v0, RFC 5915 ECPrivateKey, RFC 8410 Ed25519).
//!
//! Every crate we generate keys with encodes PKCS#8 a little differently (parameters inside the
//! ECPrivateKey or not, v1 or v2 for Ed25519), so the EC and Ed25519 forms are written here,
//! once, in the layout AWS returns. Buffers that hold private material are `Zeroizing`.

use zeroize::Zeroizing;

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
/// `[1] EXPLICIT`, the ECPrivateKey `publicKey` field.
const CONTEXT_1: u8 = 0xa1;

/// id-ecPublicKey, 1.2.840.10045.2.1, as a complete TLV.
const ID_EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// id-Ed25519, 1.3.101.112, as a complete TLV.
const ID_ED25519: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];

/// Named-curve OIDs as complete TLVs.
pub const OID_P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
pub const OID_P384: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
pub const OID_P521: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23];
pub const OID_SECP256K1: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a];
pub const OID_SM2: &[u8] = &[0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d];

/// Number of bytes a DER length field takes.
fn length_len(len: usize) -> usize {
    match len {
        0..=0x7f => 1,
        0x80..=0xff => 2,
        0x100..=0xffff => 3,
        _ => 4,
    }
}

/// Total size of a TLV whose contents are `len` bytes.
fn tlv_len(len: usize) -> usize {
    1 + length_len(len) + len
}

fn put_header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    match len {
        0..=0x7f => out.push(len as u8),
        0x80..=0xff => out.extend_from_slice(&[0x81, len as u8]),
        0x100..=0xffff => out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]),
        // Key formats here never exceed 64 KiB; keep the encoder total anyway.
        _ => out.extend_from_slice(&[0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]),
    }
}

/// `SEQUENCE { id-ecPublicKey, <curve> }`
fn ec_algorithm_len(curve_oid: &[u8]) -> usize {
    tlv_len(ID_EC_PUBLIC_KEY.len() + curve_oid.len())
}

fn put_ec_algorithm(out: &mut Vec<u8>, curve_oid: &[u8]) {
    put_header(out, SEQUENCE, ID_EC_PUBLIC_KEY.len() + curve_oid.len());
    out.extend_from_slice(ID_EC_PUBLIC_KEY);
    out.extend_from_slice(curve_oid);
}

/// SubjectPublicKeyInfo for an EC key: `point` is the uncompressed SEC1 point (`04 || X || Y`).
pub fn ec_spki(curve_oid: &[u8], point: &[u8]) -> Vec<u8> {
    let bits_len = 1 + point.len();
    let body = ec_algorithm_len(curve_oid) + tlv_len(bits_len);
    let mut out = Vec::with_capacity(tlv_len(body));
    put_header(&mut out, SEQUENCE, body);
    put_ec_algorithm(&mut out, curve_oid);
    put_header(&mut out, BIT_STRING, bits_len);
    out.push(0); // no unused bits
    out.extend_from_slice(point);
    out
}

/// PKCS#8 v0 PrivateKeyInfo for an EC key, OpenSSL's form: the inner RFC 5915 ECPrivateKey
/// carries the public key and leaves the parameters to the outer AlgorithmIdentifier.
/// `scalar` is the big-endian private scalar padded to the field size.
pub fn ec_pkcs8(curve_oid: &[u8], scalar: &[u8], point: &[u8]) -> Zeroizing<Vec<u8>> {
    let bits_len = 1 + point.len();
    let public_field = tlv_len(bits_len);
    let ec_private_key = 3 + tlv_len(scalar.len()) + tlv_len(public_field);
    let body = 3 + ec_algorithm_len(curve_oid) + tlv_len(tlv_len(ec_private_key));
    let mut out = Zeroizing::new(Vec::with_capacity(tlv_len(body)));
    put_header(&mut out, SEQUENCE, body);
    out.extend_from_slice(&[INTEGER, 1, 0]); // PKCS#8 version 0
    put_ec_algorithm(&mut out, curve_oid);
    put_header(&mut out, OCTET_STRING, tlv_len(ec_private_key));
    put_header(&mut out, SEQUENCE, ec_private_key);
    out.extend_from_slice(&[INTEGER, 1, 1]); // ecPrivkeyVer1
    put_header(&mut out, OCTET_STRING, scalar.len());
    out.extend_from_slice(scalar);
    put_header(&mut out, CONTEXT_1, public_field);
    put_header(&mut out, BIT_STRING, bits_len);
    out.push(0);
    out.extend_from_slice(point);
    debug_assert_eq!(out.len(), tlv_len(body));
    out
}

/// RFC 8410 Ed25519 PKCS#8 v1: the 32-byte seed as `CurvePrivateKey`, 48 bytes in all.
pub fn ed25519_pkcs8(seed: &[u8; 32]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(48));
    out.extend_from_slice(&[SEQUENCE, 46, INTEGER, 1, 0, SEQUENCE, 5]);
    out.extend_from_slice(ID_ED25519);
    out.extend_from_slice(&[OCTET_STRING, 34, OCTET_STRING, 32]);
    out.extend_from_slice(seed);
    out
}

/// RFC 8410 Ed25519 SubjectPublicKeyInfo, 44 bytes.
pub fn ed25519_spki(public_key: &[u8; 32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(44);
    out.extend_from_slice(&[SEQUENCE, 42, SEQUENCE, 5]);
    out.extend_from_slice(ID_ED25519);
    out.extend_from_slice(&[BIT_STRING, 33, 0]);
    out.extend_from_slice(public_key);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p256_pkcs8_has_openssl_layout_and_size() {
        let scalar = [0x11u8; 32];
        let mut point = vec![0x04u8];
        point.extend_from_slice(&[0x22; 64]);
        let der = ec_pkcs8(OID_P256, &scalar, &point);
        assert_eq!(der.len(), 138);
        let mut expected = vec![
            0x30, 0x81, 0x87, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce,
            0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04,
            0x6d, 0x30, 0x6b, 0x02, 0x01, 0x01, 0x04, 0x20,
        ];
        expected.extend_from_slice(&scalar);
        expected.extend_from_slice(&[0xa1, 0x44, 0x03, 0x42, 0x00]);
        expected.extend_from_slice(&point);
        assert_eq!(&der[..], &expected[..]);
    }

    #[test]
    fn ec_sizes_match_what_kms_returns() {
        for (oid, field, private_len, public_len) in [
            (OID_P256, 32, 138, 91),
            (OID_P384, 48, 185, 120),
            (OID_P521, 66, 241, 158),
            (OID_SECP256K1, 32, 135, 88),
            (OID_SM2, 32, 138, 91),
        ] {
            let point = vec![0x04u8; 1 + 2 * field];
            assert_eq!(ec_pkcs8(oid, &vec![1; field], &point).len(), private_len);
            assert_eq!(ec_spki(oid, &point).len(), public_len);
        }
    }

    #[test]
    fn p521_uses_long_form_lengths() {
        let point = vec![0x04u8; 133];
        let der = ec_pkcs8(OID_P521, &[7; 66], &point);
        assert_eq!(&der[..3], &[0x30, 0x81, 0xee]);
        let spki = ec_spki(OID_P521, &point);
        assert_eq!(&spki[..3], &[0x30, 0x81, 0x9b]);
    }

    #[test]
    fn ed25519_forms_are_rfc8410() {
        let der = ed25519_pkcs8(&[5; 32]);
        assert_eq!(der.len(), 48);
        assert_eq!(
            &der[..16],
            &[
                0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
                0x04, 0x20
            ]
        );
        let spki = ed25519_spki(&[6; 32]);
        assert_eq!(spki.len(), 44);
        assert_eq!(
            &spki[..12],
            &[0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]
        );
    }

    #[test]
    fn lengths_cross_the_short_form_boundary_correctly() {
        let mut out = Vec::new();
        put_header(&mut out, OCTET_STRING, 0x7f);
        put_header(&mut out, OCTET_STRING, 0x80);
        put_header(&mut out, OCTET_STRING, 0x100);
        assert_eq!(out, [0x04, 0x7f, 0x04, 0x81, 0x80, 0x04, 0x82, 0x01, 0x00]);
    }
}
