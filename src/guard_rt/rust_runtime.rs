
// ---- load time ----

extern "C" {
    fn abiguard_verify_@i@(msg: *mut ::std::os::raw::c_char, msglen: usize) -> ::std::os::raw::c_int;
}

/// What verify() concluded about the loaded library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A build the store knew compatible.
    Verified,
    /// An unknown build whose SONAME, required symbols, versions and
    /// data-object sizes match the baseline.
    AcceptedUnverified,
    /// Refused, but ABIGUARD_POLICY=warn lets it run.
    Warned,
    /// ABIGUARD_POLICY=off.
    Off,
}

impl Outcome {
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Verified => "verified",
            Outcome::AcceptedUnverified => "accepted-unverified",
            Outcome::Warned => "warned",
            Outcome::Off => "off",
        }
    }
}

/// The outcome and why.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub outcome: Outcome,
    pub message: String,
}

/// Checks the loaded library through the C stub (build-id, SONAME, symbols,
/// versions and data-object sizes, read from memory), then the offsets of
/// this crate's declarations (layouts()). Err: the binding must not use the
/// library, with the reason.
pub fn verify() -> Result<Verdict, String> {
    let mut buf = [0 as ::std::os::raw::c_char; 2048];
    let rc = unsafe { abiguard_verify_@i@(buf.as_mut_ptr(), buf.len()) };
    let message = unsafe { ::std::ffi::CStr::from_ptr(buf.as_ptr()) }.to_string_lossy().into_owned();
    let policy = ::std::env::var("ABIGUARD_POLICY").unwrap_or_default();
    if policy == "off" {
        return Ok(Verdict { outcome: Outcome::Off, message });
    }
    let outcome = match rc {
        0 => Outcome::Verified,
        1 => Outcome::AcceptedUnverified,
        2 => Outcome::Warned,
        _ => return Err(message),
    };
    let problems = layouts();
    if problems.is_empty() {
        return Ok(Verdict { outcome, message });
    }
    let what = format!("the binding's declarations do not match {}: {}", BASELINE, problems.join("; "));
    if policy == "warn" {
        let what = if outcome == Outcome::Warned { format!("{}; {}", message, what) } else { what };
        return Ok(Verdict { outcome: Outcome::Warned, message: format!("{}; running anyway (ABIGUARD_POLICY=warn)", what) });
    }
    Err(format!("{}; refusing to load (ABIGUARD_POLICY=warn would run anyway)", what))
}

fn pointee_size<T>(_: *const T) -> usize {
    size_of::<T>()
}

fn check_field(p: &mut Vec<String>, ctype: &str, member: &str, off: usize, size: usize, want_off: usize, want_size: usize) {
    if off != want_off || (want_size != 0 && size != want_size) {
        p.push(format!("{}::{} is at offset {} ({} bytes) in the binding's declaration, at offset {} ({} bytes) in {}",
                       ctype, member, off, size, want_off, want_size, BASELINE));
    }
}

fn check_enumerator(p: &mut Vec<String>, ctype: &str, name: &str, got: i128, want: i128) {
    if got != want {
        p.push(format!("{}: {} is {} in the binding's declaration, {} in {}", ctype, name, got, want, BASELINE));
    }
}

#[cfg(test)]
mod abiguard_tests {
    #[test]
    fn abiguard_layouts() {
        let p = super::layouts();
        assert!(p.is_empty(), "the binding's declarations do not match {}: {}", super::BASELINE, p.join("; "));
    }
}
