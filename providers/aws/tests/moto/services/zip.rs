//! A zip archive of one stored (uncompressed) file, for Lambda function code: the local header, the data, the
//! central directory entry and the end record, as the ZIP format (APPNOTE 4.3) lays them out.

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A zip holding `name` with `content`.
pub fn one_file(name: &str, content: &[u8]) -> Vec<u8> {
    let (crc, size, name_len) = (crc32(content), content.len() as u32, name.len() as u16);
    let mut out = Vec::new();
    u32le(&mut out, 0x0403_4b50);
    for v in [20u16, 0, 0, 0, 0x21] {
        u16le(&mut out, v); // version, flags, method (stored), time, date
    }
    for v in [crc, size, size] {
        u32le(&mut out, v);
    }
    u16le(&mut out, name_len);
    u16le(&mut out, 0);
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(content);
    let central = out.len() as u32;
    u32le(&mut out, 0x0201_4b50);
    for v in [20u16, 20, 0, 0, 0, 0x21] {
        u16le(&mut out, v); // made by, needed, flags, method, time, date
    }
    for v in [crc, size, size] {
        u32le(&mut out, v);
    }
    for v in [name_len, 0, 0, 0, 0] {
        u16le(&mut out, v); // name, extra, comment, disk, internal attributes
    }
    u32le(&mut out, 0); // external attributes
    u32le(&mut out, 0); // offset of the local header
    out.extend_from_slice(name.as_bytes());
    let central_size = out.len() as u32 - central;
    u32le(&mut out, 0x0605_4b50);
    for v in [0u16, 0, 1, 1] {
        u16le(&mut out, v);
    }
    u32le(&mut out, central_size);
    u32le(&mut out, central);
    u16le(&mut out, 0);
    out
}
