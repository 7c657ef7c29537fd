//! Generates the LALRPOP parser from `bloblang.lalrpop` into `OUT_DIR`.

fn main() {
    println!("cargo:rerun-if-changed=bloblang.lalrpop");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    lalrpop::Configuration::new()
        .set_out_dir(out_dir)
        .emit_rerun_directives(true)
        .process_file("bloblang.lalrpop")
        .expect("the Bloblang grammar must compile");
}
