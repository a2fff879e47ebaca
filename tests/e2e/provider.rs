//! An identity provider for `--auth oauth2` projects: the served project is pointed
//! at it (`OAUTH2_*`), and the harness calls the project with access tokens it
//! signs. Its ES256 (P-256) key is made once per run; only the public half is
//! served, on a free port, as a provider's JWKS is. Its tokens say the caller
//! signed in with a second factor just now (`amr`, `auth_time`), as admin routes
//! ask of a token.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header, jwk::Jwk};
use p256::pkcs8::EncodePrivateKey;
use serde_json::json;

/// The issuer the tokens name. Never fetched: the key set's URL is given
/// (`OAUTH2_JWKS_URL`), so no discovery document is needed.
pub const ISSUER: &str = "http://localhost/e2e";

/// The audience the tokens name.
pub const AUDIENCE: &str = "e2e-api";

/// The `kid` of the run's key.
const KID: &str = "e2e-1";

/// Every scope of the matrix's resources (`products`, `order_items`, `comments`).
const SCOPES: &str = "products:read products:write order_items:read order_items:write \
                      comments:read comments:write";

/// The run's signing key and its public half.
struct Key {
    encoding: EncodingKey,
    jwk: Jwk,
}

fn key() -> &'static Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| {
        let secret = loop {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).expect("random bytes");
            // All but a negligible share of 32-byte strings are valid P-256 scalars.
            if let Ok(secret) = p256::SecretKey::from_slice(&bytes) {
                break secret;
            }
        };
        let der = secret.to_pkcs8_der().expect("a PKCS#8 key");
        let encoding = EncodingKey::from_ec_der(der.as_bytes());
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::ES256).expect("a JWK");
        jwk.common.key_id = Some(KID.to_owned());
        Key { encoding, jwk }
    })
}

/// A token of `subject` with `roles`, every scope of the matrix, valid for an
/// hour, signed in with a password and a second factor just now.
fn token(subject: &str, roles: &[&str]) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs();
    let claims = json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": subject,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "auth_time": now,
        "amr": ["pwd", "mfa"],
        "scope": SCOPES,
        "roles": roles,
    });
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(KID.to_owned());
    jsonwebtoken::encode(&header, &claims, &key().encoding).expect("a signed token")
}

/// `sub` `e2e-admin`, roles `["admin"]`.
pub fn admin_token() -> String {
    token("e2e-admin", &["admin"])
}

/// `sub` `e2e-user`, no role.
pub fn user_token() -> String {
    token("e2e-user", &[])
}

/// Serves the run's key set to every request on a free port of 127.0.0.1, for
/// as long as the test process lives; returns the key set's URL.
pub fn serve_jwks() -> Result<String, String> {
    let jwks = json!({ "keys": [key().jwk] }).to_string();
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot serve the JWKS: {e}"))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot serve the JWKS: {e}"))?;
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            // The request is not read beyond its first bytes: every path is the key set.
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request);
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{jwks}",
                jwks.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    Ok(format!("http://{address}/jwks"))
}

/// The settings that point a served project at this provider.
pub fn envs(jwks_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("OAUTH2_ISSUER_URL", ISSUER.to_owned()),
        ("OAUTH2_AUDIENCE", AUDIENCE.to_owned()),
        ("OAUTH2_JWKS_URL", jwks_url.to_owned()),
    ]
}
