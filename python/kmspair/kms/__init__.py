"""The local KMS: keys, aliases, grants and the cryptographic operations, with AWS's behaviour."""
