//! JSON-lines files that only grow: a record is a line *with* its newline, so bytes after the last newline are a
//! write that a crash cut short. Shared by the journal and the audit log.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// How far back to read at a time when looking for the start of the last line.
const CHUNK: u64 = 8 * 1024;

/// The complete lines of `bytes`, numbered from 1, without their newlines; a torn tail is left out.
pub(crate) fn complete_lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let end = bytes.iter().rposition(|&byte| byte == b'\n').map_or(0, |newline| newline + 1);
    bytes[..end]
        .split_inclusive(|&byte| byte == b'\n')
        .enumerate()
        .map(|(index, line)| (index + 1, &line[..line.len() - 1]))
}

/// The length of the file up to and including its last newline.
pub(crate) fn complete_len(file: &File) -> io::Result<u64> {
    let len = file.metadata()?.len();
    Ok(rfind_newline(file, len)?.map_or(0, |newline| newline + 1))
}

/// Cuts a torn tail away (and syncs the cut), so the next record starts on a line of its own. Returns the new
/// length.
pub(crate) fn cut_torn_tail(file: &File) -> io::Result<u64> {
    let len = file.metadata()?.len();
    let complete = complete_len(file)?;
    if complete < len {
        file.set_len(complete)?;
        file.sync_data()?;
    }
    Ok(complete)
}

/// The last complete line, without its newline, read from the end (journals and audit logs can be large).
pub(crate) fn last_complete_line(file: &File) -> io::Result<Option<Vec<u8>>> {
    let end = complete_len(file)?;
    if end == 0 {
        return Ok(None);
    }
    let newline = end - 1;
    let start = rfind_newline(file, newline)?.map_or(0, |previous| previous + 1);
    let mut line = vec![0; usize::try_from(newline - start).map_err(io::Error::other)?];
    let mut reader = file;
    reader.seek(SeekFrom::Start(start))?;
    reader.read_exact(&mut line)?;
    Ok(Some(line))
}

/// The offset of the last newline before `end`.
fn rfind_newline(file: &File, end: u64) -> io::Result<Option<u64>> {
    let mut reader = file;
    let mut buffer = vec![0; CHUNK as usize];
    let mut high = end;
    while high > 0 {
        let low = high.saturating_sub(CHUNK);
        let chunk = &mut buffer[..(high - low) as usize];
        reader.seek(SeekFrom::Start(low))?;
        reader.read_exact(chunk)?;
        if let Some(index) = chunk.iter().rposition(|&byte| byte == b'\n') {
            return Ok(Some(low + index as u64));
        }
        high = low;
    }
    Ok(None)
}

/// Makes a directory's entries durable, so a synced file in it can be found after a crash. Directories cannot
/// be opened for syncing on Windows, where NTFS journals the metadata anyway.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    if cfg!(unix) { File::open(dir)?.sync_all() } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn a_torn_tail_is_not_a_complete_line() {
        let lines: Vec<_> = complete_lines(b"{\"a\":1}\n{\"b\":2}\n{\"c\"").collect();
        assert_eq!(lines, vec![(1, &b"{\"a\":1}"[..]), (2, &b"{\"b\":2}"[..])]);
        assert_eq!(complete_lines(b"no newline yet").count(), 0);
        assert_eq!(complete_lines(b"").count(), 0);
    }

    #[test]
    fn the_last_line_is_found_across_chunks_and_the_tail_is_cut() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("file.jsonl");
        let long = "x".repeat(3 * CHUNK as usize);
        let mut file = File::create(&path).expect("a new file");
        write!(file, "first\n{long}\ntorn").expect("written");
        let file = File::options().read(true).write(true).open(&path).expect("reopened");
        assert_eq!(last_complete_line(&file).expect("read").as_deref(), Some(long.as_bytes()));
        assert_eq!(cut_torn_tail(&file).expect("cut"), (6 + long.len() + 1) as u64);
        assert_eq!(std::fs::read(&path).expect("read").last(), Some(&b'\n'));
    }
}
