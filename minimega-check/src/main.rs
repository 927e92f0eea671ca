//! `minimega-check [--spec DUMP.json] FILES...`: checks minimega scripts as
//! minimega's `read` would run them. The logic is in the library.

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = minimega_check::main(
        &args,
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    std::process::ExitCode::from(code)
}
