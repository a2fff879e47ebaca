//! An identity provider for `--auth oauth2` projects: the served project is pointed
//! at it (`OAUTH2_*`), and the harness calls the project with access tokens it
//! signed. The key and tokens were made once, offline (ES256, P-256), and expire in
//! 2100; only the key set is served, on a free port, as a provider's JWKS is.

use std::io::{Read, Write};
use std::net::TcpListener;

/// The issuer the tokens name. Never fetched: the key set's URL is given
/// (`OAUTH2_JWKS_URL`), so no discovery document is needed.
pub const ISSUER: &str = "http://localhost/e2e";

/// The audience the tokens name.
pub const AUDIENCE: &str = "e2e-api";

/// The provider's public key, as its JWKS publishes it.
const JWKS: &str = r#"{"keys":[{"kty":"EC","crv":"P-256","x":"8sYeRoZPipu7MP6BvCHg6FMC0-H2-cDsujQLbTjC8dQ","y":"Er3EsvIZxZtk0r66V2ZB30PY3xFJ2BuS68_a95uFaUc","kid":"e2e-1","alg":"ES256","use":"sig"}]}"#;

/// `sub` `e2e-admin`, roles `["admin"]`, every scope of the matrix's resources
/// (`products`, `order_items`, `comments`: `:read` and `:write`).
pub const ADMIN_TOKEN: &str = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImUyZS0xIn0.eyJpc3MiOiJodHRwOi8vbG9jYWxob3N0L2UyZSIsImF1ZCI6ImUyZS1hcGkiLCJzdWIiOiJlMmUtYWRtaW4iLCJpYXQiOjE3NjUwMDAwMDAsIm5iZiI6MTc2NTAwMDAwMCwiZXhwIjo0MTAyNDQ0ODAwLCJzY29wZSI6InByb2R1Y3RzOnJlYWQgcHJvZHVjdHM6d3JpdGUgb3JkZXJfaXRlbXM6cmVhZCBvcmRlcl9pdGVtczp3cml0ZSBjb21tZW50czpyZWFkIGNvbW1lbnRzOndyaXRlIiwicm9sZXMiOlsiYWRtaW4iXX0.gesWNBemM_Hj2FaEio8W_Y752rVaugr57EzdXggmlTbGVxifwXqmXFla90yY_XVBWwZaVWttQ4AXooTkbG--0g";

/// `sub` `e2e-user`, no role, the same scopes.
pub const USER_TOKEN: &str = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImUyZS0xIn0.eyJpc3MiOiJodHRwOi8vbG9jYWxob3N0L2UyZSIsImF1ZCI6ImUyZS1hcGkiLCJzdWIiOiJlMmUtdXNlciIsImlhdCI6MTc2NTAwMDAwMCwibmJmIjoxNzY1MDAwMDAwLCJleHAiOjQxMDI0NDQ4MDAsInNjb3BlIjoicHJvZHVjdHM6cmVhZCBwcm9kdWN0czp3cml0ZSBvcmRlcl9pdGVtczpyZWFkIG9yZGVyX2l0ZW1zOndyaXRlIGNvbW1lbnRzOnJlYWQgY29tbWVudHM6d3JpdGUiLCJyb2xlcyI6W119.iBtebR_YAEJBcLEAkanNjCrgRxj_XBjsh6b7_yprFu0uAmqJczZik_l7efo0Y-5HUMLHy3KA6BMvvmQXJYkLkw";

/// Serves [`JWKS`] to every request on a free port of 127.0.0.1, for as long as the
/// test process lives; returns the key set's URL.
pub fn serve_jwks() -> Result<String, String> {
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
                 connection: close\r\n\r\n{JWKS}",
                JWKS.len()
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
