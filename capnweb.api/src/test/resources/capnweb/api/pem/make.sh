#!/usr/bin/env bash
# Makes the PEM test keys and certificates that PemTest reads, in the encodings OpenSSL and
# cert-manager write. Kept in the repository so that the tests need no openssl; run this from
# its directory to make new ones (OpenSSL 3).
set -euo pipefail
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
days=36500
san="subjectAltName=IP:127.0.0.1"

# An authority, and an RSA key (PKCS #1) with a certificate it issued: the chain, leaf first.
openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ca.key"
openssl req -x509 -new -key "$tmp/ca.key" -subj "/CN=Test Authority" -days $days -out ca.crt
openssl genrsa -traditional -out rsa-pkcs1.key 2048
openssl req -new -key rsa-pkcs1.key -subj "/CN=127.0.0.1/O=RSA" -out "$tmp/rsa.csr"
openssl x509 -req -in "$tmp/rsa.csr" -CA ca.crt -CAkey "$tmp/ca.key" -CAcreateserial -days $days \
    -extfile <(echo "$san") -out "$tmp/rsa-leaf.crt"
cat "$tmp/rsa-leaf.crt" ca.crt >rsa-chain.crt
# The same RSA key as PKCS #8, plain and encrypted, and in OpenSSL's legacy encrypted form.
openssl pkcs8 -topk8 -nocrypt -in rsa-pkcs1.key -out rsa-pkcs8.key
openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:secret -in rsa-pkcs1.key -out rsa-pkcs8-encrypted.key
openssl rsa -traditional -aes256 -passout pass:secret -in rsa-pkcs1.key -out rsa-pkcs1-encrypted.key

# An EC key as SEC 1, preceded by its parameters as `openssl ecparam -genkey` writes it, and a
# self-signed certificate printed with its subject line before it.
openssl ecparam -name prime256v1 -genkey -out ec-sec1.key
openssl req -x509 -new -key ec-sec1.key -subj "/CN=127.0.0.1/O=EC" -days $days -addext "$san" \
    -out "$tmp/ec.crt"
openssl x509 -in "$tmp/ec.crt" -subject -out ec.crt
# Another EC key, which belongs to no certificate here.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec-other.key

# An Ed25519 key (PKCS #8) and a self-signed certificate.
openssl genpkey -algorithm ed25519 -out ed25519.key
openssl req -x509 -new -key ed25519.key -subj "/CN=127.0.0.1/O=Ed25519" -days $days -out ed25519.crt
rm -f ca.srl

# The EC key with its curve given by explicit parameters, which Java does not take.
openssl ec -in ec-sec1.key -param_enc explicit -out ec-explicit.key
