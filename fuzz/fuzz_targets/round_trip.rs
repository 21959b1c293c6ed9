//! Whatever decodes must survive re-encoding: exactly through JSON, and stably through XML.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lpchat_proto::{resources, Format, Limits};

fuzz_target!(|data: &[u8]| {
    let Some(format) = Format::sniff(data) else {
        return;
    };
    let limits = Limits::default();
    for entry in resources::all() {
        if let Err(e) = entry.check_round_trip(format, data, &limits) {
            panic!("{e}");
        }
    }
});
