//! Runs the C inside five crates: each line is computed by C or assembly built for the target.

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn main() {
    let message = b"crossflake";

    let ring = ring::digest::digest(&ring::digest::SHA256, message);
    println!("ring sha256 {}", hex(ring.as_ref()));

    let aws = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, message);
    println!("aws-lc sha256 {}", hex(aws.as_ref()));

    let openssl = openssl::sha::sha256(message);
    println!("openssl sha256 {}", hex(&openssl));

    let input = message.repeat(100);
    let packed = zstd::encode_all(&input[..], 3).expect("zstd compresses");
    let unpacked = zstd::decode_all(&packed[..]).expect("zstd decompresses");
    assert_eq!(unpacked, input);
    println!(
        "zstd {} -> {} -> {} bytes",
        input.len(),
        packed.len(),
        unpacked.len()
    );

    let db = rusqlite::Connection::open_in_memory().expect("sqlite opens");
    let answer: i64 = db
        .query_row("SELECT 6 * 7", [], |row| row.get(0))
        .expect("sqlite answers");
    println!("sqlite {} says {answer}", rusqlite::version());
}
