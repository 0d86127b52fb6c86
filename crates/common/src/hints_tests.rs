use super::*;

/// One of each hint, with made-up values that are easy to spot in a text.
fn every_hint() -> Vec<Hint> {
    let mut hints = Hint::examples("cargo run -p LESSON --bin server -- --port 4000");
    hints.extend(Hint::examples("00:1A:7D:DA:71:13"));
    hints
}

/// The variants of `Hint` as its definition in hints.rs lists them: the
/// lines of the enum that start a variant (4 spaces, then a capital).
fn variants_in_source() -> Vec<String> {
    let source = include_str!("hints.rs");
    let body = source
        .split("pub enum Hint {\n")
        .nth(1)
        .and_then(|rest| rest.split("\n}\n").next())
        .expect("the enum Hint in hints.rs");
    body.lines()
        .filter_map(|line| line.strip_prefix("    "))
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        .map(|rest| {
            rest.split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// The variant's name, from its `Debug` text (`ChannelTaken { channel: 7 }`).
fn name(hint: &Hint) -> String {
    format!("{hint:?}")
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_string()
}

/// `Hint::examples` has each variant of the enum once, so the tests below
/// (and the appendix's) see every hint: a new variant that is missing there
/// fails this test.
#[test]
fn the_test_list_has_every_hint() {
    let mut listed: Vec<String> = Hint::examples("x").iter().map(name).collect();
    let mut defined = variants_in_source();
    assert!(defined.len() >= 20, "found only {defined:?}");
    listed.sort();
    defined.sort();
    assert_eq!(listed, defined, "add the missing hints to Hint::examples()");
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// Every hint has an English text and a Korean one; the Korean one is
/// written in Hangul, and the English one is not.
#[test]
fn every_hint_has_both_languages() {
    for hint in every_hint() {
        let (en, ko) = (hint.en(), hint.ko());
        assert!(!en.trim().is_empty(), "{hint:?} has no English text");
        assert!(!ko.trim().is_empty(), "{hint:?} has no Korean text");
        assert!(ko.chars().any(is_hangul), "{hint:?}: not Korean: {ko}");
        assert!(!en.chars().any(is_hangul), "{hint:?}: not English: {en}");
        assert_ne!(en, ko, "{hint:?}");
        assert_eq!(hint.to_string(), en, "Display is the English text");
    }
}

/// What a translation must keep word for word: `code`, --flags, numbers
/// and paths. A student copies these from the hint into the terminal.
fn must_keep(text: &str) -> Vec<String> {
    let mut keep = Vec::new();
    for (i, span) in text.split('`').enumerate() {
        if i % 2 == 1 {
            keep.push(span.to_string());
        }
    }
    for word in text.split(|c: char| c.is_whitespace() || "(),;?".contains(c)) {
        let word = word.trim_end_matches([':', '.']);
        if word.starts_with("--") || word.contains('/') {
            keep.push(word.to_string());
        }
    }
    for number in text.split(|c: char| !c.is_ascii_digit()) {
        if !number.is_empty() {
            keep.push(number.to_string());
        }
    }
    keep
}

/// The Korean text keeps the English text's commands, flags, numbers and
/// values (the lesson's start command, the channel, the device address).
#[test]
fn korean_keeps_what_the_student_types() {
    for hint in every_hint() {
        let ko = hint.ko();
        for word in must_keep(&hint.en()) {
            assert!(ko.contains(&word), "{hint:?}: {word:?} is missing in: {ko}");
        }
    }
}

/// The two constants are the English texts of their rows.
#[test]
fn constants_are_the_english_rows() {
    assert_eq!(Hint::StdoutClosed.en(), STDOUT_CLOSED);
    assert_eq!(Hint::OutOfFiles.en(), OUT_OF_FILES);
}

fn lang(vars: &[(&str, &str)]) -> Lang {
    Lang::from_vars(|name| {
        vars.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_string())
    })
}

/// `LANG=ko_KR.UTF-8` (or plain `ko`) means Korean; anything else English.
#[test]
fn lang_follows_the_locale() {
    assert_eq!(lang(&[("LANG", "ko_KR.UTF-8")]), Lang::Korean);
    assert_eq!(lang(&[("LANG", "ko")]), Lang::Korean);
    assert_eq!(lang(&[("LANG", "C.UTF-8")]), Lang::English);
    assert_eq!(lang(&[("LANG", "en_US.UTF-8")]), Lang::English);
    assert_eq!(lang(&[("LANG", "POSIX")]), Lang::English);
    assert_eq!(lang(&[]), Lang::English);
}

/// The first variable that is set and not empty decides, in POSIX order:
/// `LC_ALL`, then `LC_MESSAGES`, then `LANG`.
#[test]
fn lc_all_and_lc_messages_come_first() {
    let ko_over_c = [("LC_ALL", "ko_KR.UTF-8"), ("LANG", "C.UTF-8")];
    assert_eq!(lang(&ko_over_c), Lang::Korean);
    let c_over_ko = [("LC_ALL", "C.UTF-8"), ("LANG", "ko_KR.UTF-8")];
    assert_eq!(lang(&c_over_ko), Lang::English);
    let messages = [("LC_MESSAGES", "ko_KR.UTF-8"), ("LANG", "en_US.UTF-8")];
    assert_eq!(lang(&messages), Lang::Korean);
    let all_wins = [
        ("LC_ALL", "en_US.UTF-8"),
        ("LC_MESSAGES", "ko_KR.UTF-8"),
        ("LANG", "ko_KR.UTF-8"),
    ];
    assert_eq!(lang(&all_wins), Lang::English);
    let empty_is_unset = [("LC_ALL", ""), ("LC_MESSAGES", ""), ("LANG", "ko_KR.UTF-8")];
    assert_eq!(lang(&empty_is_unset), Lang::Korean);
}

/// The label of the hint line in each language.
#[test]
fn labels() {
    assert_eq!(Lang::English.hint_label(), "hint");
    assert_eq!(Lang::Korean.hint_label(), "힌트");
}
