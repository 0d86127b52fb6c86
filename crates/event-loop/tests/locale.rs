//! The event-loop server's hints speak the student's language: under a
//! Korean locale (`LANG=ko_KR.UTF-8`) a hint starts `힌트:` and is Korean,
//! otherwise `hint:`. That holds for the hint the server writes into its log
//! when no file descriptor is left (its own line, printed with
//! `common::error::hint_line`) as much as for the `error:`/`hint:` pair of a
//! failed start. The rest of the log stays English.

use std::net::TcpStream;
use std::path::{Path, PathBuf};

use testkit::locale::{ENGLISH, KOREAN, command, is_hangul};
use testkit::{Proc, TIMEOUT, bin};

fn server() -> PathBuf {
    bin!("server")
}

/// The server with at most 40 file descriptors, under the locale `env`,
/// with 50 clients knocking: it runs out, and logs the error and its hint.
/// Returns the server and the log line of the hint.
#[cfg(unix)]
fn out_of_files(env: &[(&str, &str)]) -> (Proc, Vec<TcpStream>, String) {
    let line = format!("ulimit -n 40 && exec '{}' --port 0", server().display());
    let mut proc = Proc::spawn(command(Path::new("sh"), &["-c", &line], env));
    let listening = proc.wait_for_line("listening on ");
    let addr = testkit::listening_addr(&listening).expect("address");
    let conns: Vec<TcpStream> = (0..50)
        .map(|_| TcpStream::connect(addr).expect("connect: the kernel queues it"))
        .collect();
    proc.wait_for_line("Too many open files");
    // The hint is the log line right after the error.
    let hint = proc.wait_for_line("");
    (proc, conns, hint)
}

/// Out of file descriptors: the log line with the hint is Korean under a
/// Korean locale and English otherwise, with the same command to type; the
/// log line of the error itself stays English.
#[cfg(unix)]
#[test]
fn out_of_files_hint_in_korean_and_english() {
    let (mut ko_proc, ko_conns, ko) = out_of_files(KOREAN);
    assert!(ko.contains("힌트: 연결마다 파일 디스크립터"), "{ko}");
    assert!(ko.contains("`ulimit -n 65536`") && ko.contains("--max-clients"));
    let (mut en_proc, en_conns, en) = out_of_files(ENGLISH);
    assert!(
        en.contains("hint: every connection uses a file descriptor"),
        "{en}"
    );
    assert!(!en.chars().any(is_hangul), "{en}");
    assert!(en.contains("`ulimit -n 65536`") && en.contains("--max-clients"));
    for proc in [&mut ko_proc, &mut en_proc] {
        let error = proc
            .stderr()
            .lines()
            .find(|line| line.contains("Too many open files"))
            .map(str::to_string)
            .expect("the error line");
        assert!(error.contains("accept() failed"), "{error}");
        assert!(!error.chars().any(is_hangul), "{error}");
        proc.interrupt();
        assert_eq!(proc.wait_exit(TIMEOUT).code(), Some(0), "{}", proc.stderr());
    }
    drop((ko_conns, en_conns));
}

/// `LC_ALL` wins over `LANG` for the log's hint too.
#[cfg(unix)]
#[test]
fn lc_all_overrides_lang_in_the_log() {
    let (mut proc, conns, hint) = out_of_files(&[("LANG", "C.UTF-8"), ("LC_ALL", "ko_KR.UTF-8")]);
    assert!(hint.contains("힌트: "), "{hint}");
    proc.interrupt();
    proc.wait_exit(TIMEOUT);
    let (mut proc, conns2, hint) = out_of_files(&[("LANG", "ko_KR.UTF-8"), ("LC_ALL", "C.UTF-8")]);
    assert!(hint.contains("hint: "), "{hint}");
    proc.interrupt();
    proc.wait_exit(TIMEOUT);
    drop((conns, conns2));
}

/// A second server on a port in use: the `error:` line keeps the OS's
/// words in both languages, the hint follows the locale, exit code 1.
#[test]
fn port_in_use_in_korean_and_english() {
    testkit::locale::port_in_use_in_both(&server());
}
