//! The benchmark's floor: what any converter of a host must at least do. Reads every file named
//! on standard input (one path a line), then creates COUNT files of SIZE bytes in OUT with a
//! plain open-write-close each. Built by scripts/bench.py with `rustc -O`; not part of the crate.
//!
//!     bench_floor OUT COUNT SIZE < list-of-inputs

use std::io::{BufRead, Read, Write};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: bench_floor OUT COUNT SIZE < inputs");
        std::process::exit(2);
    }
    let out = std::path::Path::new(&args[1]);
    let count: usize = args[2].parse().expect("COUNT");
    let size: usize = args[3].parse().expect("SIZE");
    let mut read = 0usize;
    let mut buf = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin");
        buf.clear();
        if let Ok(mut f) = std::fs::File::open(&line) {
            read += f.read_to_end(&mut buf).unwrap_or(0);
        }
    }
    std::fs::create_dir_all(out).expect("OUT");
    let body = vec![b'x'; size];
    for i in 0..count {
        let mut f = std::fs::File::create(out.join(format!("f{i}.service"))).expect("create");
        f.write_all(&body).expect("write");
    }
    eprintln!("read {read} bytes, wrote {count} files");
}
