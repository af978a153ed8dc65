//! The `doppel` command: parses arguments and hands over to `cli`.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
