//! Small checksums written out here rather than pulled in as crates:
//! table-driven CRC-32 for any reflected polynomial, XXH64 and FNV-1 32.

/// The byte table of a reflected CRC-32 polynomial.
const fn crc32_table(poly: u32) -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 == 1 { (c >> 1) ^ poly } else { c >> 1 };
            bit += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

/// Tables of the polynomials `hash` offers, built at compile time.
const IEEE: [u32; 256] = crc32_table(0xedb8_8320);
const CASTAGNOLI: [u32; 256] = crc32_table(0x82f6_3b78);
const KOOPMAN: [u32; 256] = crc32_table(0xeb31_d82e);

/// CRC-32 of `data` with the reflected polynomial `poly` (IEEE is
/// `0xedb88320`, Castagnoli `0x82f63b78`, Koopman `0xeb31d82e`).
pub fn crc32(poly: u32, data: &[u8]) -> u32 {
    let built;
    let table = match poly {
        0xedb8_8320 => &IEEE,
        0x82f6_3b78 => &CASTAGNOLI,
        0xeb31_d82e => &KOOPMAN,
        other => {
            built = crc32_table(other);
            &built
        }
    };
    let mut crc = !0u32;
    for &b in data {
        crc = table[((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

const P1: u64 = 11_400_714_785_074_694_791;
const P2: u64 = 14_029_467_366_897_019_727;
const P3: u64 = 1_609_587_929_392_839_161;
const P4: u64 = 9_650_029_242_287_828_579;
const P5: u64 = 2_870_177_450_012_600_261;

fn lane(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

fn round(acc: u64, input: u64) -> u64 {
    acc.wrapping_add(input.wrapping_mul(P2))
        .rotate_left(31)
        .wrapping_mul(P1)
}

fn merge(h: u64, v: u64) -> u64 {
    (h ^ round(0, v)).wrapping_mul(P1).wrapping_add(P4)
}

/// XXH64 of `data`.
pub fn xxhash64(data: &[u8], seed: u64) -> u64 {
    let mut rest = data;
    let mut h = if data.len() >= 32 {
        let mut v = [
            seed.wrapping_add(P1).wrapping_add(P2),
            seed.wrapping_add(P2),
            seed,
            seed.wrapping_sub(P1),
        ];
        while rest.len() >= 32 {
            for (i, acc) in v.iter_mut().enumerate() {
                *acc = round(*acc, lane(&rest[i * 8..]));
            }
            rest = &rest[32..];
        }
        let mut h = v[0]
            .rotate_left(1)
            .wrapping_add(v[1].rotate_left(7))
            .wrapping_add(v[2].rotate_left(12))
            .wrapping_add(v[3].rotate_left(18));
        for x in v {
            h = merge(h, x);
        }
        h
    } else {
        seed.wrapping_add(P5)
    };
    h = h.wrapping_add(data.len() as u64);
    while rest.len() >= 8 {
        h ^= round(0, lane(rest));
        h = h.rotate_left(27).wrapping_mul(P1).wrapping_add(P4);
        rest = &rest[8..];
    }
    if rest.len() >= 4 {
        let w = u64::from(u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]));
        h ^= w.wrapping_mul(P1);
        h = h.rotate_left(23).wrapping_mul(P2).wrapping_add(P3);
        rest = &rest[4..];
    }
    for &b in rest {
        h ^= u64::from(b).wrapping_mul(P5);
        h = h.rotate_left(11).wrapping_mul(P1);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(P2);
    h ^= h >> 29;
    h = h.wrapping_mul(P3);
    h ^= h >> 32;
    h
}

/// XXH32 of `data` (the LZ4 frame checksum).
pub fn xxhash32(data: &[u8], seed: u32) -> u32 {
    const Q1: u32 = 2_654_435_761;
    const Q2: u32 = 2_246_822_519;
    const Q3: u32 = 3_266_489_917;
    const Q4: u32 = 668_265_263;
    const Q5: u32 = 374_761_393;
    let word = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let round = |acc: u32, lane: u32| {
        acc.wrapping_add(lane.wrapping_mul(Q2))
            .rotate_left(13)
            .wrapping_mul(Q1)
    };
    let mut rest = data;
    let mut h = if data.len() >= 16 {
        let mut v = [
            seed.wrapping_add(Q1).wrapping_add(Q2),
            seed.wrapping_add(Q2),
            seed,
            seed.wrapping_sub(Q1),
        ];
        while rest.len() >= 16 {
            for (i, acc) in v.iter_mut().enumerate() {
                *acc = round(*acc, word(&rest[i * 4..]));
            }
            rest = &rest[16..];
        }
        v[0].rotate_left(1)
            .wrapping_add(v[1].rotate_left(7))
            .wrapping_add(v[2].rotate_left(12))
            .wrapping_add(v[3].rotate_left(18))
    } else {
        seed.wrapping_add(Q5)
    };
    h = h.wrapping_add(data.len() as u32);
    while rest.len() >= 4 {
        h = h.wrapping_add(word(rest).wrapping_mul(Q3));
        h = h.rotate_left(17).wrapping_mul(Q4);
        rest = &rest[4..];
    }
    for &b in rest {
        h = h.wrapping_add(u32::from(b).wrapping_mul(Q5));
        h = h.rotate_left(11).wrapping_mul(Q1);
    }
    h ^= h >> 15;
    h = h.wrapping_mul(Q2);
    h ^= h >> 13;
    h = h.wrapping_mul(Q3);
    h ^= h >> 16;
    h
}

/// FNV-1 (32-bit) of `data`, as Go's `fnv.New32`.
pub fn fnv32(data: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in data {
        h = h.wrapping_mul(0x0100_0193);
        h ^= u32::from(b);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        assert_eq!(crc32(0xedb8_8320, b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(0x82f6_3b78, b"123456789"), 0xe306_9283);
        assert_eq!(xxhash64(b"", 0), 0xef46_db37_51d8_e999);
        assert_eq!(xxhash64(b"abc", 0), 0x44bc_2cf5_ad77_0999);
        assert_eq!(
            xxhash64(b"Nobody inspects the spammish repetition", 0),
            0xfbcea83c8a378bf1
        );
        assert_eq!(fnv32(b"a"), 0x050c_5d7e);
        assert_eq!(xxhash32(b"", 0), 0x02cc_5d05);
        assert_eq!(xxhash32(b"abc", 0), 0x32d1_53ff);
    }
}
