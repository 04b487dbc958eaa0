//! A service principal signing in with a certificate (the `certificate` feature): azure_identity's
//! `ClientCertificateCredential` signs a client assertion with the PKCS#12 file's key, and the token request
//! carries it. `scripts/test.sh` runs this with `--features certificate`.

use escher_arm_replay::{Exchange, Replay};
use escher_azure::{AzureContext, AzureProvider, HostCredential, Secret};
use escher_runtime::provider::Provider;
use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkcs12::Pkcs12;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::sign::Verifier;
use openssl::x509::{X509, X509NameBuilder};
use serde_json::json;

use crate::support::{TENANT, call, config};

/// A self-signed certificate for a new RSA key, and both in a PKCS#12 file under `password`.
fn certificate(password: &str) -> (X509, Vec<u8>) {
    let key = PKey::from_rsa(Rsa::generate(2048).expect("an RSA key")).expect("a key");
    let mut name = X509NameBuilder::new().expect("a name");
    name.append_entry_by_text("CN", "escher-tests").expect("CN");
    let name = name.build();
    let mut builder = X509::builder().expect("a builder");
    builder.set_version(2).expect("v3");
    builder.set_serial_number(&BigNum::from_u32(1).and_then(|n| n.to_asn1_integer()).expect("serial")).expect("serial");
    builder.set_subject_name(&name).expect("subject");
    builder.set_issuer_name(&name).expect("issuer");
    builder.set_pubkey(&key).expect("key");
    builder.set_not_before(&Asn1Time::days_from_now(0).expect("now")).expect("not before");
    builder.set_not_after(&Asn1Time::days_from_now(1).expect("tomorrow")).expect("not after");
    builder.sign(&key, MessageDigest::sha256()).expect("signed");
    let certificate = builder.build();
    let pkcs12 = Pkcs12::builder()
        .name("escher-tests")
        .pkey(&key)
        .cert(&certificate)
        .build2(password)
        .and_then(|p| p.to_der())
        .expect("PKCS#12");
    (certificate, pkcs12)
}

/// Base64url without padding, as JWTs use it, decoded.
fn base64url(text: &str) -> Vec<u8> {
    let mut standard = text.replace('-', "+").replace('_', "/");
    while !standard.len().is_multiple_of(4) {
        standard.push('=');
    }
    openssl::base64::decode_block(&standard).expect("base64url")
}

#[tokio::test]
async fn a_certificate_signs_the_assertion_the_token_request_carries() {
    let replay = Replay::start().await;
    replay.serve(Exchange::token(TENANT));
    let path = "/subscriptions/sub-1/providers/Microsoft.Network/networkSecurityGroups";
    replay.serve(Exchange::new("GET", path, "2025-07-01").respond(200, Some(json!({"value": []}))));
    let dir = tempfile::tempdir().expect("tempdir");
    let (certificate, pkcs12) = certificate("p12-password");
    let credential = HostCredential::ClientCertificate {
        client_id: "escher-cert".into(),
        pkcs12,
        password: Some(Secret::new("p12-password")),
    };
    let ctx = AzureContext::with_credential(config(&replay, dir.path(), &["sub-1"]), credential).expect("context");
    AzureProvider::new(ctx).call(&call("azure.network.open_inbound_rules", &[], Vec::new())).await.expect("listed");

    let asked = replay.log().into_iter().find(|l| l.path.ends_with("/oauth2/v2.0/token")).expect("a token request");
    let form = asked.form();
    assert_eq!(form.get("client_id").map(String::as_str), Some("escher-cert"));
    assert_eq!(
        form.get("client_assertion_type").map(String::as_str),
        Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    );
    let assertion = form.get("client_assertion").expect("an assertion");
    let parts: Vec<&str> = assertion.split('.').collect();
    assert_eq!(parts.len(), 3, "a signed JWT");
    let header: serde_json::Value = serde_json::from_slice(&base64url(parts[0])).expect("the header");
    assert_eq!(header["alg"], "RS256");
    let thumbprint = certificate.digest(MessageDigest::sha1()).expect("SHA-1");
    assert_eq!(base64url(header["x5t"].as_str().expect("x5t")), thumbprint.to_vec(), "the certificate's thumbprint");
    let public = certificate.public_key().expect("the public key");
    let mut verifier = Verifier::new(MessageDigest::sha256(), &public).expect("a verifier");
    verifier.update(format!("{}.{}", parts[0], parts[1]).as_bytes()).expect("the signed part");
    assert!(verifier.verify(&base64url(parts[2])).expect("verified"), "signed with the certificate's key");
    let bearer = format!("Bearer token-of-{TENANT}");
    assert!(replay.log().iter().filter(|l| l.path == path).all(|l| l.headers.get("authorization") == Some(&bearer)));
    replay.assert_clean();
}
