//! The hint line speaks the student's language: under a Korean locale
//! (`LANG=ko_KR.UTF-8`) it starts `힌트:` and is Korean, otherwise it is the
//! English `hint:`. The `error:` line keeps the OS's words, the logs stay
//! English, and the exit codes do not change. Real binaries, real errors:
//! connection refused, a port in use, a host that does not exist.

use std::path::PathBuf;

use testkit::locale::{ENGLISH, KOREAN, assert_english, assert_korean, command, fail, is_hangul};
use testkit::{Proc, TIMEOUT, bin, free_tcp_port};

fn server() -> PathBuf {
    bin!("server")
}

fn client() -> PathBuf {
    bin!("client")
}

/// Connection refused: the Korean hint names the same command to start the
/// server as the English one, and the error line is the same in both.
#[test]
fn refused_in_korean_and_english() {
    let port = free_tcp_port().to_string();
    let args = ["--port", port.as_str(), "hi"];
    let ko = fail(&client(), &args, KOREAN);
    let en = fail(&client(), &args, ENGLISH);
    assert_eq!((ko.code, en.code), (1, 1));
    assert_eq!(ko.error, en.error);
    assert!(ko.error.contains("Connection refused"), "{}", ko.error);
    assert_korean(&ko.hint);
    assert!(
        ko.hint.starts_with("힌트: 서버가 실행 중인가요?"),
        "{}",
        ko.hint
    );
    assert_english(&en.hint);
    assert!(
        en.hint.starts_with("hint: is the server running?"),
        "{}",
        en.hint
    );
    let start = format!("cargo run -p echo-loop --bin server -- --port {port}");
    assert!(ko.hint.ends_with(&start), "{}", ko.hint);
    assert!(en.hint.ends_with(&start), "{}", en.hint);
}

/// A second server on a port in use: exit 1 in both languages, the OS's
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

/// `LC_ALL` wins over `LANG`, and `LC_MESSAGES` over `LANG`; a variable
/// that is set but empty does not count.
#[test]
fn lc_all_and_lc_messages_override_lang() {
    let port = free_tcp_port().to_string();
    let args = ["--port", port.as_str(), "hi"];
    let cases: [(&[(&str, &str)], bool); 5] = [
        (&[("LANG", "C.UTF-8"), ("LC_ALL", "ko_KR.UTF-8")], true),
        (&[("LANG", "ko_KR.UTF-8"), ("LC_ALL", "C.UTF-8")], false),
        (
            &[("LANG", "en_US.UTF-8"), ("LC_MESSAGES", "ko_KR.UTF-8")],
            true,
        ),
        (
            &[("LC_MESSAGES", "ko_KR.UTF-8"), ("LC_ALL", "en_US.UTF-8")],
            false,
        ),
        (&[("LANG", "ko_KR.UTF-8"), ("LC_ALL", "")], true),
    ];
    for (env, korean) in cases {
        let out = fail(&client(), &args, env);
        assert_eq!(out.code, 1, "{env:?}");
        if korean {
            assert_korean(&out.hint);
        } else {
            assert_english(&out.hint);
        }
    }
}

/// A usage error still exits with 2 under a Korean locale.
#[test]
fn usage_error_exit_code_is_unchanged() {
    let mut proc = Proc::spawn(command(&client(), &["--port", "notaport"], KOREAN));
    proc.wait_for_line("error: ");
    let (status, stdout) = proc.finish(TIMEOUT);
    assert_eq!(status.code(), Some(2));
    assert!(stdout.is_empty());
}

/// The logs stay English under a Korean locale (the book shows them), and
/// Ctrl-C still ends the server with exit code 0.
#[test]
fn logs_stay_english() {
    let args = ["--port", "0"];
    let mut proc = Proc::spawn(command(&server(), &args, KOREAN));
    proc.wait_for_line("listening on 127.0.0.1:");
    proc.interrupt();
    let status = proc.wait_exit(TIMEOUT);
    assert_eq!(status.code(), Some(0), "{}", proc.stderr());
    assert!(!proc.stderr().chars().any(is_hangul), "{}", proc.stderr());
}
