//! The table of hints, in English and in Korean, and the locale that picks one.
//!
//! Every `hint:` line a lesson prints is a row of [`Hint`]: one variant per
//! piece of advice, with [`Hint::en`] and [`Hint::ko`] giving its two texts.
//! Both are exhaustive `match`es, so a new hint without its Korean text (or
//! its English one) does not compile, and a test checks that every Korean
//! text really is Korean and keeps the English one's flags, numbers and
//! commands.
//!
//! [`crate::error::report`] prints the hint in the language of the user's
//! locale ([`Lang::from_env`]):
//!
//! ```text
//! LANG=C.UTF-8      hint: is the server running? Start it first, in another terminal: ...
//! LANG=ko_KR.UTF-8  힌트: 서버가 실행 중인가요? 먼저 다른 터미널에서 서버를 시작하세요: ...
//! ```
//!
//! Only the hint changes language. The `error:` line keeps the OS's own
//! words, the logs stay English (the book shows them), and the exit codes are
//! the same in every language.
//!
//! # Naming a hint in a lesson
//!
//! Attach the row as context; [`crate::error::report`] finds it however deep
//! in the chain it is:
//!
//! ```
//! use anyhow::Context;
//! use common::hints::Hint;
//!
//! let e = std::io::Error::from(std::io::ErrorKind::AddrInUse);
//! let err = anyhow::Error::new(e)
//!     .context(Hint::ChannelTaken)
//!     .context("could not listen on 00:00:00:00:00:00 channel 3");
//! assert!(err.downcast_ref::<Hint>().is_some());
//! ```

use std::fmt;

/// The language of the `hint:` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// `hint: ...`, the default.
    English,
    /// `힌트: ...`, when the locale begins with `ko`.
    Korean,
}

/// The locale variables, in the order POSIX reads them for messages: the
/// first one that is set and not empty decides.
pub const LOCALE_VARS: [&str; 3] = ["LC_ALL", "LC_MESSAGES", "LANG"];

impl Lang {
    /// The language of this process's locale: Korean when the first set, non
    /// empty variable of [`LOCALE_VARS`] begins with `ko` (`ko_KR.UTF-8`,
    /// `ko`), English otherwise (`C.UTF-8`, `en_US.UTF-8`, nothing set).
    pub fn from_env() -> Lang {
        Lang::from_vars(|name| {
            std::env::var_os(name).map(|value| value.to_string_lossy().into_owned())
        })
    }

    /// The same rule over any source of variables (the tests pass a table).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Lang {
        let locale = LOCALE_VARS
            .iter()
            .find_map(|name| var(name).filter(|value| !value.is_empty()));
        match locale {
            Some(locale) if locale.starts_with("ko") => Lang::Korean,
            _ => Lang::English,
        }
    }

    /// The word that starts a hint line: `hint` or `힌트`.
    pub fn hint_label(self) -> &'static str {
        match self {
            Lang::English => "hint",
            Lang::Korean => "힌트",
        }
    }
}

/// The hint when the program reading our standard output went away.
pub const STDOUT_CLOSED: &str = "the program reading this one's output stopped reading \
     (`head`, say): the connection itself was fine";

/// The hint when no file descriptor is left (see [`crate::error::is_out_of_files`]).
pub const OUT_OF_FILES: &str = "every connection uses a file descriptor, and this process \
     has none left: raise the limit (`ulimit -n 65536` in the shell that starts the server) \
     or lower --max-clients";

/// Every hint the workspace prints, each in English ([`Hint::en`]) and Korean
/// ([`Hint::ko`]). Its `Display` is the English text, so the hint reads well
/// in a test's `{err:#}` too.
///
/// The first rows are chosen by [`crate::error::report`] from the OS error;
/// the others are attached by one lesson (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// Connection refused: nothing listens there.
    ServerNotRunning {
        /// The exact command that starts the server, flags included.
        command: String,
    },
    /// Address already in use.
    PortInUse,
    /// Permission denied, on `bind()`: a port below 1024 on Linux, a port
    /// the system keeps for itself on Windows.
    ReservedPort,
    /// Cannot assign requested address: `--host` is not one of ours.
    AddressNotHere,
    /// A timeout, or a non-blocking call that would have waited.
    NoAnswerInTime,
    /// Connection reset by peer, or aborted.
    ConnectionReset,
    /// Broken pipe on a socket: the peer closed before we finished sending.
    PeerClosedFirst,
    /// Network or host unreachable.
    NoRoute,
    /// Address family not supported (no IPv6, no Bluetooth).
    FamilyUnsupported,
    /// Broken pipe on our standard output (`client | head`).
    StdoutClosed,
    /// A `--host` name that does not resolve.
    UnknownHost,
    /// No file descriptor left (`EMFILE`, `ENFILE`).
    OutOfFiles,
    /// udp-echo: a message longer than one datagram can carry.
    DatagramTooLong {
        /// The largest payload, 65,507 bytes over IPv4.
        max: usize,
        /// `IPv4` or `IPv6`.
        family: &'static str,
    },
    /// udp-echo: the kernel of the server's host answered "port unreachable".
    UdpServerNotRunning {
        /// The exact command that starts the server.
        command: String,
    },
    /// udp-echo: no answer at all, after every retry.
    UdpSilence {
        /// The exact command that starts the server.
        command: String,
    },
    /// bluetooth-rfcomm: `socket()` found no Bluetooth: no Bluetooth
    /// sockets in the kernel, no RFCOMM module, or not Linux at all.
    NoBluetooth,
    /// bluetooth-rfcomm: the server's channel is taken.
    ChannelTaken,
    /// bluetooth-rfcomm: the connection ended before the whole echo came back.
    BluetoothServerGone,
    /// bluetooth-rfcomm: the device did not answer the page (`EHOSTDOWN`).
    DeviceDown {
        /// The device address, `XX:XX:XX:XX:XX:XX`.
        device: String,
    },
    /// bluetooth-rfcomm: the connection attempt timed out.
    DeviceTimedOut {
        /// The device address.
        device: String,
    },
    /// bluetooth-rfcomm: no local adapter can reach the device.
    NoAdapter,
    /// bluetooth-rfcomm: this machine already has that channel open.
    ChannelBusy,
    /// bluetooth-rfcomm: one side forgot the pairing (`EBADE`).
    PairingForgotten {
        /// The device address.
        device: String,
    },
    /// bluetooth-rfcomm: the device wants the machines paired first.
    NotPaired {
        /// The device address.
        device: String,
    },
    /// loadgen: connections were refused during the run.
    LoadgenRefused {
        /// The exact command that starts the lesson's server.
        command: String,
    },
    /// loadgen: some clients timed out while others were served.
    LoadgenStarved {
        /// The fewest round trips one client made, as loadgen writes numbers.
        fewest: String,
        /// The most round trips one client made.
        most: String,
    },
    /// loadgen: replies that were not the echo of what was sent.
    LoadgenWrongEcho,
    /// loadgen: any other errors counted.
    LoadgenErrors,
}

impl Hint {
    /// The English text.
    pub fn en(&self) -> String {
        match self {
            Hint::ServerNotRunning { command } => {
                format!("is the server running? Start it first, in another terminal: {command}")
            }
            Hint::PortInUse => "another program is using that port, perhaps a server you \
                 started earlier that is still running: stop it (Ctrl-C in its terminal), or \
                 pick another port with --port"
                .into(),
            Hint::ReservedPort => "the system does not let this program use that port. On \
                 Linux, ports below 1024 need administrator rights (root); on Windows, the system \
                 may keep the port for itself. Pick another port, such as the lesson's default"
                .into(),
            Hint::AddressNotHere => "that address does not belong to this machine: use \
                 127.0.0.1 (or ::1), or an address that `ip addr` lists"
                .into(),
            Hint::NoAnswerInTime => {
                "the other side did not answer in time: is it running, and is --host right?".into()
            }
            Hint::ConnectionReset => "the other side reset the connection (RST): it closed \
                 while data it had received was still unread, or our data arrived after it had \
                 closed, or it closed with SO_LINGER 0. (A program that crashes or is killed \
                 closes with a normal FIN, unless data was left unread.)"
                .into(),
            Hint::PeerClosedFirst => {
                "the other side closed the connection before we finished sending".into()
            }
            Hint::NoRoute => "there is no route to that address: check --host (127.0.0.1 \
                 always works on one machine)"
                .into(),
            Hint::FamilyUnsupported => "this system does not support that kind of socket \
                 (address family not supported)"
                .into(),
            Hint::StdoutClosed => STDOUT_CLOSED.into(),
            Hint::UnknownHost => {
                "check the spelling of --host, or give an IP address such as 127.0.0.1 or ::1"
                    .into()
            }
            Hint::OutOfFiles => OUT_OF_FILES.into(),
            Hint::DatagramTooLong { max, family } => format!(
                "one UDP datagram carries at most {max} bytes over {family}; send shorter \
                 messages (each line of input is one datagram)"
            ),
            Hint::UdpServerNotRunning { command } => format!(
                "is the server running? Nothing listens on that UDP port: the kernel there \
                 answered our datagram with an ICMP \"port unreachable\", which a connected UDP \
                 socket reports as \"connection refused\". Start the server first, in another \
                 terminal: {command}"
            ),
            Hint::UdpSilence { command } => format!(
                "is the server running, and are --host and --port right? UDP has no \
                 connection, so a missing server, a lost datagram and a slow answer all look \
                 the same: silence. Start the server in another terminal ({command}), or \
                 wait longer with --timeout 3s --retries 5"
            ),
            Hint::NoBluetooth => "the lesson needs Linux with BlueZ: the bluetooth and rfcomm \
                 kernel modules (sudo modprobe rfcomm) and a Bluetooth adapter (bluetoothctl \
                 list). No hardware, or a container? Try it in a VM with two emulated adapters: \
                 scripts/bt-vm/test-lesson.sh"
                .into(),
            Hint::ChannelTaken => "the channel is taken on that adapter: another RFCOMM server \
                 (an earlier run of this one, or a Bluetooth service of the system) is using it. \
                 Stop it, or pick another channel with --channel (1 to 30)"
                .into(),
            Hint::BluetoothServerGone => "the lesson's server serves one client and then \
                 exits, or it was stopped with Ctrl-C: start the server again, then the client"
                .into(),
            Hint::DeviceDown { device } => format!(
                "{device} did not answer: is it switched on, in range, and the address right?"
            ),
            Hint::DeviceTimedOut { device } => {
                format!("{device} did not answer in time: is it in range?")
            }
            Hint::NoAdapter => {
                "no adapter here reaches it: is this one powered? (bluetoothctl power on)".into()
            }
            Hint::ChannelBusy => {
                "this machine is already connected to that channel: one connection at a time".into()
            }
            Hint::PairingForgotten { device } => format!(
                "pairing lost on one side: in bluetoothctl, remove {device}, pair it, trust it"
            ),
            Hint::NotPaired { device } => {
                format!("pair the two machines first (bluetoothctl: pair {device}, trust {device})")
            }
            Hint::LoadgenRefused { command } => format!(
                "nothing answered on that port: is the server running, and does --mode match \
                 it? Start it with: {command}"
            ),
            Hint::LoadgenStarved { fewest, most } => format!(
                "clients waited and timed out while others were served (fewest round trips \
                 {fewest}, most {most}): a server that serves one client at a time (lesson 2, \
                 echo-loop) makes the others wait; threaded-echo serves them all at once"
            ),
            Hint::LoadgenWrongEcho => "the server sent back something other than what it got: \
                 a correct echo server gives zero errors (see the first example of each kind \
                 above)"
                .into(),
            Hint::LoadgenErrors => "a correct echo server that keeps up gives zero errors: see \
                 the first example of each kind above (a longer --timeout helps a slow server)"
                .into(),
        }
    }

    /// The Korean text. The terms are the book's glossary's
    /// (docs/src/glossary.md); flags, commands and numbers stay as they are.
    pub fn ko(&self) -> String {
        match self {
            Hint::ServerNotRunning { command } => {
                format!("서버가 실행 중인가요? 먼저 다른 터미널에서 서버를 시작하세요: {command}")
            }
            Hint::PortInUse => "다른 프로그램이 그 포트를 쓰고 있습니다. 전에 시작한 서버가 \
                 아직 실행 중일 수 있습니다. 그 서버를 멈추거나(그 터미널에서 Ctrl-C), --port로 \
                 다른 포트를 고르세요"
                .into(),
            Hint::ReservedPort => {
                "시스템이 이 프로그램에 그 포트를 쓰도록 허락하지 않습니다. 리눅스에서는 \
                 1024보다 작은 포트를 쓰려면 관리자 권한(root)이 필요하고, Windows에서는 시스템이 \
                 그 포트를 따로 잡아 두었을 수 있습니다. 레슨의 기본 포트 같은 다른 포트를 고르세요"
                    .into()
            }
            Hint::AddressNotHere => "그 주소는 이 컴퓨터의 주소가 아닙니다. 127.0.0.1(또는 \
                 ::1)이나 `ip addr`가 보여 주는 주소를 쓰세요"
                .into(),
            Hint::NoAnswerInTime => "상대가 제시간에 응답하지 않았습니다. 상대 프로그램이 실행 \
                 중인지, --host가 맞는지 확인하세요"
                .into(),
            Hint::ConnectionReset => "상대가 연결을 리셋했습니다(RST). 상대가 수신한 데이터를 다 \
                 읽지 않은 채 소켓을 닫았거나, 상대가 닫은 뒤에 우리 데이터가 도착했거나, \
                 SO_LINGER 0으로 닫았습니다. (비정상 종료되거나 강제로 끝난 프로그램은 읽지 않은 \
                 데이터가 남아 있지 않으면 정상적인 FIN으로 닫습니다.)"
                .into(),
            Hint::PeerClosedFirst => "우리가 송신을 끝내기 전에 상대가 연결을 닫았습니다".into(),
            Hint::NoRoute => "그 주소로 가는 경로가 없습니다. --host를 확인하세요(한 컴퓨터 \
                 안에서는 127.0.0.1이 언제나 됩니다)"
                .into(),
            Hint::FamilyUnsupported => "이 시스템은 그런 종류의 소켓을 지원하지 않습니다(지원하지 \
                 않는 주소 체계)"
                .into(),
            Hint::StdoutClosed => "이 프로그램의 출력을 읽던 프로그램(예: `head`)이 읽기를 \
                 멈췄습니다. 연결 자체는 문제가 없었습니다"
                .into(),
            Hint::UnknownHost => "--host의 철자를 확인하거나, 127.0.0.1이나 ::1 같은 IP 주소를 \
                 쓰세요"
                .into(),
            Hint::OutOfFiles => "연결마다 파일 디스크립터가 하나씩 필요한데, 이 프로세스에는 \
                 남은 것이 없습니다. 서버를 시작하는 셸에서 한도를 올리거나(`ulimit -n 65536`), \
                 --max-clients를 낮추세요"
                .into(),
            Hint::DatagramTooLong { max, family } => format!(
                "UDP 데이터그램 하나에는 {family}에서 최대 {max}바이트까지만 실을 수 있습니다. \
                 더 짧은 메시지를 보내세요(입력의 한 줄이 데이터그램 하나입니다)"
            ),
            Hint::UdpServerNotRunning { command } => format!(
                "서버가 실행 중인가요? 그 UDP 포트에서 기다리는 프로그램이 없습니다. 그쪽 \
                 커널이 우리 데이터그램에 ICMP \"port unreachable\"(포트에 도달할 수 없음)로 \
                 답했고, connect()한 UDP 소켓은 이것을 \"connection refused\"(연결 거부)로 \
                 알려 줍니다. 먼저 다른 터미널에서 서버를 시작하세요: {command}"
            ),
            Hint::UdpSilence { command } => format!(
                "서버가 실행 중인가요? --host와 --port가 맞나요? UDP에는 연결이 없어서, 서버가 \
                 없을 때도, 데이터그램을 잃었을 때도, 응답이 늦을 때도 똑같이 아무 답이 \
                 없습니다. 다른 터미널에서 서버를 시작하거나({command}), --timeout 3s \
                 --retries 5로 더 오래 기다려 보세요"
            ),
            Hint::NoBluetooth => "이 레슨에는 BlueZ가 있는 리눅스가 필요합니다: bluetooth와 \
                 rfcomm 커널 모듈(sudo modprobe rfcomm), 그리고 블루투스 어댑터(bluetoothctl \
                 list). 하드웨어가 없거나 컨테이너 안인가요? 에뮬레이션 어댑터 두 개가 있는 VM에서 \
                 해 보세요: scripts/bt-vm/test-lesson.sh"
                .into(),
            Hint::ChannelTaken => "그 어댑터에서 그 채널은 이미 쓰이고 있습니다: 다른 RFCOMM \
                 서버(전에 실행한 이 서버, 또는 시스템의 블루투스 서비스)가 차지하고 있습니다. 그 \
                 서버를 멈추거나, --channel로 다른 채널(1~30)을 고르세요"
                .into(),
            Hint::BluetoothServerGone => "이 레슨의 서버는 클라이언트 하나를 처리하면 끝납니다. \
                 아니면 Ctrl-C로 중지되었을 수 있습니다. 서버를 다시 시작한 다음 클라이언트를 \
                 시작하세요"
                .into(),
            Hint::DeviceDown { device } => format!(
                "{device} 장치가 응답하지 않았습니다. 장치가 켜져 있고 신호가 닿는 범위 안에 있나요? 주소가 \
                 맞나요?"
            ),
            Hint::DeviceTimedOut { device } => {
                format!(
                    "{device} 장치가 제시간에 응답하지 않았습니다. 신호가 닿는 범위 안에 있나요?"
                )
            }
            Hint::NoAdapter => "여기 있는 어댑터로는 그 장치에 닿을 수 없습니다. 이 컴퓨터의 \
                 어댑터가 켜져 있나요? (bluetoothctl power on)"
                .into(),
            Hint::ChannelBusy => "이 컴퓨터는 이미 그 채널에 연결되어 있습니다. 한 채널에는 \
                 한 번에 연결 하나만 열 수 있습니다"
                .into(),
            Hint::PairingForgotten { device } => format!(
                "한쪽이 페어링 정보를 잃었습니다. bluetoothctl에서 그 장치를 지우고(remove \
                 {device}), 다시 페어링한 다음(pair {device}), 신뢰 장치로 등록하세요(trust {device})"
            ),
            Hint::NotPaired { device } => format!(
                "먼저 두 컴퓨터를 페어링하세요(bluetoothctl에서: pair {device}, trust {device})"
            ),
            Hint::LoadgenRefused { command } => format!(
                "그 포트에서 아무도 응답하지 않았습니다. 서버가 실행 중인가요? --mode가 그 서버에 \
                 맞나요? 서버는 이렇게 시작하세요: {command}"
            ),
            Hint::LoadgenStarved { fewest, most } => format!(
                "다른 클라이언트가 처리되는 동안 기다리던 클라이언트들이 타임아웃되었습니다\
                 (클라이언트별 왕복 횟수: 최소 {fewest}번, 최대 {most}번). 클라이언트를 한 번에 \
                 하나씩 처리하는 서버(레슨 2, echo-loop)는 나머지를 기다리게 합니다. \
                 threaded-echo는 모두를 한꺼번에 처리합니다"
            ),
            Hint::LoadgenWrongEcho => "서버가 받은 것과 다른 것을 돌려보냈습니다. 올바른 에코 \
                 서버라면 오류가 0개입니다(위에서 종류마다 첫 번째 예를 보세요)"
                .into(),
            Hint::LoadgenErrors => {
                "올바르게 동작하고 속도도 따라가는 에코 서버라면 오류가 0개입니다. \
                 위에서 종류마다 첫 번째 예를 보세요(느린 서버에는 더 긴 --timeout이 도움이 \
                 됩니다)"
                    .into()
            }
        }
    }

    /// One of each row of the table, every text field set to `value` (the
    /// datagram's limit is IPv4's): what the tests go through, here and in
    /// `crates/common/tests/troubleshooting.rs`. A test fails when a row is
    /// missing.
    pub fn examples(value: &str) -> Vec<Hint> {
        let text = || value.to_string();
        vec![
            Hint::ServerNotRunning { command: text() },
            Hint::PortInUse,
            Hint::ReservedPort,
            Hint::AddressNotHere,
            Hint::NoAnswerInTime,
            Hint::ConnectionReset,
            Hint::PeerClosedFirst,
            Hint::NoRoute,
            Hint::FamilyUnsupported,
            Hint::StdoutClosed,
            Hint::UnknownHost,
            Hint::OutOfFiles,
            Hint::DatagramTooLong {
                max: 65507,
                family: "IPv4",
            },
            Hint::UdpServerNotRunning { command: text() },
            Hint::UdpSilence { command: text() },
            Hint::NoBluetooth,
            Hint::ChannelTaken,
            Hint::BluetoothServerGone,
            Hint::DeviceDown { device: text() },
            Hint::DeviceTimedOut { device: text() },
            Hint::NoAdapter,
            Hint::ChannelBusy,
            Hint::PairingForgotten { device: text() },
            Hint::NotPaired { device: text() },
            Hint::LoadgenRefused { command: text() },
            Hint::LoadgenStarved {
                fewest: text(),
                most: text(),
            },
            Hint::LoadgenWrongEcho,
            Hint::LoadgenErrors,
        ]
    }

    /// The text in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::English => self.en(),
            Lang::Korean => self.ko(),
        }
    }
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en())
    }
}

#[cfg(test)]
#[path = "hints_tests.rs"]
mod tests;
