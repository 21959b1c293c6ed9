//! OAuth 1.0 HMAC-SHA1 signing against published vectors, and the header LivePerson expects.

use http::{Method, Uri};
use lpchat_proto::auth::oauth::{
    authorization_header, hmac_sha1_signature, parse_authorization, signature_base_string, verify,
};
use lpchat_proto::auth::{ApiKey, OAuthError};

/// RFC 5849 §1.2 (and OAuth Core 1.0 Appendix A): photos.example.net.
const PHOTOS_CONSUMER_SECRET: &str = "kd94hf93k423kf44";
const PHOTOS_TOKEN_SECRET: &str = "pfkkdhi9sl3r4s00";

#[test]
fn rfc5849_section_1_2_photos_request() {
    let uri: Uri = "http://photos.example.net/photos?file=vacation.jpg&size=original"
        .parse()
        .unwrap();
    let base = signature_base_string(
        &Method::GET,
        &uri,
        &[
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131202"),
            ("oauth_nonce", "chapoH"),
        ],
    )
    .unwrap();
    assert_eq!(
        base,
        "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26\
         oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26\
         oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26\
         oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal"
    );
    // The RFC's header carries oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D".
    assert_eq!(
        hmac_sha1_signature(&base, PHOTOS_CONSUMER_SECRET, PHOTOS_TOKEN_SECRET),
        "MdpQcU8iPSUjWoN/UDMsK2sui9I="
    );
}

#[test]
fn oauth_core_1_0_appendix_a_with_version() {
    // The same request as signed in OAuth Core 1.0 Appendix A.5, which sends oauth_version:
    // the exact header our signer writes, so this is the full path through authorization_header.
    let key = ApiKey::new(
        "dpf43f3p2l4k3l03",
        PHOTOS_CONSUMER_SECRET,
        "nnch734d00sl2jdk",
        PHOTOS_TOKEN_SECRET,
    );
    let uri: Uri = "http://photos.example.net/photos?file=vacation.jpg&size=original"
        .parse()
        .unwrap();
    let header =
        authorization_header(&Method::GET, &uri, &key, 1_191_242_096, "kllo9940pd9333jh").unwrap();
    assert_eq!(
        header.expose(),
        "OAuth oauth_signature=\"tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D\", oauth_version=\"1.0\", \
         oauth_nonce=\"kllo9940pd9333jh\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", \
         oauth_signature_method=\"HMAC-SHA1\", oauth_token=\"nnch734d00sl2jdk\", \
         oauth_timestamp=\"1191242096\""
    );
    verify(
        &Method::GET,
        &uri,
        header.expose(),
        PHOTOS_CONSUMER_SECRET,
        PHOTOS_TOKEN_SECRET,
    )
    .unwrap();
}

#[test]
fn twitter_documentation_example() {
    // "Creating a signature" of the classic Twitter API docs; the form body parameters are
    // passed as extra parameters (lpchat itself never signs bodies: it sends JSON or XML).
    let uri: Uri = "https://api.twitter.com/1.1/statuses/update.json?include_entities=true"
        .parse()
        .unwrap();
    let base = signature_base_string(
        &Method::POST,
        &uri,
        &[
            (
                "status",
                "Hello Ladies + Gentlemen, a signed OAuth request!",
            ),
            ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
            ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1318622958"),
            (
                "oauth_token",
                "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
            ),
            ("oauth_version", "1.0"),
        ],
    )
    .unwrap();
    assert_eq!(
        base,
        "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&\
         include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26\
         oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26\
         oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26\
         oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26\
         oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C\
         %2520a%2520signed%2520OAuth%2520request%2521"
    );
    assert_eq!(
        hmac_sha1_signature(
            &base,
            "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
            "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
        ),
        "hCtSmYh+iHYCEqBWrE7C7hYmtUk="
    );
}

fn lp_key() -> ApiKey {
    ApiKey::new("app key/1", "cons+secret", "tok&en", "tok=secret")
}

#[test]
fn verify_detects_tampering() {
    let key = lp_key();
    let uri: Uri =
        "https://va.agentvep.liveperson.net/api/account/123/agentSession.json?v=1&NC=true"
            .parse()
            .unwrap();
    let header = authorization_header(&Method::POST, &uri, &key, 1_700_000_000, "n0nce").unwrap();
    let ok = |m: &Method, u: &Uri, h: &str| verify(m, u, h, "cons+secret", "tok=secret");
    ok(&Method::POST, &uri, header.expose()).unwrap();
    // Encoded values survive the header: the parsed parameters are the raw ones.
    let params = parse_authorization(header.expose()).unwrap();
    assert!(params.contains(&("oauth_consumer_key".into(), "app key/1".into())));
    assert!(params.contains(&("oauth_token".into(), "tok&en".into())));
    // Another method, path, query, host, secret or timestamp fails.
    assert_eq!(
        ok(&Method::GET, &uri, header.expose()),
        Err(OAuthError::SignatureMismatch)
    );
    for other in [
        "https://va.agentvep.liveperson.net/api/account/123/agentSession?v=1&NC=true",
        "https://va.agentvep.liveperson.net/api/account/123/agentSession.json?v=1",
        "https://lo.agentvep.liveperson.net/api/account/123/agentSession.json?v=1&NC=true",
    ] {
        assert_eq!(
            ok(&Method::POST, &other.parse().unwrap(), header.expose()),
            Err(OAuthError::SignatureMismatch),
            "{other}"
        );
    }
    // Host case, default port and query order do not matter.
    let same =
        "https://VA.agentvep.liveperson.net:443/api/account/123/agentSession.json?NC=true&v=1";
    ok(&Method::POST, &same.parse().unwrap(), header.expose()).unwrap();
    assert_eq!(
        verify(&Method::POST, &uri, header.expose(), "wrong", "tok=secret"),
        Err(OAuthError::SignatureMismatch)
    );
    let tampered = header.expose().replace("1700000000", "1700000001");
    assert_eq!(
        ok(&Method::POST, &uri, &tampered),
        Err(OAuthError::SignatureMismatch)
    );
    let no_sig = header
        .expose()
        .split(", ")
        .filter(|p| !p.contains("oauth_signature="))
        .collect::<Vec<_>>()
        .join(", ");
    let no_sig = if no_sig.starts_with("OAuth ") {
        no_sig
    } else {
        format!("OAuth {no_sig}")
    };
    assert_eq!(
        ok(&Method::POST, &uri, &no_sig),
        Err(OAuthError::MissingParameter("oauth_signature"))
    );
    let plaintext = header.expose().replace("HMAC-SHA1", "PLAINTEXT");
    assert_eq!(
        ok(&Method::POST, &uri, &plaintext),
        Err(OAuthError::UnsupportedMethod)
    );
}

#[test]
fn signed_header_never_prints() {
    let header = authorization_header(
        &Method::GET,
        &"https://h.example/a".parse().unwrap(),
        &lp_key(),
        1,
        "n",
    )
    .unwrap();
    assert_eq!(format!("{header:?}"), "Secret(***)");
}
