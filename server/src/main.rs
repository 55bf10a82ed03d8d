//! The `greenlight` binary.
fn main() -> std::process::ExitCode {
    greenlight::cli::main()
}
