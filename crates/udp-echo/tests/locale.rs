//! The hint line speaks the student's language, for UDP too: under a Korean
//! locale (`LANG=ko_KR.UTF-8`) it starts `힌트:`, otherwise `hint:`. The
//! `error:` line keeps the OS's words and the exit codes do not change.
//! Real binaries, real errors: a port in use, a host that does not exist,
//! and the lesson's own hints: a server that is not running (the kernel
//! refuses the datagram), a server that never answers, a message too long
//! for one datagram.

use std::path::PathBuf;

use testkit::bin;
use testkit::locale::{ENGLISH, KOREAN, assert_english, assert_korean, fail};

fn server() -> PathBuf {
    bin!("server")
}

fn client() -> PathBuf {
    bin!("client")
}

/// A UDP port on 127.0.0.1 that nothing is bound to.
fn free_udp_port() -> String {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|socket| socket.local_addr())
        .expect("a free UDP port")
        .port()
        .to_string()
}

/// A second server on a UDP port in use: exit 1 in both languages, the OS's
/// "Address already in use" in both, the advice in each language.
#[test]
fn port_in_use_in_korean_and_english() {
    testkit::locale::port_in_use_in_both(&server());
}

/// A host name that does not exist: the spelling hint, in each language.
#[test]
fn unknown_host_in_korean_and_english() {
    testkit::locale::unknown_host_in_both(&client(), &["hi"]);
}

/// No server: the datagram is refused. The error line is the same in both
/// languages, the hint is the lesson's own row of the table (in Korean
/// under a Korean locale) and names the command that starts the server.
#[test]
fn refused_in_korean_and_english() {
    let port = free_udp_port();
    let args = ["--port", port.as_str(), "hi"];
    let ko = fail(&client(), &args, KOREAN);
    let en = fail(&client(), &args, ENGLISH);
    assert_eq!((ko.code, en.code), (1, 1));
    assert_eq!(ko.error, en.error);
    assert!(ko.error.contains("Connection refused"), "{}", ko.error);
    assert_korean(&ko.hint);
    assert!(
        ko.hint
            .starts_with("힌트: 서버가 실행 중인가요? 그 UDP 포트에서"),
        "{}",
        ko.hint
    );
    assert_english(&en.hint);
    assert!(
        en.hint
            .starts_with("hint: is the server running? Nothing listens on that UDP port"),
        "{}",
        en.hint
    );
    let start = format!("cargo run -p udp-echo --bin server -- --port {port}");
    assert!(ko.hint.ends_with(&start), "{}", ko.hint);
    assert!(en.hint.ends_with(&start), "{}", en.hint);
}

/// Silence: a socket holds the port but never answers. The lesson's
/// silence hint is Korean under a Korean locale and English otherwise, with
/// the same flags to try; the error line and the exit code are the same.
#[test]
fn silence_in_korean_and_english() {
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port().to_string();
    let args = [
        "--port",
        port.as_str(),
        "--timeout",
        "100ms",
        "--retries",
        "0",
        "hi",
    ];
    let ko = fail(&client(), &args, KOREAN);
    let en = fail(&client(), &args, ENGLISH);
    assert_eq!((ko.code, en.code), (1, 1));
    assert_eq!(ko.error, en.error);
    assert!(ko.error.ends_with("nothing came back"), "{}", ko.error);
    assert_korean(&ko.hint);
    assert!(ko.hint.contains("UDP에는 연결이 없어서"), "{}", ko.hint);
    assert_english(&en.hint);
    assert!(en.hint.contains("UDP has no connection"), "{}", en.hint);
    for hint in [&ko.hint, &en.hint] {
        assert!(hint.contains("--timeout 3s --retries 5"), "{hint}");
    }
}

/// A message longer than one datagram: the size hint in each language,
/// with the same limit in both.
#[test]
fn too_long_in_korean_and_english() {
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port().to_string();
    let long = "x".repeat(70_000);
    let args = ["--port", port.as_str(), long.as_str()];
    let ko = fail(&client(), &args, KOREAN);
    let en = fail(&client(), &args, ENGLISH);
    assert_eq!((ko.code, en.code), (1, 1));
    assert_eq!(ko.error, en.error);
    assert_korean(&ko.hint);
    assert!(ko.hint.contains("최대 65507바이트"), "{}", ko.hint);
    assert_english(&en.hint);
    assert!(en.hint.contains("at most 65507 bytes"), "{}", en.hint);
}

/// `LC_ALL` wins over `LANG` for the UDP binaries too, and for the
/// lesson's own hints as well as the shared ones.
#[test]
fn lc_all_overrides_lang() {
    let port = free_udp_port();
    let refused = ["--port", port.as_str(), "--retries", "0", "hi"];
    let ko = fail(
        &client(),
        &refused,
        &[("LANG", "C.UTF-8"), ("LC_ALL", "ko_KR.UTF-8")],
    );
    assert_korean(&ko.hint);
    let en = fail(
        &client(),
        &refused,
        &[("LANG", "ko_KR.UTF-8"), ("LC_ALL", "C.UTF-8")],
    );
    assert_english(&en.hint);
    assert_eq!((ko.code, en.code), (1, 1));
    let args = ["--host", "no-such-host.invalid", "hi"];
    let ko = fail(
        &client(),
        &args,
        &[("LANG", "C.UTF-8"), ("LC_ALL", "ko_KR.UTF-8")],
    );
    assert_korean(&ko.hint);
    let en = fail(
        &client(),
        &args,
        &[("LANG", "ko_KR.UTF-8"), ("LC_ALL", "C.UTF-8")],
    );
    assert_english(&en.hint);
    assert_eq!((ko.code, en.code), (1, 1));
}
