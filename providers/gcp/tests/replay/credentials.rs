//! Application Default Credentials, each source for real against the replay: a service account key (self-signed
//! tokens, no fetch), an authorized user (one refresh per token lifetime) and the metadata server; with none, one
//! error naming every source.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use escher_gcp::{CredentialSource, Environment, GcpContext, GcpProvider};
use escher_gcp_replay::{Estate, Replay};

use crate::support::{DEV, PROD, authorized_user, config, field, service_account};

/// The JSON claims of a JWT bearer token.
fn claims(authorization: &str) -> serde_json::Value {
    let token = authorization.strip_prefix("Bearer ").expect("a bearer token");
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a signed JWT");
    let payload = URL_SAFE_NO_PAD.decode(parts[1]).expect("base64url claims");
    serde_json::from_slice(&payload).expect("JSON claims")
}

#[tokio::test]
async fn a_service_account_key_signs_its_own_tokens() {
    let replay = Replay::start(Estate::two_projects()).await;
    let env = service_account();
    let mut config = config(&replay, &[]);
    config.projects.clear();
    let ctx = GcpContext::connect(config, &env).await.expect("signed in");
    assert_eq!(ctx.credential_source(), CredentialSource::ApplicationCredentials);
    assert_eq!(ctx.projects(), [DEV], "the key's project, when gcp.json lists none");
    let gcp =
        crate::support::Gcp { provider: GcpProvider::new(ctx), replay, _dir: tempfile::tempdir().expect("tempdir") };
    let found = gcp.query("gcp.compute.instances", &[]).await.expect("listed");
    assert!(found.iter().all(|r| field(r, "project") == DEV));
    let authorization = gcp.replay.log()[0].authorization.clone().expect("authorized");
    let claims = claims(&authorization);
    assert_eq!(claims["iss"], "escher-tests@acme-dev.iam.gserviceaccount.com");
    assert_eq!(claims["scope"], "https://www.googleapis.com/auth/cloud-platform");
    assert_eq!(gcp.replay.token_fetches(), 0, "self-signed: no token endpoint");
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn an_authorized_user_fetches_one_token_for_every_call() {
    let replay = Replay::start(Estate::two_projects()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let env = authorized_user(&replay, dir.path());
    let ctx = GcpContext::connect(config(&replay, &[DEV, PROD]), &env).await.expect("signed in");
    let gcp = crate::support::Gcp { provider: GcpProvider::new(ctx), replay, _dir: dir };
    for _ in 0..3 {
        gcp.query("gcp.compute.instances", &[]).await.expect("listed");
        gcp.query("gcp.sql.instances", &[]).await.expect("listed");
    }
    assert_eq!(gcp.replay.token_fetches(), 1);
    let authorization = gcp.replay.log().last().and_then(|l| l.authorization.clone()).expect("authorized");
    assert!(authorization.starts_with("Bearer ya29.replay-"), "{authorization}");
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn the_metadata_server_signs_in_on_googles_cloud() {
    let replay = Replay::start(Estate::two_projects()).await;
    let home = tempfile::tempdir().expect("tempdir");
    let env = Environment::from_pairs([
        ("HOME", home.path().to_str().expect("utf-8").to_string()),
        ("GCE_METADATA_HOST", replay.endpoints().metadata_host),
    ]);
    let mut config = config(&replay, &[]);
    config.projects.clear();
    let ctx = GcpContext::connect(config, &env).await.expect("signed in");
    assert_eq!(ctx.credential_source(), CredentialSource::MetadataServer);
    assert_eq!(ctx.projects(), [DEV], "the metadata server's project");
    let gcp = crate::support::Gcp { provider: GcpProvider::new(ctx), replay, _dir: home };
    gcp.query("gcp.sql.instances", &[]).await.expect("listed");
    assert_eq!(gcp.replay.token_fetches(), 1);
    gcp.replay.assert_clean();
}

#[tokio::test]
async fn with_no_source_the_error_names_each_one() {
    let replay = Replay::start(Estate::two_projects()).await;
    let home = tempfile::tempdir().expect("tempdir");
    let env =
        Environment::from_pairs([("HOME", home.path().to_str().expect("utf-8")), ("GCE_METADATA_HOST", "127.0.0.1:9")]);
    let Err(error) = GcpContext::connect(config(&replay, &[DEV, PROD]), &env).await else { panic!("no credentials") };
    for source in [
        "GOOGLE_APPLICATION_CREDENTIALS: not set",
        "application_default_credentials.json): no such file",
        "metadata server (127.0.0.1:9): no answer",
    ] {
        assert!(error.contains(source), "{error}");
    }
}
