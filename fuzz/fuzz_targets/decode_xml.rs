//! Every resource's XML decoder: any input gives a model or a typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lpchat_proto::{resources, Format, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    for entry in resources::all() {
        let _ = entry.decode_to_json(Format::Xml, data, &limits);
    }
});
