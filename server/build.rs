// The site is embedded from ../target/site (built by scripts/build.sh). Make sure the folder exists
// so a plain `cargo build`/`cargo test` compiles before the site was built, and rebuild when it changes.
fn main() {
    let site = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site");
    let _ = std::fs::create_dir_all(&site);
    println!("cargo:rerun-if-changed=../target/site");
    println!("cargo:rerun-if-changed=migrations");
}
