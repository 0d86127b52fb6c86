//! Helpers for the lessons' smoke tests: run the real `server` and `client`
//! binaries, as a student would, and check what they print.
//!
//! * [`bin!`] finds *this lesson's* binary (see "the binary name trap" below).
//! * [`Proc`] is a running process whose standard error is read line by line
//!   on a thread, so a test can wait for a line such as `listening on ...`.
//! * [`Server::start`] starts a server on `--port 0` and reads the real port
//!   from its `listening on` line.
//! * [`run`] runs a client to the end with some input and collects its output.
//!
//! Every wait has a timeout ([`TIMEOUT`]): a hung server fails the test with
//! what it printed so far, instead of hanging CI.
//!
//! # The binary name trap
//!
//! Every lesson has binaries called `server` and `client`. When cargo builds
//! several lessons at once (`cargo test --workspace`), they all land on the
//! same path, `target/debug/server`, and `CARGO_BIN_EXE_server` points there
//! in *every* crate (cargo issue 6313): a lesson's test could run another
//! lesson's server. So [`bin!`] asks the binary who it is (`--version` names
//! the lesson). If it is the wrong one, it looks for this lesson's own copy,
//! which cargo keeps under `target/debug/deps/server-HASH`; if there is none,
//! the test fails at once with a message that says what happened.

#![allow(clippy::missing_panics_doc)]

use std::ffi::OsStr;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The signal number of Ctrl-C.
pub const SIGINT: i32 = 2;
/// The signal number of `kill PID`.
pub const SIGTERM: i32 = 15;

/// How long any single wait may take before the test fails. Generous, because
/// CI machines are slow and busy; a passing test never waits this long.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The path of this lesson's binary `$name` (`"server"` or `"client"`),
/// checked to belong to this lesson. Use it in a lesson's integration tests.
#[macro_export]
macro_rules! bin {
    ($name:literal) => {
        $crate::lesson_bin(
            env!("CARGO_PKG_NAME"),
            $name,
            env!(concat!("CARGO_BIN_EXE_", $name)),
        )
    };
}

/// The path of the example `name` of the package under test (a bare
/// step: `cargo run -p echo-loop --example echo-loop-bare-server`).
///
/// `cargo test` builds a package's examples next to its tests, in
/// `target/debug/examples/`; their names are unique in the workspace, so
/// no other lesson's file can stand there.
///
/// # Panics
///
/// When the example was not built, with a message saying how to build it.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    // target/debug/deps/smoke-HASH -> target/debug/examples/NAME
    let debug = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from target/debug/deps");
    let path = debug
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "the example {name} was not built at {}: `cargo test` builds examples; \
         run `cargo build --examples` or check the name",
        path.display()
    );
    path
}

/// What a binary says it is: the text of `--version`, or why that failed.
///
/// "Text file busy" is retried for a while: a file just written (this
/// crate's own tests write fake binaries) stays open for writing in any
/// child that another test thread forks before that child's `exec`.
fn identity(path: &Path) -> Result<String, String> {
    let deadline = Instant::now() + TIMEOUT;
    let out = loop {
        match Command::new(path)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
        {
            Err(e)
                if e.kind() == io::ErrorKind::ExecutableFileBusy && Instant::now() < deadline =>
            {
                thread::sleep(Duration::from_millis(5));
            }
            result => {
                break result.map_err(|e| format!("could not run {}: {e}", path.display()))?;
            }
        }
    };
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Finds the binary `name` of `lesson`: `cargo_path` when it is that lesson's,
/// else this lesson's copy in the `deps` folder next to it (newest first).
///
/// # Panics
///
/// When neither is this lesson's binary, with a message naming the trap.
pub fn lesson_bin(lesson: &str, name: &str, cargo_path: &str) -> PathBuf {
    let mark = format!("({lesson} lesson)");
    let cargo_path = PathBuf::from(cargo_path);
    let found = match identity(&cargo_path) {
        Ok(id) if id.contains(&mark) => return cargo_path,
        Ok(id) => id,
        Err(e) => e,
    };
    let deps = cargo_path
        .parent()
        .map(|dir| dir.join("deps"))
        .unwrap_or_default();
    let prefix = format!("{name}-");
    let mut candidates: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&deps)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            let file = path.file_name().and_then(OsStr::to_str).unwrap_or("");
            file.starts_with(&prefix) && path.extension().is_none_or(|ext| ext == "exe")
        })
        .filter_map(|path| Some((path.metadata().ok()?.modified().ok()?, path)))
        .collect();
    candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
    for (_, path) in candidates {
        if identity(&path).is_ok_and(|id| id.contains(&mark)) {
            return path;
        }
    }
    panic!(
        "\n{path} is not the {lesson} lesson's `{name}` (it says: {found:?}).\n\
         Several lessons have a binary called `{name}`, and when cargo builds them together \
         they share that one path (cargo issue 6313), so this test was handed another \
         lesson's binary, and no copy of {lesson}'s was found in {deps}.\n\
         hint: run `cargo test -p {lesson}`, or `cargo test --workspace` from a clean build.\n",
        path = cargo_path.display(),
        deps = deps.display(),
    )
}

/// A running process whose standard error is collected line by line.
pub struct Proc {
    child: Child,
    /// Lines of standard error not yet returned by a `wait_for_*` call.
    lines: Receiver<String>,
    /// Every line of standard error so far, for failure messages.
    log: Arc<Mutex<Vec<String>>>,
    stdout: Option<JoinHandle<Vec<u8>>>,
    stderr: Option<JoinHandle<()>>,
    stdin: Option<ChildStdin>,
    name: String,
}

/// Gives the program the default action for Ctrl-C and SIGTERM, as it has
/// when a student starts it in a terminal. A test run from a background job
/// (`cargo test &`, a script's `( ... ) &`) inherits SIGINT *ignored*, and a
/// bare example installs no handler of its own: it would then survive every
/// Ctrl-C the tests send. An ignored signal stays ignored across `exec`, a
/// default one does not, so the test process itself goes back to the
/// default, once, before its first child. (Not in the child with
/// `pre_exec`: that makes std fork instead of `posix_spawn`, and a test that
/// writes an executable would then meet "Text file busy" from other tests'
/// forks.)
#[cfg(unix)]
fn default_signals() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        for signal in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: signal(2) with SIG_DFL installs no handler and touches
            // no memory of ours.
            #[allow(unsafe_code)]
            unsafe {
                libc::signal(signal, libc::SIG_DFL);
            }
        }
    });
}

#[cfg(not(unix))]
fn default_signals() {}

impl Proc {
    /// Starts `cmd` with piped standard input, output and error.
    ///
    /// Unless the test set `LANG` itself, the program runs in the English
    /// locale `C.UTF-8` (and `LC_ALL`, `LC_MESSAGES` removed), so its hint
    /// lines are English whatever the machine's locale is.
    pub fn spawn(mut cmd: Command) -> Proc {
        if !cmd.get_envs().any(|(key, _)| key == "LANG") {
            cmd.env("LANG", "C.UTF-8")
                .env_remove("LC_ALL")
                .env_remove("LC_MESSAGES");
        }
        default_signals();
        let name = format!("{cmd:?}");
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {name}: {e}"));
        let (tx, lines) = mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("stderr is piped");
        let log_in = Arc::clone(&log);
        let stderr = Some(thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut raw = Vec::new();
            while reader.read_until(b'\n', &mut raw).is_ok_and(|n| n > 0) {
                let line = String::from_utf8_lossy(&raw).trim_end().to_string();
                raw.clear();
                log_in.lock().expect("log lock").push(line.clone());
                let _ = tx.send(line);
            }
        }));
        let mut out = child.stdout.take().expect("stdout is piped");
        let stdout = Some(thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = out.read_to_end(&mut bytes);
            bytes
        }));
        let stdin = child.stdin.take();
        Proc {
            child,
            lines,
            log,
            stdout,
            stderr,
            stdin,
            name,
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the process wrote to standard error so far.
    pub fn stderr(&self) -> String {
        self.log.lock().expect("log lock").join("\n")
    }

    /// Waits for a line of standard error that contains `needle` and returns it.
    ///
    /// # Panics
    ///
    /// After [`TIMEOUT`], or if the process closes its standard error first.
    pub fn wait_for_line(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => panic!(
                    "{} did not print {needle:?} within {TIMEOUT:?}; its stderr:\n{}",
                    self.name,
                    self.stderr()
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "{} ended without printing {needle:?}; its stderr:\n{}",
                    self.name,
                    self.stderr()
                ),
            }
        }
    }

    /// Writes `bytes` to the process's standard input.
    pub fn write_stdin(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        stdin.write_all(bytes).expect("write to the child's stdin");
        stdin.flush().expect("flush the child's stdin");
    }

    /// Closes the process's standard input (end of input, like Ctrl-D).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Sends a signal: `libc::SIGINT` is Ctrl-C, `libc::SIGTERM` a polite kill.
    #[cfg(unix)]
    pub fn signal(&self, signal: i32) {
        let pid = libc::pid_t::try_from(self.pid()).expect("pid fits");
        // SAFETY: kill(2) only sends a signal; it touches no memory of ours.
        #[allow(unsafe_code)]
        let rc = unsafe { libc::kill(pid, signal) };
        assert_eq!(rc, 0, "kill({pid}, {signal}) failed");
    }

    /// Signals are a Unix thing; on other systems the signal tests fail here.
    #[cfg(not(unix))]
    pub fn signal(&self, signal: i32) {
        panic!("sending signal {signal} needs a Unix system");
    }

    /// Sends SIGINT, as Ctrl-C in a terminal does.
    pub fn interrupt(&self) {
        self.signal(SIGINT);
    }

    /// Sends SIGTERM, as `kill PID` does.
    pub fn terminate(&self) {
        self.signal(SIGTERM);
    }

    /// Waits for the process to exit, at most `timeout`, and returns how.
    ///
    /// # Panics
    ///
    /// When it is still running after `timeout` (it is then killed).
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        // Polling is how std lets us wait with a deadline; the exit is the
        // event we wait for, and the loop ends as soon as it happens.
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return status,
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
                Ok(None) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    panic!(
                        "{} was still running after {timeout:?}; its stderr:\n{}",
                        self.name,
                        self.stderr()
                    );
                }
                Err(e) => panic!("waiting for {}: {e}", self.name),
            }
        }
    }

    /// True while the process runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits for the exit and returns the status and all standard output.
    pub fn finish(mut self, timeout: Duration) -> (ExitStatus, Vec<u8>) {
        self.close_stdin();
        let status = self.wait_exit(timeout);
        let out = self
            .stdout
            .take()
            .map(|h| h.join().expect("stdout reader"))
            .unwrap_or_default();
        // Standard error is complete once its reader has seen the end.
        if let Some(reader) = self.stderr.take() {
            let _ = reader.join();
        }
        (status, out)
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        // Never leave a server running after a test, passed or failed.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A lesson server started on `--port 0`.
pub struct Server {
    /// The running process.
    pub proc: Proc,
    /// The address from its `listening on` line.
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `bin` with `--port 0` and `args`, and waits for `listening on ADDR`.
    pub fn start<I, S>(bin: &Path, args: I) -> Server
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(bin);
        cmd.args(["--port", "0"]).args(args);
        let mut proc = Proc::spawn(cmd);
        let line = proc.wait_for_line("listening on ");
        let addr = listening_addr(&line)
            .unwrap_or_else(|| panic!("no address in the listening line {line:?}"));
        Server { proc, addr }
    }

    /// The port it listens on, as text for `--port`.
    pub fn port(&self) -> String {
        self.addr.port().to_string()
    }

    /// Sends SIGINT and waits at most `within` for the exit.
    pub fn interrupt_and_wait(&mut self, within: Duration) -> ExitStatus {
        self.proc.interrupt();
        self.proc.wait_exit(within)
    }
}

/// The address in a `... listening on 127.0.0.1:40123 ...` line.
pub fn listening_addr(line: &str) -> Option<SocketAddr> {
    let rest = line.split("listening on ").nth(1)?;
    rest.split_whitespace()
        .next()?
        .trim_end_matches([',', '.', ')'])
        .parse()
        .ok()
}

/// What a finished process printed.
#[derive(Debug)]
pub struct Output {
    /// How it exited.
    pub status: ExitStatus,
    /// Its standard output, as bytes.
    pub stdout: Vec<u8>,
    /// Its standard error, as text.
    pub stderr: String,
}

impl Output {
    /// The exit code, or -1 when a signal ended it.
    pub fn code(&self) -> i32 {
        self.status.code().unwrap_or(-1)
    }

    /// Standard output as text (lossily).
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Runs `bin args...` with `input` on standard input and waits at most
/// [`TIMEOUT`] for it to finish. Input is written on a thread, so a program
/// that reads and writes at once cannot deadlock against the test.
pub fn run<I, S>(bin: &Path, args: I, input: &[u8]) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(bin);
    cmd.args(args);
    let mut proc = Proc::spawn(cmd);
    let mut stdin = proc.stdin.take().expect("stdin is piped");
    let input = input.to_vec();
    let writer = thread::spawn(move || {
        // The program may exit before reading everything (an error, say):
        // a broken pipe here is not the test's failure.
        let _ = stdin.write_all(&input);
    });
    let log = Arc::clone(&proc.log);
    let (status, stdout) = proc.finish(TIMEOUT);
    let _ = writer.join();
    let stderr = log.lock().expect("log lock").join("\n");
    Output {
        status,
        stdout,
        stderr,
    }
}

/// The checks every lesson's binaries share, as `shared/LESSONS.md`
/// states them: bad flags, a port in use, no server, an unknown host. Each
/// runs the real binaries and fails the test with what they printed.
pub mod contract {
    use super::{Output, Server, free_tcp_port, run};
    use std::path::Path;

    /// Flags every TCP/UDP binary refuses: a port that is not a number, a
    /// port over 65535, an IPv4 address that cannot be, an unknown flag.
    pub const BAD_FLAGS: [&[&str]; 4] = [
        &["--port", "notaport"],
        &["--port", "70000"],
        &["--host", "300.1.1.1"],
        &["--no-such-flag"],
    ];

    /// Each of `cases` is a usage error for `bin`: exit 2, an `error:` line,
    /// nothing on standard output, no panic.
    pub fn bad_flags_exit_2(bin: &Path, cases: &[&[&str]]) {
        for args in cases {
            let out = run(bin, *args, b"");
            assert_eq!(out.code(), 2, "{} {args:?}: {}", bin.display(), out.stderr);
            assert!(out.stderr.contains("error:"), "{args:?}: {}", out.stderr);
            assert!(
                out.stdout.is_empty(),
                "{args:?}: stdout {:?}",
                out.stdout_text()
            );
            assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        }
    }

    /// A second server on the port of a running one (started with `args`):
    /// exit 1, `error: could not listen on ADDR: Address already in use`
    /// (`bind to` for UDP),
    /// and the hint. Returns the second server's output for more checks.
    pub fn port_in_use(server: &Path, args: &[&str]) -> Output {
        let first = Server::start(server, args);
        let port = first.port();
        let out = run(server, ["--port", port.as_str()].iter().chain(args), b"");
        assert_eq!(out.code(), 1, "{}", out.stderr);
        // A TCP server says "listen on", a UDP server (which only binds) "bind to".
        let tcp = format!("error: could not listen on {}", first.addr);
        let udp = format!("error: could not bind to {}", first.addr);
        assert!(
            out.stderr.contains(&tcp) || out.stderr.contains(&udp),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("Address already in use"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr
                .contains("hint: another program is using that port"),
            "{}",
            out.stderr
        );
        out
    }

    /// A client with `args` against a port where no server listens: exit 1,
    /// an `error:` line naming `127.0.0.1:PORT` and the OS's words, nothing
    /// on standard output, and a `hint:` line with the exact command that
    /// starts `lesson`'s server on that port. Returns the output.
    pub fn refused(client: &Path, lesson: &str, args: &[&str]) -> Output {
        let port = free_tcp_port().to_string();
        let out = run(client, ["--port", port.as_str()].iter().chain(args), b"");
        assert_eq!(out.code(), 1, "{}", out.stderr);
        assert!(out.stdout.is_empty(), "stdout {:?}", out.stdout_text());
        assert!(
            out.stderr.contains(&format!("127.0.0.1:{port}")),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("Connection refused"), "{}", out.stderr);
        let start = format!("cargo run -p {lesson} --bin server -- --port {port}");
        let hint = out.stderr.lines().find(|l| l.starts_with("hint:"));
        assert!(hint.is_some_and(|h| h.contains(&start)), "{}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        out
    }

    /// A client with `args` and a host name that does not exist: exit 1, the
    /// name in the error, and the spelling hint.
    pub fn unknown_host(client: &Path, args: &[&str]) -> Output {
        let out = run(
            client,
            ["--host", "no-such-host.invalid"].iter().chain(args),
            b"",
        );
        assert_eq!(out.code(), 1, "{}", out.stderr);
        assert!(
            out.stderr.contains("no-such-host.invalid"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("hint: check the spelling of --host"),
            "{}",
            out.stderr
        );
        out
    }
}

/// Running a binary under an exact locale and reading its `error:` and hint
/// lines: for the tests that check the hints speak Korean under `LANG=ko_KR.UTF-8`.
pub mod locale {
    use super::{Proc, TIMEOUT};
    use std::path::Path;
    use std::process::Command;

    /// What a failed run printed, and how it ended.
    pub struct Failure {
        /// The `error: ...` line.
        pub error: String,
        /// The line after it: `hint: ...` or `힌트: ...`.
        pub hint: String,
        /// The exit code.
        pub code: i32,
    }

    /// A command for `bin args` whose locale is exactly `env`: the locale
    /// variables of the machine running the tests are removed first.
    pub fn command(bin: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(bin);
        cmd.args(args);
        for var in ["LC_ALL", "LC_MESSAGES", "LANGUAGE"] {
            cmd.env_remove(var);
        }
        // testkit sets LANG=C.UTF-8 only when the test does not set LANG.
        cmd.env("LANG", "");
        for (key, value) in env {
            cmd.env(key, value);
        }
        cmd
    }

    /// Runs `bin args` under the locale `env` until it fails, and returns its
    /// `error:` line, the hint line after it, and the exit code.
    pub fn fail(bin: &Path, args: &[&str], env: &[(&str, &str)]) -> Failure {
        let mut proc = Proc::spawn(command(bin, args, env));
        proc.close_stdin();
        let error = proc.wait_for_line("error: ");
        // `report` prints the hint line right after the error line.
        let hint = proc.wait_for_line("");
        let code = proc.wait_exit(TIMEOUT).code().unwrap_or(-1);
        assert!(!proc.stderr().contains("panicked"), "{}", proc.stderr());
        Failure { error, hint, code }
    }

    /// A second `server` on the port of a running one, under a Korean and
    /// an English locale: exit 1 in both, the same `error:` line with the
    /// OS's "Address already in use", and the advice in each language.
    pub fn port_in_use_in_both(server: &Path) {
        let first = crate::Server::start(server, ["-q"]);
        let port = first.port();
        let args = ["--port", port.as_str()];
        let ko = fail(server, &args, KOREAN);
        let en = fail(server, &args, ENGLISH);
        assert_eq!((ko.code, en.code), (1, 1));
        assert_eq!(ko.error, en.error);
        assert!(ko.error.contains("Address already in use"), "{}", ko.error);
        assert_korean(&ko.hint);
        assert!(ko.hint.contains("--port"), "{}", ko.hint);
        assert_english(&en.hint);
        assert!(
            en.hint.contains("another program is using that port"),
            "{}",
            en.hint
        );
    }

    /// `client` with `args` and a host name that does not exist, under a
    /// Korean and an English locale: exit 1, the name in the error, and the
    /// spelling hint in each language.
    pub fn unknown_host_in_both(client: &Path, args: &[&str]) {
        let mut all = vec!["--host", "no-such-host.invalid"];
        all.extend_from_slice(args);
        let ko = fail(client, &all, KOREAN);
        let en = fail(client, &all, ENGLISH);
        assert_eq!((ko.code, en.code), (1, 1));
        assert!(ko.error.contains("no-such-host.invalid"), "{}", ko.error);
        assert_korean(&ko.hint);
        assert!(ko.hint.contains("--host"), "{}", ko.hint);
        assert_english(&en.hint);
        assert!(
            en.hint.contains("check the spelling of --host"),
            "{}",
            en.hint
        );
    }

    /// True for a Hangul syllable (가 to 힣).
    pub fn is_hangul(c: char) -> bool {
        ('가'..='힣').contains(&c)
    }

    /// A Korean hint line: the label `힌트:`, then Korean text.
    pub fn assert_korean(hint: &str) {
        assert!(hint.starts_with("힌트: "), "{hint}");
        assert!(hint.chars().any(is_hangul), "not Korean: {hint}");
    }

    /// An English hint line: the label `hint:`, and no Korean at all.
    pub fn assert_english(hint: &str) {
        assert!(hint.starts_with("hint: "), "{hint}");
        assert!(!hint.chars().any(is_hangul), "not English: {hint}");
    }

    /// A Korean locale.
    pub const KOREAN: &[(&str, &str)] = &[("LANG", "ko_KR.UTF-8")];
    /// An English locale.
    pub const ENGLISH: &[(&str, &str)] = &[("LANG", "C.UTF-8")];
}

/// A connection to `server`, with [`TIMEOUT`] on reads so that a server
/// that never answers fails the test instead of hanging it.
pub fn connect(server: &Server) -> std::net::TcpStream {
    let conn = std::net::TcpStream::connect(server.addr).expect("connect to the server");
    conn.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    conn
}

/// Sends `data` on `conn` and reads back exactly as many bytes: one echo.
pub fn round_trip(conn: &mut std::net::TcpStream, data: &[u8]) -> Vec<u8> {
    conn.write_all(data).expect("send");
    let mut back = vec![0u8; data.len()];
    conn.read_exact(&mut back).expect("the echo");
    back
}

/// Reads until the server closes, and fails on a reset or a timeout: a
/// clean close (a FIN) is `read` returning `Ok(0)`.
pub fn read_until_closed(conn: &mut std::net::TcpStream) -> Vec<u8> {
    let mut rest = Vec::new();
    if let Err(e) = conn.read_to_end(&mut rest) {
        panic!("not a clean close: {e} (kind {:?})", e.kind());
    }
    rest
}

/// A number from `/proc/PID/status` (Linux): `proc_status(pid, "VmHWM:")`
/// is the peak memory in KiB, `"Threads:"` the number of threads. `None`
/// where there is no such file or line.
pub fn proc_status(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Lesson 3's line protocol (`/end`, the idle timeout, `--max-clients`,
/// tutorial 000's client), checked from outside: the same black-box checks
/// run against threaded-echo (a thread per client) and event-loop (one
/// thread), as Bendersky's series runs one test against every server design.
pub mod line_echo {
    use super::{Proc, Server, TIMEOUT, connect, read_until_closed, round_trip};
    use std::io::Write;
    use std::net::TcpStream;
    use std::path::Path;
    use std::process::Command;
    use std::time::{Duration, Instant};

    /// IPv6 loopback works, in both bracket forms: the server on `::1`,
    /// the client to `[::1]`, one line echoed.
    pub fn ipv6_loopback(server: &Path, client: &Path) {
        let server = Server::start(server, ["--host", "::1"]);
        assert!(server.addr.is_ipv6(), "{}", server.addr);
        let out = super::run(
            client,
            ["--host", "[::1]", "--port", &server.port()],
            b"v6\n",
        );
        assert_eq!(out.stdout_text(), "v6\n", "{}", out.stderr);
    }

    /// The line a client over `--max-clients N` receives.
    pub fn busy(max_clients: usize) -> String {
        format!("busy: the server already serves {max_clients} clients; try again later\n")
    }

    /// `/end` (with `\n`, then with `\r\n`) is echoed and closes that client
    /// only; what came after it is never echoed; another client stays
    /// connected and served. Returns the server for more checks.
    pub fn end_closes_only_that_client(server: &Path) -> Server {
        let mut server = Server::start(server, [""; 0]);
        let mut leaving = connect(&server);
        let mut staying = connect(&server);
        assert_eq!(round_trip(&mut staying, b"before\n"), b"before\n");
        leaving.write_all(b"bye\n/end\nnever\n").expect("send");
        assert_eq!(read_until_closed(&mut leaving), b"bye\n/end\n");
        let addr = leaving.local_addr().expect("addr");
        server.proc.wait_for_line(&format!("{addr} sent /end"));
        assert_eq!(round_trip(&mut staying, b"after\n"), b"after\n");
        // A Windows line ending works too.
        staying.write_all(b"/end\r\n").expect("send");
        assert_eq!(read_until_closed(&mut staying), b"/end\r\n");
        server
    }

    /// With `--idle-timeout 300ms`, a client that sends nothing is told why
    /// and closed cleanly, not before 300 ms; the server logs it. Returns the
    /// server for more checks.
    pub fn idle_timeout_closes_a_silent_client(server: &Path) -> Server {
        let mut server = Server::start(server, ["--idle-timeout", "300ms"]);
        let started = Instant::now();
        let mut raw = connect(&server);
        let said = read_until_closed(&mut raw);
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert_eq!(
            String::from_utf8_lossy(&said),
            "idle: nothing received for 300ms; closing the connection\n"
        );
        server.proc.wait_for_line("sent nothing for 300ms");
        server
    }

    /// With `--max-clients 2`, two clients are served and a third is told the
    /// server is busy, closed cleanly, and logged as turned away. Returns the
    /// server and the two clients still connected, for more checks.
    pub fn max_clients_turns_away_the_third(server: &Path) -> (Server, TcpStream, TcpStream) {
        let mut server = Server::start(server, ["--max-clients", "2"]);
        let mut first = connect(&server);
        let mut second = connect(&server);
        assert_eq!(round_trip(&mut first, b"1\n"), b"1\n");
        assert_eq!(round_trip(&mut second, b"2\n"), b"2\n");
        let mut third = connect(&server);
        assert_eq!(read_until_closed(&mut third), busy(2).as_bytes());
        server
            .proc
            .wait_for_line("turned away: already serving 2 clients");
        (server, first, second)
    }

    /// Tutorial 000's interactive Python client (`peer`, adapted to Python 3)
    /// types two lines and `/end`: each comes back, and it exits 0. Returns
    /// the server for more checks.
    pub fn tutorial_client_works(server: &Path, peer: &Path) -> Server {
        let mut server = Server::start(server, [""; 0]);
        tutorial_client_session(&server.port(), peer);
        server.proc.wait_for_line("sent /end");
        server
    }

    /// The session of [`tutorial_client_works`] against a server already
    /// listening on 127.0.0.1:`port` (a bare server, say).
    pub fn tutorial_client_session(port: &str, peer: &Path) {
        let mut cmd = Command::new("python3");
        cmd.arg(peer).arg(port).env("PYTHONUTF8", "1");
        let mut python = Proc::spawn(cmd);
        python.write_stdin("hello\n안녕\n/end\n".as_bytes());
        let (status, stdout) = python.finish(TIMEOUT);
        assert_eq!(status.code(), Some(0), "the Python client failed");
        assert_eq!(
            String::from_utf8_lossy(&stdout),
            "msg:echo msg: hello\nmsg:echo msg: 안녕\nmsg:echo msg: /end\n"
        );
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on: the system just handed
/// it out and it was closed again at once. For "connection refused" tests.
pub fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Random-looking bytes without a dependency: xorshift, seeded, so a failing
/// test fails the same way every time.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::os::unix::fs::PermissionsExt;

    #[cfg(not(unix))]
    fn fake_bin(_: &Path, _: &str, _: &str) -> PathBuf {
        panic!("the fake binaries are shell scripts: Unix only");
    }

    #[cfg(unix)]
    fn fake_bin(dir: &Path, file: &str, says: &str) -> PathBuf {
        let path = dir.join(file);
        std::fs::write(&path, format!("#!/bin/sh\necho '{says}'\n")).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("testkit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("deps")).expect("mkdir");
        dir
    }

    /// The right binary is used as it is.
    #[test]
    fn takes_the_right_binary() {
        let dir = temp_dir("right");
        let bin = fake_bin(&dir, "server", "server 0.1.0 (echo-loop lesson)");
        let path = lesson_bin("echo-loop", "server", bin.to_str().expect("utf-8"));
        assert_eq!(path, bin);
    }

    /// Handed another lesson's binary, it finds this lesson's copy in deps/.
    #[test]
    fn finds_the_lessons_copy_in_deps() {
        let dir = temp_dir("deps");
        let bin = fake_bin(&dir, "server", "server 0.1.0 (oneshot lesson)");
        fake_bin(
            &dir.join("deps"),
            "server-aaaa",
            "server 0.1.0 (oneshot lesson)",
        );
        let mine = fake_bin(
            &dir.join("deps"),
            "server-bbbb",
            "server 0.1.0 (echo-loop lesson)",
        );
        fake_bin(&dir.join("deps"), "server-bbbb.d", "not a binary");
        let path = lesson_bin("echo-loop", "server", bin.to_str().expect("utf-8"));
        assert_eq!(path, mine);
    }

    /// Handed the wrong binary with no copy to fall back on, it fails loudly
    /// and names the trap.
    #[test]
    fn wrong_binary_fails_loudly() {
        let dir = temp_dir("wrong");
        let bin = fake_bin(&dir, "server", "server 0.1.0 (oneshot lesson)");
        let bin = bin.to_str().expect("utf-8").to_string();
        let panic = std::panic::catch_unwind(|| lesson_bin("echo-loop", "server", &bin))
            .expect_err("must panic");
        let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(message.contains("cargo issue 6313"), "{message}");
        assert!(message.contains("cargo test -p echo-loop"), "{message}");
        assert!(message.contains("oneshot lesson"), "{message}");
    }

    /// The address is read from a log line in every shape a server prints.
    #[test]
    fn reads_listening_addresses() {
        let v4 = listening_addr("[INFO    ] server.rs 10: listening on 127.0.0.1:4000");
        assert_eq!(v4.map(|a| a.port()), Some(4000));
        let v6 = listening_addr("listening on [::1]:5 (IPv6)");
        assert_eq!(v6.map(|a| a.to_string()), Some("[::1]:5".into()));
        assert_eq!(listening_addr("listening soon"), None);
    }

    /// Noise is deterministic and of the asked length.
    #[test]
    fn noise_is_repeatable() {
        assert_eq!(noise(1001, 7), noise(1001, 7));
        assert_ne!(noise(64, 7), noise(64, 8));
        assert_eq!(noise(1001, 7).len(), 1001);
    }
}
