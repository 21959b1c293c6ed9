//! Sets the linker arguments a Node addon needs (undefined napi symbols resolved at load).
fn main() {
    napi_build::setup();
}
