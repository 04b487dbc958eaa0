//! Writes the demo estate as JSON to stdout: `cargo run -q -p escher-sim --example write_demo_estate >
//! examples/estate/demo.json`. A test checks the file matches, so edit the demo in `src/demo/` and rerun this.

fn main() {
    print!("{}", escher_sim::Sim::demo().estate_json());
}
