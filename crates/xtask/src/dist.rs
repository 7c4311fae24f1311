//! The release bundle: `trunk build --release` (opt-level z, LTO, wasm-opt -Oz) and the
//! sizes of what a browser downloads, raw, gzip and brotli.

use std::io::Write;
use std::path::Path;

use crate::proc::run;
use crate::setup::Tools;

/// Builds `dist/` and prints the size table.
pub(crate) fn build(tools: &Tools) -> Result<(), String> {
    println!("\n==> trunk build --release (wasm-opt -Oz)");
    run(tools.command("trunk").args(["build", "--release"]))?;
    print_sizes(Path::new("dist"))
}

fn print_sizes(dist: &Path) -> Result<(), String> {
    let mut files: Vec<_> = std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x == "wasm" || x == "js" || x == "css" || x == "html")
        })
        .collect();
    files.sort();
    println!(
        "\n{:<44} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip -9", "brotli 11"
    );
    for path in files {
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!(
            "{:<44} {:>10} {:>10} {:>10}",
            name,
            kib(bytes.len()),
            kib(gzip_len(&bytes)),
            kib(brotli_len(&bytes))
        );
    }
    Ok(())
}

fn kib(n: usize) -> String {
    format!("{:.1} KiB", n as f64 / 1024.0)
}

/// Size of the gzip member: deflate stream plus the 10-byte header and 8-byte trailer.
fn gzip_len(bytes: &[u8]) -> usize {
    miniz_oxide::deflate::compress_to_vec(bytes, 9).len() + 18
}

fn brotli_len(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        // Writing to a Vec cannot fail.
        let _ = w.write_all(bytes);
    }
    out.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_sizes_are_smaller_for_repetitive_input() {
        let data = b"surge ".repeat(10_000);
        assert!(gzip_len(&data) < data.len() / 20);
        assert!(brotli_len(&data) < gzip_len(&data));
    }
}
