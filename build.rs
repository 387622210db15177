// The playground bundle is embedded with `include_dir!`, which stable Rust
// cannot track: rebuild when any file of it changes.
fn main() {
    println!("cargo:rerun-if-changed=playground/ui/dist");
    println!("cargo:rerun-if-changed=build.rs");
}
